#include "net/coalescing_stream.hpp"

#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "websocket/close.hpp"
#include "websocket/handshake.hpp"

namespace parley::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_websocket = boost::beast::websocket;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// A connected pair of loopback sockets: `stream_` wraps the server end,
// `peer_` is the plain client end.
class CoalescingStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { connect(peer_, stream_, nullptr); }

  // Connects `peer` to a new server socket and wraps that socket in `stream`.
  void connect(tcp::socket& peer, std::optional<CoalescingStream>& stream, FlushScheduler* pushes) {
    tcp::acceptor acceptor(context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    peer.connect(acceptor.local_endpoint());
    stream.emplace(acceptor.accept(), metrics_, pushes);
  }

  std::string read_exactly(std::size_t bytes) { return read_exactly(peer_, bytes); }

  static std::string read_exactly(tcp::socket& peer, std::size_t bytes) {
    std::string received(bytes, '\0');
    asio::read(peer, asio::buffer(received));
    return received;
  }

  void run() {
    context_.restart();
    context_.run();
  }

  // Reads `bytes` on another thread while this one runs the stream's
  // writes, for writes larger than the socket buffers.
  std::string read_while_running(std::size_t bytes) {
    std::string received;
    std::thread reader([&] { received = read_exactly(bytes); });
    run();
    reader.join();
    return received;
  }

  asio::io_context context_;
  tcp::socket peer_{context_};
  IoMetrics metrics_;
  std::optional<CoalescingStream> stream_;
};

TEST_F(CoalescingStreamTest, FramesOfOneTurnShareAWrite) {
  stream_->write_frame("one", false);
  stream_->write_frame("two", true);
  stream_->write_frame("", false);
  EXPECT_EQ(stream_->socket_writes(), 0U);
  EXPECT_EQ(metrics_.send_queue_bytes.value(), 5 + 5 + 2);

  run();
  EXPECT_EQ(stream_->socket_writes(), 1U);
  EXPECT_EQ(metrics_.socket_writes.value(), 1U);
  EXPECT_EQ(read_exactly(12), std::string("\x81\x03one\x82\x03two\x81\x00", 12));
  EXPECT_EQ(stream_->bytes_written(), 12U);
  EXPECT_EQ(stream_->queued_bytes(), 0U);
  EXPECT_EQ(metrics_.send_queue_bytes.value(), 0);
}

TEST_F(CoalescingStreamTest, HeaderEncodesEachLengthForm) {
  const std::vector<std::pair<std::size_t, std::string>> cases = {
      {125, std::string("\x81\x7d", 2)},
      {126, std::string("\x81\x7e\x00\x7e", 4)},
      {65535, std::string("\x81\x7e\xff\xff", 4)},
      {65536, std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10)},
  };
  for (const auto& [size, header] : cases) {
    stream_->write_frame(std::string(size, 'p'), false);
    run();
    EXPECT_EQ(read_exactly(header.size()), header) << "payload of " << size << " bytes";
    EXPECT_EQ(read_exactly(size), std::string(size, 'p')) << "payload of " << size << " bytes";
  }
}

TEST_F(CoalescingStreamTest, FramesDuringAWriteFollowInTheNext) {
  // Larger than the loopback socket buffers take at once, so the first
  // socket write is still in progress when the next frames arrive.
  const std::string large(8 << 20, 'x');
  stream_->write_frame(large, true);
  context_.poll();
  ASSERT_EQ(stream_->socket_writes(), 1U);
  stream_->write_frame("a", false);
  stream_->write_frame("b", false);
  context_.poll();
  EXPECT_EQ(stream_->socket_writes(), 1U);

  std::string received = read_while_running(10 + large.size());
  EXPECT_EQ(received.substr(10), large);
  EXPECT_EQ(stream_->socket_writes(), 2U);
  EXPECT_EQ(read_exactly(6), std::string("\x81\x01"
                                         "a\x81\x01"
                                         "b",
                                         6));
}

TEST_F(CoalescingStreamTest, DiscardKeepsTheWriteInProgress) {
  const std::string large(8 << 20, 'x');
  stream_->write_frame(large, true);
  context_.poll();
  stream_->write_frame("dropped", false);
  stream_->discard_pending();
  EXPECT_EQ(metrics_.send_queue_bytes.value(), static_cast<std::int64_t>(10 + large.size()));

  std::string received = read_while_running(10 + large.size());
  EXPECT_EQ(received.substr(10), large);
  EXPECT_EQ(stream_->socket_writes(), 1U);
  EXPECT_EQ(stream_->queued_bytes(), 0U);
  EXPECT_EQ(metrics_.send_queue_bytes.value(), 0);
}

TEST_F(CoalescingStreamTest, DiscardKeepsBytesWrittenAsTheyAre) {
  const std::string response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
  stream_->write_bytes(response);
  stream_->write_frame("dropped", false);
  stream_->discard_pending();
  stream_->write_frame("kept", false);
  run();

  // A loopback write is in the peer's receive buffer once it completes.
  EXPECT_EQ(read_exactly(peer_.available()), response + "\x81\x04kept");
  EXPECT_EQ(metrics_.send_queue_bytes.value(), 0);
}

TEST_F(CoalescingStreamTest, WritesAfterAFailedWriteFail) {
  stream_->socket().shutdown(tcp::socket::shutdown_send);
  stream_->write_frame("lost", false);
  run();

  std::optional<beast::error_code> result;
  stream_->async_drain([&result](beast::error_code ec) { result = ec; });
  run();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, asio::error::broken_pipe);
  stream_->write_frame("dropped", false);
  stream_->write_control(websocket::Opcode::kPing, "dropped");
  stream_->write_bytes("dropped");
  EXPECT_EQ(stream_->queued_bytes(), 0U);
  EXPECT_EQ(metrics_.send_queue_bytes.value(), 0);
}

TEST_F(CoalescingStreamTest, DestroyedDuringAWriteIsSafe) {
  stream_->write_frame(std::string(16 << 20, 'x'), true);
  context_.poll();
  ASSERT_EQ(stream_->socket_writes(), 1U);
  stream_.reset();
  run();
  EXPECT_EQ(metrics_.send_queue_bytes.value(), 0);
}

// A stream whose pushes wait for a FlushScheduler with `delay`.
class ScheduledPushTest : public CoalescingStreamTest {
 protected:
  void use_scheduler(std::chrono::microseconds delay) {
    scheduler_.emplace(context_.get_executor(), delay);
    stream_.reset();
    peer_ = tcp::socket(context_);
    connect(peer_, stream_, &*scheduler_);
  }

  // Destroyed before the base class's context, which its timer uses.
  std::optional<FlushScheduler> scheduler_;
};

TEST_F(ScheduledPushTest, PushesWaitForTheWindow) {
  use_scheduler(std::chrono::hours(1));
  stream_->write_push("one", false);
  context_.poll();
  EXPECT_EQ(stream_->socket_writes(), 0U);
  stream_->write_push("two", false);
  context_.poll();
  EXPECT_EQ(stream_->socket_writes(), 0U);
  EXPECT_EQ(stream_->queued_bytes(), 10U);
}

TEST_F(ScheduledPushTest, ReplyTakesWaitingPushesAlong) {
  use_scheduler(std::chrono::hours(1));
  stream_->write_push("push", false);
  stream_->write_frame("reply", false);
  context_.poll();
  EXPECT_EQ(stream_->socket_writes(), 1U);
  EXPECT_EQ(read_exactly(13), std::string("\x81\x04push\x81\x05reply", 13));
  EXPECT_EQ(stream_->queued_bytes(), 0U);
}

TEST_F(ScheduledPushTest, WindowEndFlushesEveryStream) {
  use_scheduler(std::chrono::microseconds(1000));
  tcp::socket other_peer(context_);
  std::optional<CoalescingStream> other;
  connect(other_peer, other, &*scheduler_);

  stream_->write_push("a", false);
  other->write_push("b", true);
  stream_->write_push("c", false);
  run();
  EXPECT_EQ(stream_->socket_writes(), 1U);
  EXPECT_EQ(other->socket_writes(), 1U);
  EXPECT_EQ(read_exactly(6), std::string("\x81\x01"
                                         "a\x81\x01"
                                         "c",
                                         6));
  EXPECT_EQ(read_exactly(other_peer, 3), std::string("\x82\x01"
                                                     "b",
                                                     3));
}

TEST_F(ScheduledPushTest, ZeroDelayFlushesInTheSameTurn) {
  use_scheduler(std::chrono::microseconds(0));
  stream_->write_push("x", false);
  stream_->write_push("y", false);
  context_.poll();
  EXPECT_EQ(stream_->socket_writes(), 1U);
  EXPECT_EQ(read_exactly(6), std::string("\x81\x01"
                                         "x\x81\x01"
                                         "y",
                                         6));
}

TEST_F(ScheduledPushTest, StreamDestroyedInWindowIsSafe) {
  use_scheduler(std::chrono::microseconds(1000));
  stream_->write_push("gone", false);
  stream_.reset();
  run();
  EXPECT_EQ(metrics_.send_queue_bytes.value(), 0);
}

// Beast's WebSocket client on the other end: it accepts the handshake
// response written with write_bytes(), and the data and control frames
// reach it in the order written.
TEST(CoalescingWebSocketTest, BeastClientReadsTheFramesInOrder) {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  beast_websocket::stream<tcp::socket> client(context);
  IoMetrics metrics;
  std::optional<CoalescingStream> server;
  std::vector<std::string> received;
  beast::error_code client_error;
  beast::flat_buffer buffer;
  beast::flat_buffer request_buffer;
  websocket::UpgradeRequest request;

  client.control_callback([&received](beast_websocket::frame_type kind, beast::string_view) {
    if (kind == beast_websocket::frame_type::ping) received.emplace_back("(ping)");
  });
  std::function<void()> read_next = [&] {
    client.async_read(buffer, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        client_error = ec;
        return;
      }
      received.push_back((client.got_binary() ? "binary " : "text ") +
                         beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      read_next();
    });
  };
  // Beast's client replies to the close frame and waits for the server's FIN.
  // The server sends it once its bytes are written and reads until the
  // client closes too, as WebSocketSession does.
  std::string unread(64, '\0');
  std::function<void()> drain_client = [&] {
    server->socket().async_read_some(asio::buffer(unread), [&](beast::error_code ec, std::size_t) {
      if (ec) {
        server->socket().close();
      } else {
        drain_client();
      }
    });
  };
  acceptor.async_accept([&](beast::error_code ec, tcp::socket socket) {
    ASSERT_FALSE(ec) << ec.message();
    server.emplace(std::move(socket), metrics);
    http::async_read(
        server->socket(), request_buffer, request, [&](beast::error_code read, std::size_t) {
          ASSERT_FALSE(read) << read.message();
          const websocket::HandshakeResult result =
              websocket::make_handshake_response(request, "test");
          ASSERT_TRUE(result.accepted) << result.error;
          server->write_bytes(result.response);
          server->write_frame("first", false);
          server->write_control(websocket::Opcode::kPing, "");
          server->write_frame("second", true);
          server->write_control(websocket::Opcode::kClose,
                                websocket::close_payload(websocket::CloseCode::kGoingAway, "bye"));
          server->async_drain([&](beast::error_code drained) {
            ASSERT_FALSE(drained) << drained.message();
            server->socket().shutdown(tcp::socket::shutdown_send);
            drain_client();
          });
        });
  });
  client.next_layer().async_connect(acceptor.local_endpoint(), [&](beast::error_code ec) {
    ASSERT_FALSE(ec) << ec.message();
    client.async_handshake("127.0.0.1", "/", [&](beast::error_code shaken) {
      ASSERT_FALSE(shaken) << shaken.message();
      read_next();
    });
  });
  context.run();

  EXPECT_EQ(received, (std::vector<std::string>{"text first", "(ping)", "binary second"}));
  EXPECT_EQ(client_error, beast_websocket::error::closed);
  EXPECT_EQ(client.reason().code, beast_websocket::close_code::going_away);
  EXPECT_EQ(client.reason().reason, "bye");
}

}  // namespace
}  // namespace parley::net
