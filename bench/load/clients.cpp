#include "clients.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include "encoding.hpp"

namespace parley::bench {
namespace json = boost::json;

namespace {

constexpr auto kSetupTimeout = std::chrono::seconds(600);

using Reply = std::function<void(std::string error, const json::value& data)>;

// Sends one request and hands its reply data, or an error text, to `then`.
void call(WireEncoding encoding, Connection& connection, std::string_view operation,
          const json::value& data, Reply then) {
  auto frame = encode_request(encoding, operation, data);
  if (!frame) {
    then(fmt::format("{}: {}", operation, frame.error().message), nullptr);
    return;
  }
  const bool binary = frame.value().binary;
  connection.request(
      std::move(frame.value().bytes),
      [operation = std::string(operation), then = std::move(then)](bool is_error,
                                                                   std::string_view reply) {
        if (is_error) {
          then(reply.empty() ? fmt::format("{}: connection closed", operation)
                             : fmt::format("{}: {}", operation, reply),
               nullptr);
          return;
        }
        then("", JsonEncoding::reply_data(reply));
      },
      binary);
}

std::string make_run_id() {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  // The PID keeps two runs started within one second apart.
  return fmt::format("{:x}{:x}", seconds, getpid());
}

}  // namespace

Population::Population(const Options& options, Workers& workers)
    : options_(options), workers_(workers), run_id_(make_run_id()) {}

Population::~Population() {
  for (std::size_t worker = 0; worker < workers_.size(); ++worker) {
    workers_.run_on(worker, [this, worker] {
      for (Client& client : clients_) {
        if (client.worker != worker || !client.connection) continue;
        client.connection->set_push_handler({});
        client.connection->set_closed_handler({});
        client.connection->close();
      }
      return 0;
    });
  }
}

std::size_t Population::add_client(std::size_t node, std::size_t room) {
  Client client;
  client.node = node;
  client.room = room;
  client.worker = clients_.size() % workers_.size();
  client.username = fmt::format("b{}u{:07}", run_id_, clients_.size());
  clients_.push_back(std::move(client));
  return clients_.size() - 1;
}

std::size_t Population::add_room() {
  Room room;
  room.name = fmt::format("bench-{}-room-{}", run_id_, rooms_.size());
  rooms_.push_back(std::move(room));
  return rooms_.size() - 1;
}

Status Population::connect_and_log_in(std::size_t first) {
  const std::size_t count = clients_.size() - first;
  auto outcome = run_parallel(
      count, static_cast<std::size_t>(options_.setup_concurrency),
      [this, first](std::size_t offset, std::function<void(std::string)> done) {
        const std::size_t index = first + offset;
        connect_one(index, [this, index, done](std::string error) {
          if (!error.empty()) return done(std::move(error));
          log_in(index, done);
        });
      },
      kSetupTimeout);
  if (outcome.failed > 0) {
    return Error{1, fmt::format("{} of {} clients failed to connect and log in; first error: {}",
                                outcome.failed, count, outcome.first_error)};
  }
  return Done{};
}

void Population::connect_one(std::size_t index, std::function<void(std::string)> done) {
  Client& client = clients_[index];
  client.connection = std::make_shared<Connection>(workers_.context(client.worker), sources_);
  const Endpoint& endpoint = options_.nodes[client.node];
  client.connection->connect(endpoint, [endpoint, done](const boost::beast::error_code& error) {
    done(error ? fmt::format("connecting to {}:{} failed: {}", endpoint.host, endpoint.port,
                             error.message())
               : "");
  });
}

void Population::log_in(std::size_t index, std::function<void(std::string)> done) {
  Client& client = clients_[index];
  json::object credentials{{"username", client.username}, {"password", password()}};
  auto login = [this, index, credentials, done](std::string error, const json::value&) {
    if (!error.empty()) return done(std::move(error));
    call(options_.wire, *clients_[index].connection, "login", credentials,
         [this, index, done](std::string login_error, const json::value& data) {
           if (login_error.empty()) clients_[index].account_id = id_from(data);
           done(std::move(login_error));
         });
  };
  if (!client.creates_account) {
    login("", nullptr);
    return;
  }
  json::object account{{"username", client.username},
                       {"email", client.username + "@bench.example"},
                       {"password", password()}};
  call(options_.wire, *client.connection, "createAccount", account, login);
}

Status Population::join_rooms() {
  auto created = run_parallel(
      rooms_.size(), static_cast<std::size_t>(options_.setup_concurrency),
      [this](std::size_t room, std::function<void(std::string)> done) { create_room(room, done); },
      kSetupTimeout);
  if (created.failed > 0) {
    return Error{1, fmt::format("{} of {} rooms could not be created; first error: {}",
                                created.failed, rooms_.size(), created.first_error)};
  }
  auto joined = run_parallel(
      clients_.size(), static_cast<std::size_t>(options_.setup_concurrency),
      [this](std::size_t index, std::function<void(std::string)> done) {
        join_and_subscribe(index, done);
      },
      kSetupTimeout);
  if (joined.failed > 0) {
    return Error{1, fmt::format("{} of {} clients failed to join or subscribe; first error: {}",
                                joined.failed, clients_.size(), joined.first_error)};
  }
  std::vector<std::uint64_t> subscribers(rooms_.size(), 0);
  std::vector<std::uint64_t> senders(rooms_.size(), 0);
  for (const Client& client : clients_) {
    if (client.subscribes) ++subscribers[client.room];
    if (client.sender_slot >= 0) {
      senders[client.room] = std::max<std::uint64_t>(
          senders[client.room], static_cast<std::uint64_t>(client.sender_slot) + 1);
    }
  }
  for (Client& client : clients_) {
    client.fanout = subscribers[client.room];
    client.next_expected.assign(senders[client.room], 0);
  }
  return Done{};
}

void Population::create_room(std::size_t room, std::function<void(std::string)> done) {
  Client& owner = clients_[rooms_[room].owner];
  call(options_.wire, *owner.connection, "createRoom", json::object{{"name", rooms_[room].name}},
       [this, room, done](std::string error, const json::value& data) {
         if (error.empty()) rooms_[room].id = id_from(data);
         done(std::move(error));
       });
}

void Population::join_and_subscribe(std::size_t index, std::function<void(std::string)> done) {
  Client& client = clients_[index];
  auto after_join = [this, index, done](std::string error, const json::value&) {
    if (!error.empty()) return done(std::move(error));
    if (!clients_[index].subscribes) return done("");
    subscribe(index, false, done);
  };
  if (client.owns_room) {
    after_join("", nullptr);
    return;
  }
  call(options_.wire, *client.connection, "joinRoom", json::string(rooms_[client.room].name),
       after_join);
}

void Population::subscribe(std::size_t index, bool after_last,
                           std::function<void(std::string)> done) {
  Client& client = clients_[index];
  json::value request = rooms_[client.room].id;
  if (after_last) {
    request = json::object{{"roomId", std::to_string(rooms_[client.room].id)},
                           {"afterMessageId", std::to_string(client.last_message_id)}};
  }
  call(options_.wire, *client.connection, "subscribe", request,
       [done](std::string error, const json::value&) { done(std::move(error)); });
}

void Population::count_pushes(std::size_t index) {
  Client& client = clients_[index];
  StepCounters& counters = workers_.counters(client.worker);
  client.connection->set_push_handler([&client, &counters](std::string_view frame) {
    const std::int64_t now = steady_now_ns();
    auto push = JsonEncoding::read_push(frame);
    auto stamp = push ? read_message_text(push->text) : std::nullopt;
    if (!stamp) {
      ++counters.unreadable;
      return;
    }
    ++counters.delivered;
    counters.last_delivery_ns = now;
    counters.latency_us.record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(now - stamp->send_time_ns, 0)) / 1000);
    client.last_message_id = std::max(client.last_message_id, push->message_id);
    if (stamp->sender >= client.next_expected.size()) return;
    std::uint64_t& expected = client.next_expected[stamp->sender];
    if (stamp->sequence < expected) {
      ++counters.duplicates;
    } else {
      counters.gaps += stamp->sequence - expected;
      expected = stamp->sequence + 1;
    }
  });
}

void Population::resume(std::size_t index, std::size_t node,
                        std::function<void(ResumeStep)> on_step,
                        std::function<void(std::string)> done) {
  Client& client = clients_[index];
  client.node = node;
  client.creates_account = false;
  connect_one(index, [this, index, on_step, done](std::string error) {
    if (!error.empty()) return done(std::move(error));
    on_step(ResumeStep::connected);
    count_pushes(index);
    log_in(index, [this, index, on_step, done](std::string login_error) {
      if (!login_error.empty()) return done(std::move(login_error));
      on_step(ResumeStep::logged_in);
      subscribe(index, true, done);
    });
  });
}

}  // namespace parley::bench
