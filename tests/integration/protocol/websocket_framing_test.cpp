// The node's own WebSocket framing, driven byte by byte from a plain TCP
// socket: the handshake, fragments, control frames and the close handshake
// of RFC 6455, which a well-behaved client library never exercises.
#include <optional>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <sys/socket.h>
#include <sys/time.h>

#include "integration/protocol/protocol_fixture.hpp"
#include "websocket/close.hpp"
#include "websocket/frames.hpp"

namespace parley::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using websocket::Opcode;

constexpr std::uint32_t kMaskKey = 0x5A3C96E1;
// A request that gets the 401 error reply without a login.
constexpr const char* kGetRoom = R"({"qualifier":"v1/syemessenger/getRoom","data":"1"})";

struct ReceivedFrame {
  Opcode opcode = Opcode::kText;
  std::string payload;
};

// A WebSocket client written out by hand on a blocking socket, whose reads
// give up after 5 s.
class RawClient {
 public:
  explicit RawClient(const std::string& url) : socket_(context_) {
    const std::string host_port = url.substr(std::string("ws://").size());
    const std::size_t colon = host_port.find(':');
    port_ = host_port.substr(colon + 1, host_port.find('/', colon) - colon - 1);
    tcp::resolver resolver(context_);
    asio::connect(socket_, resolver.resolve("127.0.0.1", port_));
    timeval timeout{5, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  // The upgrade request with `version` and `key`, followed by `extra`.
  void send_upgrade(const std::string& version = "13",
                    const std::string& key = "dGhlIHNhbXBsZSBub25jZQ==",
                    const std::string& extra = "") {
    write("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port_ +
          "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: " + version +
          "\r\nSec-WebSocket-Key: " + key + "\r\n\r\n" + extra);
  }

  // The response head, up to and including the blank line.
  std::string read_response_head() {
    boost::system::error_code ec;
    const std::size_t end = asio::read_until(socket_, asio::dynamic_buffer(input_), "\r\n\r\n", ec);
    if (ec) return "read failed: " + ec.message();
    std::string head = input_.substr(0, end);
    input_.erase(0, end);
    return head;
  }

  void upgrade() {
    send_upgrade();
    const std::string head = read_response_head();
    ASSERT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
  }

  static std::string frame(Opcode opcode, std::string_view payload, bool fin = true) {
    std::string out;
    websocket::append_client_frame(out, opcode, payload, kMaskKey);
    if (!fin) out[0] = static_cast<char>(out[0] & 0x7F);
    return out;
  }

  void write(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  void shut_down_sending() { socket_.shutdown(tcp::socket::shutdown_send); }

  // The next frame from the node, or nothing once the node closed the
  // connection or 5 s passed.
  std::optional<ReceivedFrame> read_frame() {
    for (;;) {
      const websocket::FrameResult parsed =
          websocket::parse_frame(input_, websocket::Sender::kServer, 1 << 20);
      if (parsed.status == websocket::ParseStatus::kInvalid) {
        ADD_FAILURE() << "invalid frame from the node: " << parsed.error;
        return std::nullopt;
      }
      if (parsed.status == websocket::ParseStatus::kFrame) {
        ReceivedFrame received{parsed.frame.header.opcode, std::string(parsed.frame.payload)};
        input_.erase(0, parsed.consumed);
        return received;
      }
      char buffer[4096];
      boost::system::error_code ec;
      const std::size_t bytes = socket_.read_some(asio::buffer(buffer), ec);
      if (ec) return std::nullopt;
      input_.append(buffer, bytes);
    }
  }

  // The status code of the close frame that the node sends next, skipping
  // data frames before it.
  std::optional<int> read_close_code() {
    while (auto received = read_frame()) {
      if (received->opcode != Opcode::kClose) continue;
      if (received->payload.size() < 2) return 1005;
      return (static_cast<unsigned char>(received->payload[0]) << 8) |
             static_cast<unsigned char>(received->payload[1]);
    }
    return std::nullopt;
  }

  // True when the node closes the TCP connection in order (FIN, not reset)
  // and sent nothing more before it.
  bool closed_by_node() {
    char buffer[256];
    boost::system::error_code ec;
    const std::size_t bytes = socket_.read_some(asio::buffer(buffer), ec);
    return bytes == 0 && ec == asio::error::eof;
  }

 private:
  asio::io_context context_;
  tcp::socket socket_;
  std::string port_;
  std::string input_;
};

std::string error_code_of(const ReceivedFrame& reply) {
  const boost::json::object object = boost::json::parse(reply.payload).as_object();
  return std::string(object.at("data").at("errorCode").as_string());
}

class WebSocketFramingTest : public ProtocolTest {
 protected:
  RawClient client() { return RawClient(cluster().url(0)); }
};

TEST_F(WebSocketFramingTest, PingGetsPongWithItsPayload) {
  RawClient raw = client();
  raw.upgrade();
  raw.write(RawClient::frame(Opcode::kPing, "are you there"));
  const auto pong = raw.read_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, Opcode::kPong);
  EXPECT_EQ(pong->payload, "are you there");
}

TEST_F(WebSocketFramingTest, FragmentedRequestIsReassembledAroundAPing) {
  RawClient raw = client();
  raw.upgrade();
  const std::string request = kGetRoom;
  raw.write(RawClient::frame(Opcode::kText, request.substr(0, 10), false) +
            RawClient::frame(Opcode::kContinuation, request.substr(10, 20), false) +
            RawClient::frame(Opcode::kPing, "between") +
            RawClient::frame(Opcode::kContinuation, request.substr(30)));
  const auto pong = raw.read_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, Opcode::kPong);
  const auto reply = raw.read_frame();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->opcode, Opcode::kText);
  EXPECT_EQ(error_code_of(*reply), "401");
}

TEST_F(WebSocketFramingTest, PipelinedRequestsAreAnsweredInOrder) {
  RawClient raw = client();
  raw.upgrade();
  raw.write(RawClient::frame(Opcode::kText, kGetRoom) + RawClient::frame(Opcode::kText, "{") +
            RawClient::frame(Opcode::kText, kGetRoom));
  for (const char* expected : {"401", "400", "401"}) {
    const auto reply = raw.read_frame();
    ASSERT_TRUE(reply) << "no reply " << expected;
    EXPECT_EQ(error_code_of(*reply), expected);
  }
}

TEST_F(WebSocketFramingTest, FrameSentWithTheUpgradeRequestIsRead) {
  RawClient raw = client();
  raw.send_upgrade("13", "dGhlIHNhbXBsZSBub25jZQ==", RawClient::frame(Opcode::kText, kGetRoom));
  const std::string head = raw.read_response_head();
  EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos)
      << head;
  const auto reply = raw.read_frame();
  ASSERT_TRUE(reply);
  EXPECT_EQ(error_code_of(*reply), "401");
}

TEST_F(WebSocketFramingTest, ClientCloseIsEchoedAndTheNodeCloses) {
  RawClient raw = client();
  raw.upgrade();
  raw.write(RawClient::frame(Opcode::kClose,
                             websocket::close_payload(websocket::CloseCode::kGoingAway, "bye")));
  EXPECT_EQ(raw.read_close_code(), 1001);
  EXPECT_TRUE(raw.closed_by_node());
}

TEST_F(WebSocketFramingTest, ProtocolViolationsCloseWith1002) {
  struct Case {
    const char* name;
    std::string bytes;
  };
  const std::string unmasked_text = std::string("\x81\x02{}", 4);
  const Case cases[] = {
      {"unmasked frame", unmasked_text},
      {"continuation without a message", RawClient::frame(Opcode::kContinuation, "x")},
      {"continuation over the size limit without a message",
       RawClient::frame(Opcode::kContinuation, std::string(70 * 1024, ' '))},
      {"new message inside a message",
       RawClient::frame(Opcode::kText, "{", false) + RawClient::frame(Opcode::kText, "}")},
      {"reserved close code", RawClient::frame(Opcode::kClose, std::string("\x03\xED", 2))},
  };
  for (const Case& item : cases) {
    SCOPED_TRACE(item.name);
    RawClient raw = client();
    raw.upgrade();
    raw.write(item.bytes);
    EXPECT_EQ(raw.read_close_code(), 1002);
    EXPECT_TRUE(raw.closed_by_node());
  }
  // The node still serves.
  RawClient raw = client();
  raw.upgrade();
  raw.write(RawClient::frame(Opcode::kText, kGetRoom));
  const auto reply = raw.read_frame();
  ASSERT_TRUE(reply);
  EXPECT_EQ(error_code_of(*reply), "401");
}

TEST_F(WebSocketFramingTest, MessageOverTheLimitInFragmentsClosesWith1009) {
  RawClient raw = client();
  raw.upgrade();
  // Each fragment is under the node's 64 KiB limit; together they are not.
  const std::string half(40 * 1024, ' ');
  raw.write(RawClient::frame(Opcode::kText, half, false) +
            RawClient::frame(Opcode::kContinuation, half));
  EXPECT_EQ(raw.read_close_code(), 1009);
  raw.write(RawClient::frame(Opcode::kClose, ""));
  EXPECT_TRUE(raw.closed_by_node());
}

TEST_F(WebSocketFramingTest, HalfClosedClientGetsCloseFrame) {
  RawClient raw = client();
  raw.upgrade();
  // The node reads the message and the FIN in one turn, after it queued
  // its close frame.
  raw.write(RawClient::frame(Opcode::kText, std::string(70 * 1024, ' ')));
  raw.shut_down_sending();
  EXPECT_EQ(raw.read_close_code(), 1009);
  EXPECT_TRUE(raw.closed_by_node());
}

TEST_F(WebSocketFramingTest, PingsWithoutReadingCloseAsSlowConsumer) {
  RawClient raw = client();
  raw.upgrade();
  // More pong bytes than the default send-queue limit of 4 MiB and the
  // socket buffers can hold while this client reads nothing.
  const std::string ping = RawClient::frame(Opcode::kPing, std::string(125, 'p'));
  std::string pings;
  for (int i = 0; i < 8192; ++i) pings += ping;
  for (int round = 0; round < 16; ++round) raw.write(pings);
  EXPECT_EQ(raw.read_close_code(), 1008);
}

TEST_F(WebSocketFramingTest, UpgradeWithAnotherVersionGets426) {
  RawClient raw = client();
  raw.send_upgrade("8");
  const std::string head = raw.read_response_head();
  EXPECT_EQ(head.rfind("HTTP/1.1 426 ", 0), 0u) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos) << head;
}

TEST_F(WebSocketFramingTest, UpgradeWithABadKeyGets400) {
  RawClient raw = client();
  raw.send_upgrade("13", "not-a-key");
  const std::string head = raw.read_response_head();
  EXPECT_EQ(head.rfind("HTTP/1.1 400 ", 0), 0u) << head;
}

}  // namespace
}  // namespace parley::testing
