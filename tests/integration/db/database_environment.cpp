#include "database_environment.hpp"

#include <atomic>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "db/migrate.hpp"

namespace parley::db::testing {
namespace {

std::unique_ptr<parley::testing::PostgresServer> server;

class PostgresEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    server = parley::testing::PostgresServer::start();
    server->create_database("parley");
    auto connection = Connection::open(shared_conninfo());
    migrate(*connection);
  }
  void TearDown() override { server.reset(); }
};

const ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace

parley::testing::PostgresServer& shared_server() { return *server; }

std::string shared_conninfo() { return server->conninfo("parley"); }

std::string create_empty_database() {
  static std::atomic<int> next{1};
  const std::string name = "scratch_" + std::to_string(next++);
  server->create_database(name);
  return server->conninfo(name);
}

std::string unreachable_conninfo() {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length);
  // Closed without listen(), so the port refuses connections until some
  // other process binds it.
  ::close(socket_fd);
  return "host=127.0.0.1 port=" + std::to_string(ntohs(address.sin_port)) +
         " user=parley dbname=parley connect_timeout=2";
}

void DatabaseTest::SetUp() {
  ASSERT_NE(server, nullptr) << "the PostgreSQL test server did not start";
  connection_ = Connection::open(shared_conninfo());
  connection_->exec(
      "TRUNCATE accounts, rooms, room_members, blocked_members, messages, outbox_room_events, "
      "tokens, client_message_ids, node_leases RESTART IDENTITY CASCADE");
  connection_->exec("UPDATE outbox_position SET position = 0");
}

}  // namespace parley::db::testing
