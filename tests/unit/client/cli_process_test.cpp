// Runs the parley-cli binary against the fake server and checks its output
// and exit codes.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "fake_server.hpp"

#ifndef PARLEY_CLI_PATH
#error "PARLEY_CLI_PATH must name the parley-cli binary"
#endif

namespace parley::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeServer;

constexpr auto kWait = 5s;

// Output and exit code of one parley-cli run.
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Runs parley-cli with `flags`, feeding `input` on stdin, with times in UTC
// and without PARLEY_PASSWORD.
// The binary gets --timeout-ms 3000 so that a broken test ends quickly.
CliRun run_cli(const std::string& flags, const std::string& input) {
  std::filesystem::path directory =
      std::filesystem::temp_directory_path() /
      ("parley_cli_test_" + std::to_string(getpid()) + "_" + std::to_string(std::rand()));
  std::filesystem::create_directories(directory);
  std::ofstream(directory / "stdin") << input;

  std::string command = "env -u PARLEY_PASSWORD TZ=UTC timeout 20 " + std::string(PARLEY_CLI_PATH) +
                        " --timeout-ms 3000 " + flags + " < " + (directory / "stdin").string() +
                        " > " + (directory / "stdout").string() + " 2> " +
                        (directory / "stderr").string();
  int status = std::system(command.c_str());

  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = read_file(directory / "stdout");
  run.err = read_file(directory / "stderr");
  std::filesystem::remove_all(directory);
  return run;
}

// Returns a loopback port with no listener, by binding one and closing it.
std::uint16_t unused_port() {
  boost::asio::io_context io_context;
  boost::asio::ip::tcp::acceptor acceptor(io_context,
                                          {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::string login_flags(const FakeServer& server) {
  return "--url " + server.url() + " --username alice_0001 --password s3cretpass";
}

boost::json::object expect_request(FakeServer& server, const std::string& operation) {
  std::optional<boost::json::object> request = server.next_request(kWait);
  EXPECT_TRUE(request.has_value()) << "no " << operation << " request arrived";
  if (!request) {
    return {};
  }
  EXPECT_EQ(request->at("qualifier"), boost::json::value("v1/syemessenger/" + operation))
      << boost::json::serialize(*request);
  return std::move(*request);
}

// Replies to the password login and to the createToken request after it.
void serve_login(FakeServer& server) {
  server.reply(expect_request(server, "login"), "12");
  server.reply(expect_request(server, "createToken"),
               {{"token", "token-of-12"}, {"expiresAt", "2025-04-10T12:00:00"}});
}

TEST(CliProcess, PipedLinesAreSentAndPushesPrinted) {
  FakeServer server;
  auto run = std::async(std::launch::async, [&] {
    return run_cli(login_flags(server) + " --room general-chat --history 5 --linger-ms 1500",
                   "hello\n");
  });

  boost::json::object login = expect_request(server, "login");
  EXPECT_EQ(login.at("data").at("username"), "alice_0001");
  server.reply(login, "12");
  server.reply(expect_request(server, "createToken"),
               {{"token", "token-of-12"}, {"expiresAt", "2025-04-10T12:00:00"}});
  server.reply(expect_request(server, "listRooms"),
               {{"roomInfos", {{{"id", "3"}, {"name", "general-chat"}, {"owner", "a"}}}},
                {"totalCount", "1"}});
  server.reply(expect_request(server, "joinRoom"), "3");
  boost::json::object history = expect_request(server, "listMessages");
  EXPECT_EQ(history.at("data").at("limit"), "5");
  server.reply(history, {{"messages", boost::json::array()}, {"totalCount", "0"}});
  server.reply(expect_request(server, "subscribe"), "3");

  boost::json::object send = expect_request(server, "send");
  EXPECT_EQ(send.at("data").at("message"), "hello");
  server.push({{"id", "40"},
               {"senderId", "12"},
               {"roomId", "3"},
               {"message", "hello"},
               {"timestamp", "2025-03-10T12:02:03.456"}});
  server.reply(send, {{"roomId", "3"}, {"id", "40"}, {"timestamp", "2025-03-10T12:02:03.456"}});
  boost::json::object account = expect_request(server, "getAccount");
  EXPECT_EQ(account.at("data"), "12");
  server.reply(account, {{"id", "12"}, {"username", "alice_0001"}});

  CliRun result = run.get();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "* joined room general-chat\n[12:02:03] alice_0001: hello\n");
  EXPECT_EQ(result.err, "");
  std::optional<CloseInfo> closed = server.wait_client_close(kWait);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1000);
}

TEST(CliProcess, EndOfInputExitsZero) {
  FakeServer server;
  auto run =
      std::async(std::launch::async, [&] { return run_cli(login_flags(server), "hello\n"); });

  serve_login(server);

  CliRun result = run.get();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "error: not in a room. Use /join NAME first\n");
}

TEST(CliProcess, CreateAccountToleratesExistingAccount) {
  FakeServer server;
  auto run = std::async(std::launch::async, [&] {
    return run_cli(login_flags(server) + " --email alice@example.org --create-account", "");
  });

  boost::json::object create = expect_request(server, "createAccount");
  EXPECT_EQ(create.at("data").at("email"), "alice@example.org");
  server.reply_error(create, 400, "Cannot create account: already exists");
  serve_login(server);

  CliRun result = run.get();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
}

TEST(CliProcess, LoginFailureExitsOne) {
  FakeServer server;
  auto run = std::async(std::launch::async, [&] { return run_cli(login_flags(server), ""); });

  server.reply_error(expect_request(server, "login"), 401, "Login failed");

  CliRun result = run.get();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "error 401: Login failed\n");
}

// The fake server serves one connection, so the reconnect never succeeds.
TEST(CliProcess, FailedReconnectExitsThree) {
  FakeServer server;
  auto run = std::async(std::launch::async, [&] {
    return run_cli(login_flags(server) + " --linger-ms 10000 --reconnect-timeout-ms 500", "");
  });

  serve_login(server);
  server.close(1012, "service restart");

  CliRun result = run.get();
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.out.find("* lost the connection to " + server.url() +
                            " (close code 1012, reason 'service restart'), reconnecting"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.err.find("error: gave up reconnecting: cannot reconnect to any node within "
                            "500 ms"),
            std::string::npos)
      << result.err;
}

TEST(CliProcess, RefusedConnectionExitsThree) {
  std::string url = "ws://127.0.0.1:" + std::to_string(unused_port()) + "/";
  CliRun result = run_cli("--url " + url + " --username alice_0001 --password x", "");

  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.err.find("failed to connect to " + url), std::string::npos) << result.err;
}

TEST(CliProcess, UsageErrorExitsTwo) {
  CliRun missing = run_cli("--url ws://127.0.0.1:1/ --username alice_0001", "");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--password"), std::string::npos) << missing.err;

  CliRun help = run_cli("--help", "");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: parley-cli"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace parley::client
