#include "net/coalescing_stream.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

namespace parley::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

// A connected pair of loopback sockets: `stream` wraps the server end in a
// CoalescingStream, `peer` is the plain client end.
class CoalescingStreamTest : public ::testing::Test {
 protected:
  void connect(std::size_t threshold) {
    tcp::acceptor acceptor(context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    peer_.connect(acceptor.local_endpoint());
    stream_.emplace(beast::tcp_stream(acceptor.accept()), threshold, &writes_);
  }

  // Starts a write of `text` through the stream; its completion appends its
  // error code to `results`. The stream copies `text` before returning.
  void write(const std::string& text, std::vector<beast::error_code>& results) {
    stream_->async_write_some(asio::buffer(text), [&results](beast::error_code ec, std::size_t) {
      results.push_back(ec);
    });
  }

  std::string read_exactly(std::size_t bytes) {
    std::string received(bytes, '\0');
    asio::read(peer_, asio::buffer(received));
    return received;
  }

  asio::io_context context_;
  tcp::socket peer_{context_};
  LocalCounter writes_;
  std::optional<CoalescingStream> stream_;
};

TEST_F(CoalescingStreamTest, HeldWritesLeaveInOneSocketWriteOnRelease) {
  connect(1024);
  std::vector<beast::error_code> results;
  stream_->hold();
  write("one,", results);
  write("two,", results);
  write("three", results);
  context_.run();
  context_.restart();
  // Every write completed once its bytes were copied, and none was sent.
  ASSERT_EQ(results.size(), 3U);
  for (const auto& ec : results) EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(writes_.value(), 0U);
  EXPECT_EQ(stream_->pending_bytes(), 13U);

  stream_->release();
  context_.run();
  EXPECT_EQ(writes_.value(), 1U);
  EXPECT_EQ(read_exactly(13), "one,two,three");
}

TEST_F(CoalescingStreamTest, UnheldWriteIsSentAtOnce) {
  connect(1024);
  std::vector<beast::error_code> results;
  write("alone", results);
  context_.run();
  ASSERT_EQ(results.size(), 1U);
  EXPECT_FALSE(results[0]);
  EXPECT_EQ(writes_.value(), 1U);
  EXPECT_EQ(read_exactly(5), "alone");
}

TEST_F(CoalescingStreamTest, ThresholdFlushesWhileHeld) {
  connect(8);
  std::vector<beast::error_code> results;
  stream_->hold();
  write("1234", results);
  write("56789", results);  // crosses the threshold of 8 bytes
  write("ab", results);
  context_.run();
  context_.restart();
  ASSERT_EQ(results.size(), 3U);
  EXPECT_EQ(writes_.value(), 1U);
  EXPECT_EQ(read_exactly(9), "123456789");
  EXPECT_EQ(stream_->pending_bytes(), 2U);
  stream_->release();
  context_.run();
  EXPECT_EQ(read_exactly(2), "ab");
}

TEST_F(CoalescingStreamTest, WritesAfterAFailedFlushFail) {
  connect(1024);
  std::vector<beast::error_code> results;
  stream_->next_layer().socket().shutdown(tcp::socket::shutdown_send);
  write("lost", results);
  context_.run();
  context_.restart();
  write("after", results);
  context_.run();
  ASSERT_EQ(results.size(), 2U);
  // The first write was accepted before its flush failed.
  EXPECT_FALSE(results[0]);
  EXPECT_EQ(results[1], asio::error::broken_pipe);
}

TEST_F(CoalescingStreamTest, DestroyedDuringAFlushLeavesItsHandlerSafe) {
  connect(1 << 20);
  // More than the loopback socket buffers take while the peer reads
  // nothing, so the socket write is still in progress at destruction.
  std::string large(16 << 20, 'x');
  std::vector<beast::error_code> results;
  write(large, results);
  context_.poll();
  stream_.reset();
  context_.run();
  ASSERT_EQ(results.size(), 1U);
}

// Beast's WebSocket stream on top: frames written while held come out in
// order with the close frame last, which the teardown wrote before it shut
// the socket down.
TEST(CoalescingWebSocketTest, CloseFrameFollowsHeldFrames) {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  websocket::stream<tcp::socket> client(context);
  LocalCounter writes;
  std::optional<websocket::stream<CoalescingStream>> server;
  std::vector<std::string> received;
  beast::error_code client_error;
  beast::flat_buffer buffer;
  std::function<void()> read_next = [&] {
    client.async_read(buffer, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        client_error = ec;
        return;
      }
      received.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      read_next();
    });
  };

  acceptor.async_accept([&](beast::error_code ec, tcp::socket socket) {
    ASSERT_FALSE(ec);
    server.emplace(beast::tcp_stream(std::move(socket)), 1024, &writes);
    server->async_accept([&](beast::error_code accepted) {
      ASSERT_FALSE(accepted);
      server->next_layer().hold();
      server->async_write(asio::buffer(std::string_view("first")), [&](beast::error_code first,
                                                                       std::size_t) {
        ASSERT_FALSE(first);
        server->async_write(
            asio::buffer(std::string_view("second")), [&](beast::error_code second, std::size_t) {
              ASSERT_FALSE(second);
              server->next_layer().release();
              server->async_close(websocket::close_code::going_away, [](beast::error_code) {});
            });
      });
    });
  });
  client.next_layer().async_connect(acceptor.local_endpoint(), [&](beast::error_code ec) {
    ASSERT_FALSE(ec);
    client.async_handshake("127.0.0.1", "/", [&](beast::error_code shaken) {
      ASSERT_FALSE(shaken);
      read_next();
    });
  });
  context.run();

  EXPECT_EQ(received, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(client_error, websocket::error::closed);
  EXPECT_EQ(client.reason().code, websocket::close_code::going_away);
  // The handshake response, the two held frames together, the close frame.
  EXPECT_EQ(writes.value(), 3U);
}

}  // namespace
}  // namespace parley::net
