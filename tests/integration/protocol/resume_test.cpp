#include <thread>

#include <boost/json.hpp>

#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

class ResumeTest : public ProtocolTest {
 protected:
  // Sends `count` messages "<prefix><i>" through `sender` and returns their ids.
  std::vector<std::string> send_numbered(client::Connection& sender, RoomId room,
                                         const std::string& prefix, int first, int count) {
    std::vector<std::string> ids;
    for (int i = first; i < first + count; ++i) {
      auto sent = sender.call("send", json::object{{"roomId", std::to_string(room)},
                                                   {"message", prefix + std::to_string(i)}});
      EXPECT_TRUE(sent.ok()) << sent.error().message;
      if (sent.ok()) ids.emplace_back(sent->as_object().at("id").as_string());
    }
    return ids;
  }

  // Reads `count` pushes and returns their texts.
  std::vector<std::string> receive(client::Connection& connection, int count) {
    std::vector<std::string> texts;
    for (int i = 0; i < count; ++i) {
      auto push = connection.next_push(kPushTimeout);
      if (!push) break;
      texts.emplace_back(push->at("message").as_string());
    }
    return texts;
  }

  static std::vector<std::string> numbered(const std::string& prefix, int first, int count) {
    std::vector<std::string> texts;
    for (int i = first; i < first + count; ++i) texts.push_back(prefix + std::to_string(i));
    return texts;
  }

  // Subscribes `connection` to `room` after message `after`.
  static void resume(client::Connection& connection, RoomId room, const std::string& after) {
    auto subscribed = connection.call(
        "subscribe", json::object{{"roomId", std::to_string(room)}, {"afterMessageId", after}});
    ASSERT_TRUE(subscribed.ok()) << subscribed.error().message;
    EXPECT_EQ(as_id(*subscribed), room);
  }
};

TEST_F(ResumeTest, MissedMessagesThenLiveOnAnotherNode) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);
  auto sender = logged_in(owner, 0);
  auto first_connection = logged_in(member, 1);
  ASSERT_PROTOCOL_OK(first_connection->call("subscribe", json::value(room)));

  auto early = send_numbered(*sender, room, "m", 0, 3);
  ASSERT_EQ(receive(*first_connection, 3), numbered("m", 0, 3));
  first_connection.reset();  // the client goes away

  send_numbered(*sender, room, "m", 3, 7);
  auto resumed = logged_in(member, 2);
  resume(*resumed, room, early.back());
  send_numbered(*sender, room, "m", 10, 2);

  EXPECT_EQ(receive(*resumed, 9), numbered("m", 3, 9));
  EXPECT_FALSE(resumed->next_push(kSilenceWindow).has_value()) << "a message arrived twice";
}

TEST_F(ResumeTest, ResumeFromHistoryAfterNodeRestart) {
  TestAccount owner = create_account();
  TestAccount member = create_account();
  auto [room, name] = create_room(owner);
  join_room(member, name);
  auto sender = logged_in(owner, 0);
  auto ids = send_numbered(*sender, room, "h", 0, 6);
  ASSERT_EQ(ids.size(), 6u);

  // Wait until history contains all six, then restart node 2 so that its
  // recent window is empty and the replay must come from PostgreSQL.
  auto reader = logged_in(owner, 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto page = reader->call("listMessages", json::object{{"roomId", std::to_string(room)}});
    ASSERT_PROTOCOL_OK(page);
    if (as_id(page->as_object().at("totalCount")) == 6) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  cluster().restart_node(2);

  auto resumed = logged_in(member, 2);
  resume(*resumed, room, ids[1]);
  send_numbered(*sender, room, "h", 6, 2);
  EXPECT_EQ(receive(*resumed, 6), numbered("h", 2, 6));
  EXPECT_FALSE(resumed->next_push(kSilenceWindow).has_value()) << "a message arrived twice";
}

}  // namespace
}  // namespace parley::testing
