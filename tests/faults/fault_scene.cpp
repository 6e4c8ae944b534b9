#include "faults/fault_scene.hpp"

#include <iostream>
#include <map>
#include <random>
#include <stdexcept>

#include <libpq-fe.h>

#include "common/logging.hpp"

namespace parley::faults {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kPassword[] = "test12345";
constexpr milliseconds kPollInterval{100};
constexpr milliseconds kSetupBudget{30000};

template <typename T>
T require(Result<T> result, const std::string& step) {
  if (!result) {
    throw std::runtime_error(step + " failed: " + std::to_string(result.error().code) + " " +
                             result.error().message);
  }
  return std::move(result.value());
}

}  // namespace

std::string unique_suffix() {
  static std::mt19937_64 random{std::random_device{}()};
  return std::to_string(random() % 1000000000);
}

FaultScene::FaultScene(testing::Cluster& cluster, SceneOptions options)
    : cluster_(cluster), options_(std::move(options)) {}

FaultScene::~FaultScene() {
  stopping_ = true;
  for (auto& member : members_) {
    if (member->sender.joinable()) {
      member->sender.join();
    }
    if (member->reader.joinable()) {
      member->reader.join();
    }
  }
  for (auto& member : members_) {
    member->session.reset();
  }
}

std::unique_ptr<client::ResilientSession> FaultScene::open_session(std::size_t first_node) {
  client::ResilientOptions options;
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    options.urls.push_back(cluster_.url(i));
  }
  options.first_url = first_node;
  options.backoff.initial = milliseconds(100);
  options.backoff.max = milliseconds(2000);
  return require(client::ResilientSession::open(std::move(options)), "open a session");
}

void FaultScene::set_up() {
  const std::string suffix = unique_suffix();
  for (int r = 0; r < options_.rooms; ++r) {
    const std::string room_name = options_.name + "-room-" + std::to_string(r) + "-" + suffix;
    RoomId room_id = 0;
    for (int m = 0; m < options_.members_per_room; ++m) {
      auto member = std::make_unique<Member>();
      member->name =
          options_.name + "_r" + std::to_string(r) + "m" + std::to_string(m) + "_" + suffix;
      member->session = open_session(static_cast<std::size_t>(m) % cluster_.size());
      require(
          member->session->create_account(member->name, member->name + "@example.org", kPassword),
          "createAccount " + member->name);
      require(member->session->login(member->name, kPassword), "login " + member->name);
      if (m == 0) {
        client::RoomInfo room =
            require(member->session->run(
                        [&](client::ChatSession& chat) { return chat.create_room(room_name); },
                        kSetupBudget),
                    "createRoom " + room_name);
        room_id = room.id;
      } else {
        require(
            member->session->run(
                [&](client::ChatSession& chat) { return chat.join_room(room_name); }, kSetupBudget),
            "joinRoom " + room_name + " as " + member->name);
      }
      if (m == 0) {
        rooms_.push_back(SceneRoom{room_id, room_name});
      }
      member->room = room_id;
      member->reception.subscriber = member->name;
      member->reception.room = room_id;
      // The room is new, so the subscription starts after id 0.
      require(member->session->subscribe(room_id, 0), "subscribe " + member->name);
      members_.push_back(std::move(member));
    }
  }
  for (auto& member : members_) {
    member->reader = std::thread([this, raw = member.get()] { read_loop(*raw); });
  }
}

void FaultScene::read_loop(Member& member) {
  while (!stopping_) {
    std::optional<client::MessageInfo> message = member.session->next_message(kPollInterval);
    if (!message) {
      continue;
    }
    std::lock_guard lock(member.mutex);
    member.reception.messages.push_back(Received{message->id.value_or(0), message->text});
  }
}

void FaultScene::start_sending() {
  senders_running_ = static_cast<int>(members_.size());
  for (auto& member : members_) {
    member->sender = std::thread([this, raw = member.get()] { send_loop(*raw); });
  }
}

void FaultScene::send_loop(Member& member) {
  const std::string padding(static_cast<std::size_t>(options_.text_padding), '.');
  for (int i = 0; i < options_.messages_per_member && !stopping_ && !stop_sending_; ++i) {
    const std::string text = member.name + " #" + std::to_string(i) + padding;
    Result<client::SentMessage> sent = member.session->send(text, options_.send_deadline);
    if (sent) {
      ledger_.record_acknowledged(member.room, sent->id, text);
    } else {
      ledger_.record_unacknowledged(member.room, text);
      logger("faults")->warn("send '{}' not acknowledged: {} {}", text, sent.error().code,
                             sent.error().message);
    }
    std::this_thread::sleep_for(options_.pause);
  }
  --senders_running_;
}

bool FaultScene::wait_sent(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (senders_running_ > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(kPollInterval);
  }
  if (senders_running_ > 0) {
    return false;
  }
  for (auto& member : members_) {
    if (member->sender.joinable()) {
      member->sender.join();
    }
  }
  return true;
}

bool FaultScene::wait_acknowledged(std::size_t count, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (ledger_.acknowledged_count() < count && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  return ledger_.acknowledged_count() >= count;
}

std::size_t FaultScene::total_messages() const {
  return static_cast<std::size_t>(options_.rooms) *
         static_cast<std::size_t>(options_.members_per_room) *
         static_cast<std::size_t>(options_.messages_per_member);
}

Reception FaultScene::snapshot(const Member& member) const {
  std::lock_guard lock(member.mutex);
  return member.reception;
}

bool FaultScene::wait_delivered(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    bool complete = true;
    for (const auto& member : members_) {
      if (!ledger_.is_complete(snapshot(*member))) {
        complete = false;
        break;
      }
    }
    if (complete) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::vector<Received> FaultScene::stored_messages(RoomId room) {
  std::vector<Received> rows;
  PGconn* connection = PQconnectdb(cluster_.database_url().c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    logger("faults")->warn("cannot read the history: {}", PQerrorMessage(connection));
    PQfinish(connection);
    return rows;
  }
  const std::string room_text = std::to_string(room);
  const char* values[] = {room_text.c_str()};
  PGresult* result =
      PQexecParams(connection, "SELECT id, message FROM messages WHERE room_id = $1::bigint", 1,
                   nullptr, values, nullptr, nullptr, 0);
  if (PQresultStatus(result) == PGRES_TUPLES_OK) {
    for (int i = 0; i < PQntuples(result); ++i) {
      rows.push_back(Received{std::stoll(PQgetvalue(result, i, 0)), PQgetvalue(result, i, 1)});
    }
  } else {
    logger("faults")->warn("history query failed: {}", PQerrorMessage(connection));
  }
  PQclear(result);
  PQfinish(connection);
  return rows;
}

bool FaultScene::wait_stored(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    bool complete = true;
    for (RoomId room : ledger_.rooms()) {
      if (ledger_.check_history(room, stored_messages(room)).lost > 0) {
        complete = false;
        break;
      }
    }
    if (complete) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(milliseconds(250));
  }
}

CheckReport FaultScene::check() {
  CheckReport report;
  std::map<RoomId, std::vector<Reception>> by_room;
  for (const auto& member : members_) {
    Reception reception = snapshot(*member);
    report.merge(ledger_.check_reception(reception));
    by_room[member->room].push_back(std::move(reception));
  }
  for (const auto& [room, receptions] : by_room) {
    std::vector<const Reception*> pointers;
    for (const Reception& reception : receptions) {
      pointers.push_back(&reception);
    }
    report.merge(ledger_.check_same_order(pointers));
    report.merge(ledger_.check_history(room, stored_messages(room)));
  }
  return report;
}

client::SessionStats FaultScene::total_stats() const {
  client::SessionStats total;
  for (const auto& member : members_) {
    client::SessionStats stats = member->session->stats();
    total.reconnects += stats.reconnects;
    total.duplicates_dropped += stats.duplicates_dropped;
    total.send_retries += stats.send_retries;
    total.messages_delivered += stats.messages_delivered;
  }
  return total;
}

}  // namespace parley::faults
