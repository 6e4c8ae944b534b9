#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "client/binary_codec.hpp"
#include "common/error.hpp"

namespace parley::client {

// Close code and reason of a closed connection. A close frame without a
// status code is reported as 1005. A connection that ended without a close
// frame is reported as 1006 with the transport error as the reason, as
// RFC 6455 section 7.1.5 prescribes. A received message over 1 MiB makes
// the client close the connection with 1009, reported as such.
struct CloseInfo {
  int code;
  std::string reason;
};

// One data frame as received, for protocol tests that send binary frames.
struct Frame {
  bool binary;
  std::string payload;
};

// One WebSocket connection to a Parley node speaking the client protocol,
// with JSON text frames or SBE binary frames (set_encoding). A background
// thread reads frames; replies are matched to requests by cid (a fresh
// random UUID per request); pushes (qualifier v1/syemessenger/messages) go
// to a queue. Thread-safe.
//
// Incoming frames are sorted into three places. A binary frame of the SBE
// schema is first decoded to its JSON envelope.
//  - A frame whose cid matches a pending call() completes that call.
//  - A text frame with the push qualifier and an object payload goes to the
//    push queue (next_push), and so does a binary push while the encoding
//    is kSbe.
//  - Every other frame goes to the frame queue (next_frame) as received,
//    except a late reply to a call() that already timed out, which is
//    dropped.
// Queued pushes and frames can still be read after the connection closed.
// Both queues are unbounded, so a long-lived caller must keep reading them.
class Connection {
 public:
  class Impl;

  // url: ws://host:port/path. Fails with an Error (code 0, message naming
  // the URL and the cause) when it cannot connect within `timeout`.
  // `encoding` is the wire format of call(), as set_encoding() sets it.
  static Result<std::unique_ptr<Connection>> open(
      const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(5),
      Encoding encoding = Encoding::kJson);

  // Closes with 1000 unless the connection is already closed.
  ~Connection();

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends {"cid","qualifier":"v1/syemessenger/" + operation,"data"} (data
  // omitted when it is null) and waits for the frame with that cid. Returns
  // the reply's data, or Error{code, message} from an error reply, or
  // Error{0, "..."} on timeout or when the connection closed.
  Result<boost::json::value> call(std::string_view operation,
                                  const boost::json::value& data = nullptr,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Next push's data object (MessageInfo), or nullopt after timeout/close.
  std::optional<boost::json::object> next_push(std::chrono::milliseconds timeout);

  // Raw access for protocol tests: send any text or binary frame, and read
  // the next frame that did not match a pending call (replies to raw sends,
  // pushes are NOT included here: they stay in the push queue). A frame sent
  // after the connection closed is dropped.
  void send_text(std::string text);
  void send_binary(std::string bytes);
  std::optional<std::string> next_frame(std::chrono::milliseconds timeout);
  // Reads the same queue as next_frame() and also returns whether each
  // frame is binary.
  std::optional<Frame> next_frame_with_type(std::chrono::milliseconds timeout);

  // Starts the closing handshake after the frames already queued for
  // sending. wait_closed() then returns the code the server echoed.
  void close(int code = 1000, std::string reason = {});

  // Waits for the server to close; returns its close code and reason.
  // Returns nullopt when the connection is still open after `timeout`.
  std::optional<CloseInfo> wait_closed(std::chrono::milliseconds timeout);

  // False once the connection closed or close() was called.
  bool is_open() const;

  // Sets the wire format of later call()s: kJson (the default) or kSbe. A
  // binary reply decodes to the same value that the JSON reply carries.
  void set_encoding(Encoding encoding);
  Encoding encoding() const;

 private:
  explicit Connection(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::client
