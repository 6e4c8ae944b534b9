#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "common/types.hpp"

namespace parley::service {

// A stored message read from PostgreSQL, serialized as a JSON push frame.
// A connection whose pushes are SBE re-encodes it.
struct StoredPush {
  MessageId id;
  std::string frame;
};

// The service layer's view of one client connection: its identity, its
// subscription and the executor its state lives on.
//
// Thread safety: every member function except executor() and the two
// identifiers must be called on executor(). The dispatcher posts every
// completion there, so handlers never touch the state from a pool thread.
class ClientConnection {
 public:
  virtual ~ClientConnection() = default;

  // Process-unique id used in log lines as [C<id>].
  virtual std::uint64_t connection_id() const = 0;
  // Client IP address, for per-address limits and logs.
  virtual const std::string& remote_address() const = 0;
  virtual boost::asio::any_io_executor executor() = 0;

  virtual std::optional<AccountId> account() const = 0;
  // Sets the logged-in account. A change of identity drops the
  // subscription, so no account receives another account's room.
  virtual void set_account(std::optional<AccountId> account) = 0;

  // Hash of the token this connection logged in with (loginWithToken), so
  // that logout can revoke it. Empty after a password login.
  virtual const std::optional<std::string>& login_token_hash() const = 0;
  virtual void set_login_token_hash(std::optional<std::string> token_hash) = 0;

  virtual std::optional<RoomId> subscribed_room() const = 0;
  // Subscribes to `room`, moving the subscription if there was another one.
  virtual void subscribe(RoomId room) = 0;
  virtual void unsubscribe() = 0;
  // Pushes the messages of `room` that follow message `after`, oldest first,
  // then subscribes, with no message missing or repeated between the two.
  // The node's recent window supplies them when it still contains `after`.
  // Otherwise `stored` (messages after `after` read from PostgreSQL, in
  // Kafka order when `stored_in_kafka_order`, else in id order) comes first
  // and then the window's messages not among them.
  virtual void subscribe_after(RoomId room, MessageId after, const std::vector<StoredPush>& stored,
                               bool stored_in_kafka_order) = 0;

  // Queues a JSON push frame (a message) for this connection only.
  virtual void push(std::string frame) = 0;

  // Sends the reply frame of the request being served and lets the
  // connection read its next request. Replies therefore leave in request
  // order. The frame is in the request's encoding: JSON goes out as a text
  // frame, SBE as a binary frame. Called exactly once per request.
  virtual void complete(std::string frame) = 0;
};

}  // namespace parley::service
