#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/resilient_session.hpp"
#include "common/types.hpp"
#include "faults/ledger.hpp"
#include "support/cluster.hpp"

namespace parley::faults {

// Shape of a FaultScene.
struct SceneOptions {
  // Prefix of account and room names, unique per test within one cluster.
  std::string name = "fault";
  int rooms = 2;
  // Members of each room, each a ResilientSession that subscribes and
  // sends. Member m of a room connects to node m modulo the node count
  // first, so every node has subscribers and senders.
  int members_per_room = 3;
  // Messages each member sends, one at a time.
  int messages_per_member = 40;
  // Pause after each acknowledged send, so that a fault lands while sends
  // are in flight.
  std::chrono::milliseconds pause{20};
  // Time a send may take, retries included, before it counts as
  // unacknowledged.
  std::chrono::milliseconds send_deadline{30000};
  // Characters of padding appended to each text, to make pushes larger.
  int text_padding = 0;
};

// A room of a FaultScene.
struct SceneRoom {
  RoomId id = 0;
  std::string name;
};

// Rooms whose members send numbered messages through a cluster while a
// test injects faults, and record what the server acknowledged in a Ledger
// and what each member received. Every member reads its messages on its own
// thread. check() compares both after the fact.
class FaultScene {
 public:
  FaultScene(testing::Cluster& cluster, SceneOptions options);
  // Stops the sender and reader threads and closes the sessions.
  ~FaultScene();

  FaultScene(const FaultScene&) = delete;
  FaultScene& operator=(const FaultScene&) = delete;

  // Creates the accounts and rooms, opens and subscribes every member, and
  // starts the readers. Throws std::runtime_error when a step fails.
  void set_up();

  // Starts one sender thread per member.
  void start_sending();
  // Makes the senders stop after their current message.
  void stop_sending() { stop_sending_ = true; }
  // Waits until every sender finished or `timeout` passed. Returns whether
  // all finished.
  bool wait_sent(std::chrono::milliseconds timeout);
  // Waits until the ledger has at least `count` acknowledged messages.
  bool wait_acknowledged(std::size_t count, std::chrono::milliseconds timeout);
  std::size_t total_messages() const;

  // Waits until every member received every acknowledged message of its
  // room, or `timeout` passed.
  bool wait_delivered(std::chrono::milliseconds timeout);
  // Waits until PostgreSQL stores every acknowledged message, or `timeout`
  // passed.
  bool wait_stored(std::chrono::milliseconds timeout);

  // Checks receptions, their order and the history. Call after
  // wait_delivered() and wait_stored().
  CheckReport check();

  // Sums the reconnects and dropped duplicates of every member.
  client::SessionStats total_stats() const;
  const Ledger& ledger() const { return ledger_; }
  const std::vector<SceneRoom>& rooms() const { return rooms_; }
  // Opens a session with every node URL of the cluster, trying node
  // `first_node` first.
  std::unique_ptr<client::ResilientSession> open_session(std::size_t first_node);

 private:
  struct Member {
    std::string name;
    RoomId room = 0;
    std::unique_ptr<client::ResilientSession> session;
    mutable std::mutex mutex;
    Reception reception;  // guarded by mutex
    std::thread reader;
    std::thread sender;
  };

  void read_loop(Member& member);
  void send_loop(Member& member);
  std::vector<Received> stored_messages(RoomId room);
  Reception snapshot(const Member& member) const;

  testing::Cluster& cluster_;
  const SceneOptions options_;
  Ledger ledger_;
  std::vector<std::unique_ptr<Member>> members_;
  std::vector<SceneRoom> rooms_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stop_sending_{false};
  std::atomic<int> senders_running_{0};
};

// Returns a suffix of random digits, for names unique across test runs.
std::string unique_suffix();

}  // namespace parley::faults
