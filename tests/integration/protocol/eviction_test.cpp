#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "common/types.hpp"
#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {
namespace {
namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

json::value id_value(std::int64_t id) { return json::value(std::to_string(id)); }

json::object members_request(RoomId room, AccountId member) {
  return json::object{{"roomId", std::to_string(room)},
                      {"memberIds", json::array{id_value(member)}}};
}

// Leave, remove and block end live subscriptions on every node through
// Kafka, so these tests subscribe on other nodes than the one that changes
// the membership.
class EvictionTest : public ProtocolTest {
 protected:
  static constexpr auto kPollInterval = milliseconds(5);
  static constexpr auto kEvictionTimeout = std::chrono::seconds(10);

  std::size_t node(std::size_t index) { return index % cluster().size(); }

  std::unique_ptr<client::Connection> subscribed(const TestAccount& account, RoomId room,
                                                 std::size_t node_index) {
    auto connection = logged_in(account, node_index);
    if (!connection) return connection;
    auto reply = connection->call("subscribe", id_value(room));
    EXPECT_TRUE(reply.ok()) << "subscribe to " << room << ": " << reply.error().message;
    return connection;
  }

  // Expects the next push on `connection` to be `text` in `room`.
  void expect_push(client::Connection& connection, const std::string& text, RoomId room) {
    auto push = connection.next_push(kPushTimeout);
    ASSERT_TRUE(push.has_value()) << "no push of \"" << text << "\"";
    EXPECT_EQ(push->at("message").as_string(), text);
    EXPECT_EQ(as_id(push->at("roomId")), room);
  }

  // Polls each connection until it is no longer subscribed, every 5 ms for
  // at most 10 s, and returns the time from `start` until the last one was.
  // The probe is a string-form send, which returns 400 "Not subscribed" once the
  // subscription ended, and it cannot post because the membership is already
  // gone. Probing with unsubscribe would end a subscription that eviction
  // missed and so hide the bug.
  std::optional<milliseconds> wait_until_evicted(
      const std::vector<client::Connection*>& connections, steady_clock::time_point start) {
    std::vector<bool> evicted(connections.size(), false);
    std::size_t remaining = connections.size();
    const auto deadline = start + kEvictionTimeout;
    while (remaining > 0 && steady_clock::now() < deadline) {
      for (std::size_t i = 0; i < connections.size(); ++i) {
        if (evicted[i]) continue;
        auto probe = connections[i]->call("send", json::value("probe after eviction"));
        if (probe.ok()) {
          ADD_FAILURE() << "connection " << i << " could still send to the room";
          return std::nullopt;
        }
        if (probe.error().code == 400 && probe.error().message == "Not subscribed") {
          evicted[i] = true;
          --remaining;
        }
      }
      if (remaining > 0) std::this_thread::sleep_for(kPollInterval);
    }
    for (std::size_t i = 0; i < connections.size(); ++i) {
      EXPECT_TRUE(evicted[i]) << "connection " << i << " still subscribed after 10 s";
    }
    if (remaining > 0) return std::nullopt;
    return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  }

  // Waits for the eviction of `connections`, confirms it with unsubscribe,
  // and records the delay as the test property eviction_delay_ms.
  void expect_evicted(const std::vector<client::Connection*>& connections,
                      steady_clock::time_point start, const char* change) {
    auto delay = wait_until_evicted(connections, start);
    ASSERT_TRUE(delay.has_value());
    for (auto* connection : connections) {
      EXPECT_PROTOCOL_ERROR(connection->call("unsubscribe"), 400, "Not subscribed");
    }
    RecordProperty("eviction_delay_ms", static_cast<int>(delay->count()));
    std::cout << "eviction delay after " << change << ": " << delay->count() << " ms for "
              << connections.size() << " connections\n";
  }

  // Expects that none of `connections` receives a push. The first waits the
  // whole silence window and the others only briefly, because by then the
  // window has passed for them too.
  void expect_no_push(const std::vector<client::Connection*>& connections) {
    for (std::size_t i = 0; i < connections.size(); ++i) {
      auto wait = i == 0 ? milliseconds(kSilenceWindow) : milliseconds(100);
      auto push = connections[i]->next_push(wait);
      EXPECT_FALSE(push.has_value())
          << "connection " << i << " received " << json::serialize(*push);
    }
  }

  // A room whose member `evicted` has two subscribed connections on two
  // other nodes than the owner's, and a third connection subscribed to
  // another room. `witness` is a member who stays subscribed.
  struct Scene {
    TestAccount owner, evicted, witness;
    RoomId room = 0;
    std::string name;
    RoomId other_room = 0;
    std::unique_ptr<client::Connection> owner_connection;    // node 0, room
    std::unique_ptr<client::Connection> evicted_first;       // node 1, room
    std::unique_ptr<client::Connection> evicted_second;      // node 2, room
    std::unique_ptr<client::Connection> evicted_elsewhere;   // node 1, other_room
    std::unique_ptr<client::Connection> witness_connection;  // node 2, room
  };

  void make_scene(Scene& scene) {
    scene.owner = create_account(node(0));
    scene.evicted = create_account(node(1));
    scene.witness = create_account(node(2));
    std::tie(scene.room, scene.name) = create_room(scene.owner, node(0));
    auto [other_room, other_name] = create_room(scene.witness, node(2));
    scene.other_room = other_room;
    join_room(scene.evicted, scene.name, node(1));
    join_room(scene.witness, scene.name, node(2));
    join_room(scene.evicted, other_name, node(1));

    scene.owner_connection = subscribed(scene.owner, scene.room, node(0));
    scene.evicted_first = subscribed(scene.evicted, scene.room, node(1));
    scene.evicted_second = subscribed(scene.evicted, scene.room, node(2));
    scene.evicted_elsewhere = subscribed(scene.evicted, scene.other_room, node(1));
    scene.witness_connection = subscribed(scene.witness, scene.room, node(2));
    ASSERT_FALSE(::testing::Test::HasFailure());

    // Every subscription works before the change, so a missing push later
    // means that the subscription ended.
    ASSERT_PROTOCOL_OK(scene.witness_connection->call("send", json::value("before")));
    for (auto* connection : {scene.owner_connection.get(), scene.evicted_first.get(),
                             scene.evicted_second.get(), scene.witness_connection.get()}) {
      expect_push(*connection, "before", scene.room);
    }
    ASSERT_PROTOCOL_OK(scene.witness_connection->call(
        "send", json::object{{"roomId", scene.other_room}, {"message", "elsewhere before"}}));
    expect_push(*scene.evicted_elsewhere, "elsewhere before", scene.other_room);
  }

  // Checks that after the eviction the room's messages reach the others but
  // not the evicted connections, and that the subscription to the other room
  // still works.
  void expect_only_evicted_cut_off(Scene& scene) {
    ASSERT_PROTOCOL_OK(scene.witness_connection->call("send", json::value("after")));
    expect_push(*scene.witness_connection, "after", scene.room);
    expect_push(*scene.owner_connection, "after", scene.room);
    expect_no_push({scene.evicted_first.get(), scene.evicted_second.get()});
    expect_elsewhere_kept(scene);
  }

  void expect_elsewhere_kept(Scene& scene) {
    ASSERT_PROTOCOL_OK(scene.witness_connection->call(
        "send", json::object{{"roomId", scene.other_room}, {"message", "elsewhere after"}}));
    expect_push(*scene.evicted_elsewhere, "elsewhere after", scene.other_room);
    auto unsubscribed = scene.evicted_elsewhere->call("unsubscribe");
    ASSERT_PROTOCOL_OK(unsubscribed);
    EXPECT_EQ(as_id(*unsubscribed), scene.other_room);
  }
};

TEST_F(EvictionTest, RemoveEndsSubscriptionsOnEveryNode) {
  Scene scene;
  make_scene(scene);
  ASSERT_FALSE(HasFatalFailure());

  auto removed = scene.owner_connection->call("removeRoomMembers",
                                              members_request(scene.room, scene.evicted.id));
  ASSERT_PROTOCOL_OK(removed);
  const auto start = steady_clock::now();
  EXPECT_EQ(as_id(*removed), scene.room);

  expect_evicted({scene.evicted_first.get(), scene.evicted_second.get()}, start, "remove");
  expect_only_evicted_cut_off(scene);
  EXPECT_PROTOCOL_ERROR(
      scene.evicted_first->call("send", json::object{{"roomId", scene.room}, {"message", "hi"}}),
      403, "Cannot send message: not a member");
}

TEST_F(EvictionTest, BlockEndsSubscriptionsOnEveryNode) {
  Scene scene;
  make_scene(scene);
  ASSERT_FALSE(HasFatalFailure());

  auto blocked = scene.owner_connection->call("blockRoomMembers",
                                              members_request(scene.room, scene.evicted.id));
  ASSERT_PROTOCOL_OK(blocked);
  const auto start = steady_clock::now();
  EXPECT_EQ(as_id(*blocked), scene.room);

  expect_evicted({scene.evicted_first.get(), scene.evicted_second.get()}, start, "block");
  expect_only_evicted_cut_off(scene);
  EXPECT_PROTOCOL_ERROR(
      scene.evicted_second->call("send", json::object{{"roomId", scene.room}, {"message", "hi"}}),
      403, "Cannot send message: not a member");
  EXPECT_PROTOCOL_ERROR(scene.evicted_second->call("subscribe", id_value(scene.room)), 403,
                        "Cannot subscribe: blocked");
}

TEST_F(EvictionTest, MemberLeaveEndsSubscriptionsOnEveryNode) {
  Scene scene;
  make_scene(scene);
  ASSERT_FALSE(HasFatalFailure());

  // The member leaves from a third connection, on the owner's node.
  auto leaving = logged_in(scene.evicted, node(0));
  auto left = leaving->call("leaveRoom", id_value(scene.room));
  ASSERT_PROTOCOL_OK(left);
  const auto start = steady_clock::now();
  EXPECT_EQ(as_id(*left), scene.room);

  expect_evicted({scene.evicted_first.get(), scene.evicted_second.get()}, start, "leave");
  expect_only_evicted_cut_off(scene);
  EXPECT_PROTOCOL_ERROR(
      scene.evicted_first->call("send", json::object{{"roomId", scene.room}, {"message", "hi"}}),
      403, "Cannot send message: not a member");
}

TEST_F(EvictionTest, OwnerLeaveEndsEverySubscription) {
  Scene scene;
  make_scene(scene);
  ASSERT_FALSE(HasFatalFailure());

  auto left = scene.owner_connection->call("leaveRoom", id_value(scene.room));
  ASSERT_PROTOCOL_OK(left);
  const auto start = steady_clock::now();
  EXPECT_EQ(as_id(*left), scene.room);

  expect_evicted({scene.owner_connection.get(), scene.evicted_first.get(),
                  scene.evicted_second.get(), scene.witness_connection.get()},
                 start, "owner leave");
  EXPECT_PROTOCOL_ERROR(scene.witness_connection->call("getRoom", id_value(scene.room)), 404,
                        "Room not found");
  auto late = scene.witness_connection->call(
      "send", json::object{{"roomId", scene.room}, {"message", "after the room is gone"}});
  EXPECT_FALSE(late.ok()) << "a message was accepted for a deleted room";
  expect_no_push({scene.owner_connection.get(), scene.evicted_first.get(),
                  scene.evicted_second.get(), scene.witness_connection.get()});
  expect_elsewhere_kept(scene);
}

TEST_F(EvictionTest, SecondSubscribeMovesSubscription) {
  TestAccount owner = create_account();
  TestAccount reader = create_account();
  auto [first_room, first_name] = create_room(owner);
  auto [second_room, second_name] = create_room(owner);
  join_room(reader, first_name);
  join_room(reader, second_name);

  auto connection = subscribed(reader, first_room, node(1));
  auto moved = connection->call("subscribe", id_value(second_room));
  ASSERT_PROTOCOL_OK(moved);
  EXPECT_EQ(as_id(*moved), second_room);
  auto first_witness = subscribed(owner, first_room, node(2));
  ASSERT_FALSE(HasFailure());

  // The first room's message is sent first, so it would be the first push
  // if the old subscription had stayed.
  auto sender = logged_in(owner, node(0));
  ASSERT_PROTOCOL_OK(
      sender->call("send", json::object{{"roomId", first_room}, {"message", "to the first"}}));
  ASSERT_PROTOCOL_OK(
      sender->call("send", json::object{{"roomId", second_room}, {"message", "to the second"}}));
  expect_push(*first_witness, "to the first", first_room);
  expect_push(*connection, "to the second", second_room);
  expect_no_push({connection.get()});

  auto unsubscribed = connection->call("unsubscribe");
  ASSERT_PROTOCOL_OK(unsubscribed);
  EXPECT_EQ(as_id(*unsubscribed), second_room);
  EXPECT_PROTOCOL_ERROR(connection->call("unsubscribe"), 400, "Not subscribed");
}

}  // namespace
}  // namespace parley::testing
