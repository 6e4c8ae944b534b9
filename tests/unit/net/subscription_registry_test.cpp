#include "net/subscription_registry.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace parley::net {
namespace {

class FakeSubscriber : public Subscriber {
 public:
  explicit FakeSubscriber(std::optional<AccountId> account) : account_(account) {}
  std::optional<AccountId> subscriber_account() const override { return account_; }
  void deliver(const SharedFrame& frame) override { frames.push_back(frame->json.bytes); }
  void on_evicted(RoomId room) override { evicted.push_back(room); }

  std::vector<std::string> frames;
  std::vector<RoomId> evicted;

 private:
  std::optional<AccountId> account_;
};

SharedFrame frame(const char* text) {
  return std::make_shared<const PushFrame>(PushFrame{{text, false}, {}});
}

TEST(SubscriptionRegistry, DeliversToRoomSubscribers) {
  SubscriptionRegistry registry;
  FakeSubscriber alice(1), bob(2), carol(3);
  registry.subscribe(&alice, 10);
  registry.subscribe(&bob, 10);
  registry.subscribe(&carol, 11);
  EXPECT_EQ(registry.deliver(10, frame("hello")), 2u);
  EXPECT_EQ(alice.frames, std::vector<std::string>{"hello"});
  EXPECT_EQ(bob.frames, std::vector<std::string>{"hello"});
  EXPECT_TRUE(carol.frames.empty());
}

TEST(SubscriptionRegistry, RoomWithoutSubscribers) {
  SubscriptionRegistry registry;
  EXPECT_EQ(registry.deliver(42, frame("nobody")), 0u);
}

TEST(SubscriptionRegistry, SubscribeAgainIsIdempotent) {
  SubscriptionRegistry registry;
  FakeSubscriber alice(1);
  registry.subscribe(&alice, 10);
  registry.subscribe(&alice, 10);
  registry.deliver(10, frame("once"));
  EXPECT_EQ(alice.frames.size(), 1u);
  EXPECT_EQ(registry.subscriber_count(10), 1u);
}

TEST(SubscriptionRegistry, SubscribeElsewhereMoves) {
  SubscriptionRegistry registry;
  FakeSubscriber alice(1);
  registry.subscribe(&alice, 10);
  registry.subscribe(&alice, 11);
  registry.deliver(10, frame("old room"));
  registry.deliver(11, frame("new room"));
  EXPECT_EQ(alice.frames, std::vector<std::string>{"new room"});
  EXPECT_EQ(registry.room_of(&alice), 11);
  EXPECT_EQ(registry.subscriber_count(10), 0u);
}

TEST(SubscriptionRegistry, UnsubscribeReturnsRoom) {
  SubscriptionRegistry registry;
  FakeSubscriber alice(1);
  registry.subscribe(&alice, 10);
  EXPECT_EQ(registry.unsubscribe(&alice), 10);
  EXPECT_EQ(registry.unsubscribe(&alice), std::nullopt);
  registry.deliver(10, frame("after"));
  EXPECT_TRUE(alice.frames.empty());
}

TEST(SubscriptionRegistry, EvictAccountsEndsEveryConnectionOfAccount) {
  SubscriptionRegistry registry;
  FakeSubscriber first(1), second(1), other(2);
  registry.subscribe(&first, 10);
  registry.subscribe(&second, 10);
  registry.subscribe(&other, 10);
  AccountId evicted[] = {1};
  EXPECT_EQ(registry.evict_accounts(10, evicted), 2u);
  registry.deliver(10, frame("after"));
  EXPECT_TRUE(first.frames.empty());
  EXPECT_TRUE(second.frames.empty());
  EXPECT_EQ(other.frames.size(), 1u);
  EXPECT_EQ(first.evicted, std::vector<RoomId>{10});
  EXPECT_EQ(registry.room_of(&first), std::nullopt);
}

TEST(SubscriptionRegistry, EvictAccountsLeavesOtherRooms) {
  SubscriptionRegistry registry;
  FakeSubscriber in_room(1), elsewhere(1);
  registry.subscribe(&in_room, 10);
  registry.subscribe(&elsewhere, 11);
  AccountId evicted[] = {1};
  registry.evict_accounts(10, evicted);
  EXPECT_EQ(registry.room_of(&elsewhere), 11);
  registry.deliver(11, frame("still here"));
  EXPECT_EQ(elsewhere.frames.size(), 1u);
}

TEST(SubscriptionRegistry, EvictTwiceChangesNothing) {
  SubscriptionRegistry registry;
  FakeSubscriber alice(1), bob(2);
  registry.subscribe(&alice, 10);
  registry.subscribe(&bob, 10);
  AccountId evicted[] = {1};
  EXPECT_EQ(registry.evict_accounts(10, evicted), 1u);
  EXPECT_EQ(registry.evict_accounts(10, evicted), 0u);
  EXPECT_EQ(registry.subscriber_count(10), 1u);
  EXPECT_EQ(alice.evicted.size(), 1u);
}

TEST(SubscriptionRegistry, EvictRoomEndsAllSubscriptions) {
  SubscriptionRegistry registry;
  FakeSubscriber alice(1), bob(2), carol(3);
  registry.subscribe(&alice, 10);
  registry.subscribe(&bob, 10);
  registry.subscribe(&carol, 11);
  EXPECT_EQ(registry.evict_room(10), 2u);
  EXPECT_EQ(registry.subscriber_count(10), 0u);
  EXPECT_EQ(registry.room_of(&carol), 11);
  EXPECT_EQ(registry.subscription_count(), 1u);
}

// A subscriber that unsubscribes itself while receiving, as a connection
// closed for a full send queue does.
class SelfRemovingSubscriber : public FakeSubscriber {
 public:
  SelfRemovingSubscriber(SubscriptionRegistry& registry) : FakeSubscriber(5), registry_(registry) {}
  void deliver(const SharedFrame& frame) override {
    FakeSubscriber::deliver(frame);
    registry_.unsubscribe(this);
  }

 private:
  SubscriptionRegistry& registry_;
};

TEST(SubscriptionRegistry, SubscriberMayLeaveDuringDelivery) {
  SubscriptionRegistry registry;
  SelfRemovingSubscriber leaving(registry);
  FakeSubscriber staying(6);
  registry.subscribe(&leaving, 10);
  registry.subscribe(&staying, 10);
  EXPECT_EQ(registry.deliver(10, frame("one")), 2u);
  EXPECT_EQ(staying.frames.size(), 1u);
  EXPECT_EQ(registry.subscriber_count(10), 1u);
}

}  // namespace
}  // namespace parley::net
