// A subscriber that stops reading its socket: the node closes it with 1008
// once its send queue is full, the others keep receiving, and the stalled
// one resumes with afterMessageId and ends up with every message.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "client/connection.hpp"
#include "faults/fault_checks.hpp"
#include "faults/fault_scene.hpp"
#include "support/cluster.hpp"

namespace parley::faults {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace websocket = boost::beast::websocket;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr char kPassword[] = "test12345";
// The smallest send queue a node accepts, so that the stall fills it soon.
constexpr char kSendQueueBytes[] = "65536";
// The line a node logs when it closes a slow consumer.
constexpr char kEvictionLog[] = "closing with 1008";
constexpr seconds kEvictionTimeout{120};
// Sends after the eviction, which the subscriber must get through resume.
constexpr milliseconds kSendingAfterEviction{500};
// Messages per sender, 900 in all, so that the replay stays within a
// node's recent window (1000 messages per room by default). The node
// evicts the stalled client after about 350.
// NOTE: beyond the window, a node replays from PostgreSQL the rows with a
// greater id, but ids of different nodes do not follow the room's Kafka
// order. A run with 1800 messages lost one message that followed the resume
// point in room order with a lower id, and another run repeated one that
// preceded it with a greater id.
constexpr int kMessagesPerSender = 300;
// Socket options of the stalled client. A small maximum segment size keeps
// the node's kernel send buffer small (Linux sizes it from the MSS and the
// congestion window, and loopback's MSS is about 64 KiB), and a small
// receive buffer keeps the client's. So the node's own send queue fills
// after about a hundred kilobytes instead of several megabytes.
constexpr int kStalledSegmentBytes = 536;
constexpr int kStalledReceiveBytes = 4096;
constexpr int kReadTimeoutSeconds = 5;

// A WebSocket client on a plain socket with small buffers, which reads
// only when the test calls it.
class StalledClient {
 public:
  explicit StalledClient(std::uint16_t port) {
    asio::ip::tcp::socket socket(io_context_);
    socket.open(asio::ip::tcp::v4());
    int segment = kStalledSegmentBytes;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_MAXSEG, &segment, sizeof(segment));
    socket.set_option(asio::socket_base::receive_buffer_size(kStalledReceiveBytes));
    // Bounds every blocking read, so that a test cannot hang on this client.
    timeval timeout{kReadTimeoutSeconds, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    stream_ = std::make_unique<websocket::stream<asio::ip::tcp::socket>>(std::move(socket));
    stream_->handshake("127.0.0.1:" + std::to_string(port), "/");
  }

  // Sends one request and returns the next frame, which is its reply while
  // nothing else is pushed.
  json::value request(const std::string& operation, const json::value& data) {
    json::object envelope{{"cid", "0f8fad5b-d9cb-469f-a165-70867728950e"},
                          {"qualifier", "v1/syemessenger/" + operation},
                          {"data", data}};
    stream_->write(asio::buffer(json::serialize(envelope)));
    boost::beast::flat_buffer buffer;
    stream_->read(buffer);
    return json::parse(boost::beast::buffers_to_string(buffer.data()));
  }

  // Reads every frame left until the connection closes, and returns the
  // close code, or 0 when the read failed otherwise (timeout included).
  int read_until_closed(Reception& reception) {
    while (true) {
      boost::beast::flat_buffer buffer;
      boost::system::error_code ec;
      stream_->read(buffer, ec);
      if (ec == websocket::error::closed) {
        return stream_->reason().code;
      }
      if (ec) {
        std::cout << "stalled client: read failed: " << ec.message() << "\n";
        return 0;
      }
      json::value frame = json::parse(boost::beast::buffers_to_string(buffer.data()));
      const json::object& data = frame.at("data").as_object();
      reception.messages.push_back(Received{std::stoll(std::string(data.at("id").as_string())),
                                            std::string(data.at("message").as_string())});
    }
  }

 private:
  asio::io_context io_context_;
  std::unique_ptr<websocket::stream<asio::ip::tcp::socket>> stream_;
};

bool wait_for_log(testing::NodeProcess& node, const std::string& text, seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (node.log_tail(5000).find(text) != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  return false;
}

// Resumes `reception` on a new connection to `url` with afterMessageId set
// to the last id it holds, and reads pushes until it is complete or
// `timeout` passed.
void resume(const std::string& url, const std::string& name, const Ledger& ledger,
            Reception& reception, milliseconds timeout) {
  auto connection = client::Connection::open(url);
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  auto login =
      (*connection)->call("login", json::object{{"username", name}, {"password", kPassword}});
  ASSERT_TRUE(login.ok()) << login.error().message;
  MessageId after = reception.messages.empty() ? 0 : reception.messages.back().id;
  std::cout << "stalled client: resuming on " << url << " after id " << after << "\n";
  auto subscribed =
      (*connection)
          ->call("subscribe", json::object{{"roomId", std::to_string(reception.room)},
                                           {"afterMessageId", std::to_string(after)}});
  ASSERT_TRUE(subscribed.ok()) << subscribed.error().message;

  const auto deadline = Clock::now() + timeout;
  while (!ledger.is_complete(reception) && Clock::now() < deadline) {
    auto push = (*connection)->next_push(milliseconds(200));
    if (!push) {
      continue;
    }
    reception.messages.push_back(Received{std::stoll(std::string(push->at("id").as_string())),
                                          std::string(push->at("message").as_string())});
  }
}

TEST(Faults, StalledSubscriberResumes) {
  auto cluster = testing::Cluster::start();
  // The stalled client uses a fourth node with a small send queue. It
  // resumes on a node with the default queue, because the replay of what a
  // slow consumer missed is larger than the queue that it overflowed.
  // NOTE: a node queues a whole afterMessageId replay at once, so a replay
  // larger than --max-send-queue-bytes closes the resuming connection with
  // 1008 again, and that subscriber cannot catch up on any node that has
  // the same limit.
  auto small_queue_node = testing::NodeProcess::start(
      testing::Cluster::server_binary(),
      {"--database-url", cluster->database_url(), "--kafka-bootstrap-servers",
       cluster->broker().bootstrap_servers(), "--max-send-queue-bytes", kSendQueueBytes},
      cluster->log_dir() / "node-small-queue.log");
  // Large pushes fill the stalled connection's send queue with fewer
  // messages. The senders stop soon after the eviction.
  FaultScene scene(*cluster, SceneOptions{.name = "stall",
                                          .rooms = 1,
                                          .members_per_room = 3,
                                          .messages_per_member = kMessagesPerSender,
                                          .pause = milliseconds(0),
                                          .text_padding = 420});
  scene.set_up();
  const SceneRoom room = scene.rooms().at(0);

  const std::string name = "stall_subscriber_" + unique_suffix();
  {
    auto session = scene.open_session(0);
    ASSERT_TRUE(session->create_account(name, name + "@example.org", kPassword).ok());
    ASSERT_TRUE(session->login(name, kPassword).ok());
    auto joined =
        session->run([&](client::ChatSession& chat) { return chat.join_room(room.name); });
    ASSERT_TRUE(joined.ok()) << joined.error().message;
  }
  StalledClient stalled(small_queue_node->port());
  json::value login =
      stalled.request("login", json::object{{"username", name}, {"password", kPassword}});
  ASSERT_EQ(login.at("qualifier"), "v1/syemessenger/login") << json::serialize(login);
  json::value subscribed = stalled.request(
      "subscribe", json::object{{"roomId", std::to_string(room.id)}, {"afterMessageId", "0"}});
  ASSERT_EQ(subscribed.at("qualifier"), "v1/syemessenger/subscribe") << json::serialize(subscribed);

  // The stalled client reads nothing from here on.
  scene.start_sending();
  bool evicted = wait_for_log(*small_queue_node, kEvictionLog, kEvictionTimeout);
  std::this_thread::sleep_for(kSendingAfterEviction);
  scene.stop_sending();
  EXPECT_TRUE(evicted) << "the node did not close the stalled subscriber with 1008";

  // The other subscribers received everything meanwhile.
  expect_no_loss(scene, *cluster);

  Reception reception{name, room.id, {}};
  int close_code = stalled.read_until_closed(reception);
  std::cout << "stalled client: " << reception.messages.size()
            << " messages before the close with code " << close_code << "\n";
  EXPECT_EQ(close_code, 1008);
  std::size_t before_resume = reception.messages.size();
  resume(cluster->url(1), name, scene.ledger(), reception, kDeliveryTimeout);
  CheckReport report = scene.ledger().check_reception(reception);
  std::cout << "stalled client: " << reception.messages.size() - before_resume
            << " messages after the resume: " << report.summary() << "\n";
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.duplicated, 0u);
  EXPECT_EQ(report.unexpected, 0u);
  if (HasFailure()) {
    cluster->keep_logs();
    std::cout << "cluster logs kept in " << cluster->log_dir() << "\n";
  }
}

}  // namespace
}  // namespace parley::faults
