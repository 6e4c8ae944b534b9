#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "connection.hpp"
#include "options.hpp"
#include "workers.hpp"

namespace parley::bench {

// One benchmark client: a connection, the account it logs in as, its room
// and its role. Mutable fields are only touched on the client's worker
// thread once setup is done.
struct Client {
  std::shared_ptr<Connection> connection;
  std::size_t worker = 0;
  std::size_t node = 0;
  std::string username;
  bool creates_account = true;
  std::int64_t account_id = 0;
  std::size_t room = 0;
  bool owns_room = false;
  bool subscribes = false;
  // Sender slot within the workload, or -1 for a pure receiver.
  int sender_slot = -1;
  // Sends use the object form with roomId instead of the subscribed room.
  bool sends_to_room = false;
  std::uint64_t next_sequence = 0;
  std::uint64_t issued = 0;
  // Fraction of a send interval by which this sender is ahead of the
  // others, in [0, 1), so that slow senders do not all send at once.
  double send_phase = 0;
  // Deliveries each acknowledged send of this client owes.
  std::uint64_t fanout = 0;
  // Per sender slot, the next sequence number this client expects.
  std::vector<std::uint64_t> next_expected;
  std::int64_t last_message_id = 0;
};

// The steps of Population::resume that precede the final subscribe.
enum class ResumeStep { connected, logged_in };

struct Room {
  std::string name;
  std::int64_t id = 0;
  std::size_t owner = 0;
};

// The clients and rooms of one run, with the steps that set them up.
class Population {
 public:
  Population(const Options& options, Workers& workers);
  // Detaches the handlers of every connection on its own thread, because
  // they refer to the clients, and closes the connections.
  ~Population();
  Population(const Population&) = delete;
  Population& operator=(const Population&) = delete;

  // Adds a client on node `node` in room `room`; returns its index.
  std::size_t add_client(std::size_t node, std::size_t room);
  std::size_t add_room();

  std::vector<Client>& clients() { return clients_; }
  std::vector<Room>& rooms() { return rooms_; }
  const std::string& run_id() const { return run_id_; }

  // Connects every client from index `first` on, creates its account when it has to, and logs it
  // in. Returns an error naming the first failure.
  Status connect_and_log_in(std::size_t first = 0);
  // Creates every room from its owner, joins the other members and
  // subscribes the clients that subscribe. Sets each sender's fanout from
  // the room's subscriber count.
  Status join_rooms();

  // Installs the push handler that counts deliveries and latency into the
  // client's worker counters.
  void count_pushes(std::size_t index);
  // Sets up one client's connection on `node` again: connect, log in and
  // subscribe after its last message id. Runs `on_step` after each of the
  // first two steps succeeded and `done` at the end, both on its thread.
  void resume(std::size_t index, std::size_t node, std::function<void(ResumeStep)> on_step,
              std::function<void(std::string)> done);

  static std::string password() { return "bench-password"; }

 private:
  void connect_one(std::size_t index, std::function<void(std::string)> done);
  void log_in(std::size_t index, std::function<void(std::string)> done);
  void create_room(std::size_t room, std::function<void(std::string)> done);
  void join_and_subscribe(std::size_t index, std::function<void(std::string)> done);
  void subscribe(std::size_t index, bool after_last, std::function<void(std::string)> done);

  const Options& options_;
  Workers& workers_;
  SourceAddresses sources_;
  std::vector<Client> clients_;
  std::vector<Room> rooms_;
  std::string run_id_;
};

}  // namespace parley::bench
