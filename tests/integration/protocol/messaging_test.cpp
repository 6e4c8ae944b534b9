#include <map>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;

class MessagingTest : public ProtocolTest {
 protected:
  // A room owned by `owner` with `members` joined, and one subscribed
  // connection per participant on node (index % cluster size).
  struct Room {
    RoomId id = 0;
    std::string name;
    std::vector<std::unique_ptr<client::Connection>> subscribers;
  };

  Room subscribed_room(const TestAccount& owner, const std::vector<TestAccount>& members) {
    Room room;
    std::tie(room.id, room.name) = create_room(owner);
    for (const auto& member : members) join_room(member, room.name);
    std::vector<const TestAccount*> participants{&owner};
    for (const auto& member : members) participants.push_back(&member);
    for (std::size_t i = 0; i < participants.size(); ++i) {
      auto connection = logged_in(*participants[i], i % cluster().size());
      auto subscribed = connection->call("subscribe", json::value(std::to_string(room.id)));
      EXPECT_TRUE(subscribed.ok()) << subscribed.error().message;
      room.subscribers.push_back(std::move(connection));
    }
    return room;
  }

  // Waits until history contains `count` messages of `room`, reading pages of
  // 50, and returns them in id order.
  std::vector<json::object> wait_for_history(client::Connection& connection, RoomId room,
                                             std::size_t count) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::vector<json::object> messages;
    while (std::chrono::steady_clock::now() < deadline) {
      messages.clear();
      for (std::size_t offset = 0;; offset += 50) {
        auto page = connection.call(
            "listMessages",
            json::object{{"roomId", std::to_string(room)}, {"offset", offset}, {"limit", 50}});
        if (!page.ok()) {
          ADD_FAILURE() << page.error().message;
          return messages;
        }
        const auto& items = page->as_object().at("messages").as_array();
        for (const auto& item : items) messages.push_back(item.as_object());
        if (items.size() < 50) break;
      }
      if (messages.size() >= count) return messages;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return messages;
  }
};

TEST_F(MessagingTest, SubscribeChecks) {
  TestAccount owner = create_account();
  TestAccount outsider = create_account();
  auto [room, name] = create_room(owner);
  auto connection = logged_in(outsider, 1);
  EXPECT_PROTOCOL_ERROR(connection->call("subscribe", nullptr), 400, "Missing or invalid: roomId");
  EXPECT_PROTOCOL_ERROR(connection->call("subscribe", json::value("9223372036854775807")), 404,
                        "Room not found");
  EXPECT_PROTOCOL_ERROR(connection->call("subscribe", json::value(std::to_string(room))), 403,
                        "Cannot subscribe: not a member");
  auto owner_connection = logged_in(owner);
  auto first = owner_connection->call("subscribe", json::value(std::to_string(room)));
  ASSERT_PROTOCOL_OK(first);
  EXPECT_EQ(as_id(*first), room);
  auto again = owner_connection->call("subscribe", json::value(room));
  ASSERT_PROTOCOL_OK(again);
  EXPECT_EQ(as_id(*again), room);
}

TEST_F(MessagingTest, UnsubscribeChecks) {
  TestAccount owner = create_account();
  auto [room, name] = create_room(owner);
  auto connection = logged_in(owner);
  EXPECT_PROTOCOL_ERROR(connection->call("unsubscribe"), 400, "Not subscribed");
  ASSERT_PROTOCOL_OK(connection->call("subscribe", json::value(room)));
  auto unsubscribed = connection->call("unsubscribe");
  ASSERT_PROTOCOL_OK(unsubscribed);
  EXPECT_EQ(as_id(*unsubscribed), room);
  EXPECT_PROTOCOL_ERROR(connection->call("unsubscribe"), 400, "Not subscribed");
}

TEST_F(MessagingTest, SendChecks) {
  TestAccount owner = create_account();
  auto [room, name] = create_room(owner);
  auto connection = logged_in(owner);
  EXPECT_PROTOCOL_ERROR(connection->call("send", json::value("hello")), 400, "Not subscribed");
  EXPECT_PROTOCOL_ERROR(connection->call("send", nullptr), 400, "Missing or invalid: messageText");
  EXPECT_PROTOCOL_ERROR(connection->call("send", json::value(std::string(501, 'x'))), 400,
                        "Missing or invalid: messageText");
  TestAccount outsider = create_account();
  auto outsider_connection = logged_in(outsider);
  EXPECT_PROTOCOL_ERROR(
      outsider_connection->call("send", json::object{{"roomId", room}, {"message", "hi"}}), 403,
      "Cannot send message: not a member");
}

TEST_F(MessagingTest, MessageReachesEveryNodeOnce) {
  TestAccount owner = create_account();
  std::vector<TestAccount> members = {create_account(), create_account()};
  Room room = subscribed_room(owner, members);

  auto sent = room.subscribers[0]->call("send", json::value("Test message"));
  ASSERT_PROTOCOL_OK(sent);
  EXPECT_EQ(as_id(*sent), room.id);

  for (std::size_t i = 0; i < room.subscribers.size(); ++i) {
    SCOPED_TRACE("subscriber " + std::to_string(i));
    auto push = room.subscribers[i]->next_push(kPushTimeout);
    ASSERT_TRUE(push.has_value());
    EXPECT_EQ(push->at("message").as_string(), "Test message");
    EXPECT_EQ(as_id(push->at("senderId")), owner.id);
    EXPECT_EQ(as_id(push->at("roomId")), room.id);
    EXPECT_TRUE(push->contains("id"));
    EXPECT_TRUE(push->contains("timestamp"));
    EXPECT_FALSE(room.subscribers[i]->next_push(kSilenceWindow).has_value())
        << "the message arrived twice";
  }
}

TEST_F(MessagingTest, LongAndAstralMessagesAreSendable) {
  TestAccount owner = create_account();
  Room room = subscribed_room(owner, {});
  // 500 ASCII characters: over the reference's 476-byte record buffer.
  std::string ascii(500, 'a');
  // 250 characters outside the BMP: 500 UTF-16 units, 1000 UTF-8 bytes.
  std::string astral;
  for (int i = 0; i < 250; ++i) astral += "\xF0\x9F\x98\x80";
  for (const std::string& text : {ascii, astral}) {
    ASSERT_PROTOCOL_OK(room.subscribers[0]->call("send", json::value(text)));
    auto push = room.subscribers[0]->next_push(kPushTimeout);
    ASSERT_TRUE(push.has_value());
    EXPECT_EQ(push->at("message").as_string(), text);
  }
  std::string too_long = astral + "a";
  EXPECT_PROTOCOL_ERROR(room.subscribers[0]->call("send", json::value(too_long)), 400,
                        "Missing or invalid: messageText");
}

TEST_F(MessagingTest, ConcurrentSendersSeeSameOrder) {
  TestAccount owner = create_account();
  std::vector<TestAccount> members = {create_account(), create_account(), create_account(),
                                      create_account(), create_account()};
  Room room = subscribed_room(owner, members);

  constexpr int kSenders = 4;
  constexpr int kPerSender = 50;
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      auto connection = logged_in(members[static_cast<std::size_t>(s)],
                                  static_cast<std::size_t>(s) % cluster().size());
      for (int i = 0; i < kPerSender; ++i) {
        auto sent = connection->call(
            "send",
            json::object{{"roomId", room.id},
                         {"message", "sender" + std::to_string(s) + "-" + std::to_string(i)}});
        EXPECT_TRUE(sent.ok()) << sent.error().message;
      }
    });
  }
  for (auto& sender : senders) sender.join();

  std::vector<std::string> reference_order;
  for (std::size_t i = 0; i < room.subscribers.size(); ++i) {
    SCOPED_TRACE("subscriber " + std::to_string(i));
    std::vector<std::string> received;
    std::map<int, int> next_per_sender;
    while (received.size() < kSenders * kPerSender) {
      auto push = room.subscribers[i]->next_push(kPushTimeout);
      ASSERT_TRUE(push.has_value()) << "received only " << received.size();
      std::string text(push->at("message").as_string());
      // Each sender's own messages keep their order.
      int sender = text[6] - '0';
      int index = std::stoi(text.substr(8));
      EXPECT_EQ(index, next_per_sender[sender]++) << text;
      received.push_back(text);
    }
    EXPECT_FALSE(room.subscribers[i]->next_push(kSilenceWindow).has_value());
    if (reference_order.empty()) {
      reference_order = received;
    } else {
      EXPECT_EQ(received, reference_order);
    }
  }
}

TEST_F(MessagingTest, HistoryMatchesPushes) {
  TestAccount owner = create_account();
  std::vector<TestAccount> members = {create_account()};
  Room room = subscribed_room(owner, members);
  constexpr int kMessages = 30;
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_PROTOCOL_OK(room.subscribers[i % 2]->call("send", json::value("m" + std::to_string(i))));
  }
  std::vector<json::object> pushes;
  for (int i = 0; i < kMessages; ++i) {
    auto push = room.subscribers[1]->next_push(kPushTimeout);
    ASSERT_TRUE(push.has_value());
    pushes.push_back(*push);
  }
  for (std::size_t node = 0; node < cluster().size(); ++node) {
    SCOPED_TRACE("node " + std::to_string(node));
    auto reader = logged_in(owner, node);
    auto history = wait_for_history(*reader, room.id, kMessages);
    ASSERT_EQ(history.size(), static_cast<std::size_t>(kMessages));
    std::set<std::int64_t> ids;
    for (std::size_t i = 0; i < history.size(); ++i) {
      EXPECT_TRUE(ids.insert(as_id(history[i].at("id"))).second) << "duplicate history row";
      EXPECT_EQ(history[i].at("id"), pushes[i].at("id"));
      EXPECT_EQ(history[i].at("timestamp"), pushes[i].at("timestamp"));
      EXPECT_EQ(history[i].at("message"), pushes[i].at("message"));
      EXPECT_EQ(history[i].at("senderId"), pushes[i].at("senderId"));
    }
  }
}

TEST_F(MessagingTest, RepeatedClientMessageIdCreatesOneMessage) {
  TestAccount owner = create_account();
  std::vector<TestAccount> members = {create_account()};
  Room room = subscribed_room(owner, members);
  const std::string client_id = "retry-" + unique_name(12);
  json::object request{{"roomId", std::to_string(room.id)},
                       {"message", "sent once"},
                       {"clientMessageId", client_id}};

  auto first = room.subscribers[0]->call("send", request);
  ASSERT_PROTOCOL_OK(first);
  // Retries on the same connection and on another node.
  auto again = room.subscribers[0]->call("send", request);
  ASSERT_PROTOCOL_OK(again);
  auto elsewhere = logged_in(owner, 2)->call("send", request);
  ASSERT_PROTOCOL_OK(elsewhere);
  for (const auto* retry : {&again, &elsewhere}) {
    EXPECT_EQ(retry->value().at("id"), first->at("id"));
    EXPECT_EQ(retry->value().at("timestamp"), first->at("timestamp"));
    EXPECT_EQ(as_id(retry->value().at("roomId")), room.id);
  }

  for (auto& subscriber : room.subscribers) {
    auto push = subscriber->next_push(kPushTimeout);
    ASSERT_TRUE(push.has_value());
    EXPECT_EQ(push->at("id"), first->at("id"));
    EXPECT_FALSE(subscriber->next_push(kSilenceWindow).has_value()) << "pushed twice";
  }
  auto history = wait_for_history(*room.subscribers[1], room.id, 1);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].at("id"), first->at("id"));

  // The same clientMessageId in another room is a client error.
  auto [other_room, other_name] = create_room(owner);
  json::object misuse = request;
  misuse["roomId"] = std::to_string(other_room);
  EXPECT_PROTOCOL_ERROR(room.subscribers[0]->call("send", misuse), 400,
                        "Missing or invalid: clientMessageId");
}

TEST_F(MessagingTest, ListMessagesChecks) {
  TestAccount owner = create_account();
  TestAccount outsider = create_account();
  auto [room, name] = create_room(owner);
  auto connection = logged_in(outsider);
  const std::string max = "9223372036854775807";
  struct Case {
    json::value data;
    int code;
    const char* message;
  };
  const std::vector<Case> cases = {
      {json::object{}, 400, "Missing or invalid: roomId"},
      {json::object{{"roomId", max}}, 404, "Room not found"},
      {json::object{{"roomId", max}, {"offset", -50}}, 400, "Missing or invalid: offset"},
      {json::object{{"roomId", max}, {"limit", -50}}, 400, "Missing or invalid: limit"},
      {json::object{{"roomId", max}, {"limit", 60}}, 400, "Missing or invalid: limit"},
      {json::object{{"roomId", max}, {"limit", 0}}, 400, "Missing or invalid: limit"},
      {json::object{{"roomId", max}, {"keyword", std::string(65, 'k')}}, 400,
       "Missing or invalid: keyword"},
      {json::object{{"roomId", max}, {"keyword", "ab"}}, 400, "Missing or invalid: keyword"},
      {json::object{{"roomId", std::to_string(room)}}, 403, "Not a room member"},
      // An unknown zone is rejected after the room checks, as in the
      // reference server.
      {json::object{{"roomId", max}, {"timezone", "Nowhere/City"}}, 404, "Room not found"},
      {json::object{{"roomId", std::to_string(room)}, {"timezone", "Nowhere/City"}}, 403,
       "Not a room member"},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(json::serialize(test.data));
    EXPECT_PROTOCOL_ERROR(connection->call("listMessages", test.data), test.code, test.message);
  }
}

TEST_F(MessagingTest, ListMessagesOnlyOwnRoom) {
  TestAccount owner = create_account();
  Room first = subscribed_room(owner, {});
  Room second = subscribed_room(owner, {});
  ASSERT_PROTOCOL_OK(first.subscribers[0]->call("send", json::value("in first")));
  ASSERT_PROTOCOL_OK(second.subscribers[0]->call("send", json::value("in second")));
  // Once the second room's message is stored, a leak would show it here.
  ASSERT_EQ(wait_for_history(*second.subscribers[0], second.id, 1).size(), 1u);
  auto history = wait_for_history(*first.subscribers[0], first.id, 1);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].at("message").as_string(), "in first");
}

}  // namespace
}  // namespace parley::testing
