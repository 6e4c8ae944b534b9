#include <chrono>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "support/child_process.hpp"
#include "support/cluster.hpp"

namespace parley::testing {
namespace {

std::string unique_suffix() {
  static std::mt19937_64 random{std::random_device{}()};
  return std::to_string(random() % 1000000000);
}

// Reads stdout lines of `cli` until one contains `text`; returns whether it
// came within `timeout`.
bool wait_for_output(ChildProcess& cli, const std::string& text, std::chrono::milliseconds timeout,
                     std::string* transcript) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto line = cli.read_line(remaining);
    if (!line) return false;
    *transcript += *line + "\n";
    if (line->find(text) != std::string::npos) return true;
  }
  return false;
}

ChildProcess start_cli(const std::string& url, const std::string& username, const std::string& room,
                       bool create, const std::vector<std::string>& extra_flags = {}) {
  std::vector<std::string> argv = {PARLEY_CLI_BINARY, "--url",     url,      "--username", username,
                                   "--password",      "test12345", "--room", room};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  if (create) {
    argv.insert(argv.end(),
                {"--email", username + "@example.org", "--create-account", "--create-room"});
  } else {
    argv.insert(argv.end(), {"--email", username + "@example.org", "--create-account"});
  }
  return ChildProcess::spawn(argv, {}, true);
}

TEST(ParleyCli, UsersOnDifferentNodesChat) {
  Cluster& cluster = SharedCluster::get();
  std::string suffix = unique_suffix();
  std::string alice = "cli_alice_" + suffix;
  std::string bob = "cli_bob_" + suffix;
  std::string room = "cli-room-" + suffix;

  ChildProcess alice_cli = start_cli(cluster.url(0), alice, room, true);
  std::string alice_output;
  // Alice's client prints her own message once it came back through Kafka,
  // which proves her subscription is live before Bob joins.
  alice_cli.write_line("first from alice");
  ASSERT_TRUE(
      wait_for_output(alice_cli, "first from alice", std::chrono::seconds(30), &alice_output))
      << alice_output;

  ChildProcess bob_cli = start_cli(cluster.url(1), bob, room, false);
  std::string bob_output;
  // The CLI prints this line once its subscription is live.
  ASSERT_TRUE(
      wait_for_output(bob_cli, "* joined room " + room, std::chrono::seconds(30), &bob_output))
      << bob_output;

  bob_cli.write_line("hello from bob");
  ASSERT_TRUE(
      wait_for_output(alice_cli, bob + ": hello from bob", std::chrono::seconds(15), &alice_output))
      << alice_output;
  alice_cli.write_line("hello from alice");
  ASSERT_TRUE(
      wait_for_output(bob_cli, alice + ": hello from alice", std::chrono::seconds(15), &bob_output))
      << bob_output;

  alice_cli.close_stdin();
  bob_cli.close_stdin();
  EXPECT_EQ(alice_cli.wait(std::chrono::seconds(10)), 0);
  EXPECT_EQ(bob_cli.wait(std::chrono::seconds(10)), 0);
}

// Alice's CLI is given both nodes. When her node dies, it reconnects to the
// other one, resumes the room and keeps chatting with Bob.
TEST(ParleyCli, SbeAndJsonUsersChat) {
  Cluster& cluster = SharedCluster::get();
  std::string suffix = unique_suffix();
  std::string alice = "cli_sbe_" + suffix;
  std::string bob = "cli_json_" + suffix;
  std::string room = "cli-sbe-room-" + suffix;

  ChildProcess alice_cli = start_cli(cluster.url(0), alice, room, true, {"--encoding", "sbe"});
  std::string alice_output;
  alice_cli.write_line("first over sbe");
  ASSERT_TRUE(wait_for_output(alice_cli, "first over sbe", std::chrono::seconds(30), &alice_output))
      << alice_output;

  ChildProcess bob_cli = start_cli(cluster.url(2), bob, room, false, {"--encoding", "json"});
  std::string bob_output;
  ASSERT_TRUE(
      wait_for_output(bob_cli, "* joined room " + room, std::chrono::seconds(30), &bob_output))
      << bob_output;

  bob_cli.write_line("hello from json");
  ASSERT_TRUE(wait_for_output(alice_cli, bob + ": hello from json", std::chrono::seconds(15),
                              &alice_output))
      << alice_output;
  alice_cli.write_line("hello from sbe");
  ASSERT_TRUE(
      wait_for_output(bob_cli, alice + ": hello from sbe", std::chrono::seconds(15), &bob_output))
      << bob_output;

  alice_cli.close_stdin();
  bob_cli.close_stdin();
  EXPECT_EQ(alice_cli.wait(std::chrono::seconds(10)), 0);
  EXPECT_EQ(bob_cli.wait(std::chrono::seconds(10)), 0);
}

TEST(ParleyCli, RejectsUnknownEncoding) {
  ChildProcess cli =
      ChildProcess::spawn({PARLEY_CLI_BINARY, "--url", "ws://127.0.0.1:1/", "--username",
                           "nobody_000", "--password", "test12345", "--encoding", "xml"},
                          {}, true);
  EXPECT_EQ(cli.wait(std::chrono::seconds(10)), 2);
}

TEST(ParleyCli, KeepsChattingAfterNodeKilled) {
  auto cluster = Cluster::start({.nodes = 2});
  std::string suffix = unique_suffix();
  std::string alice = "cli_alice_" + suffix;
  std::string bob = "cli_bob_" + suffix;
  std::string room = "cli-failover-" + suffix;

  ChildProcess alice_cli = start_cli(cluster->url(0) + "," + cluster->url(1), alice, room, true);
  std::string alice_output;
  alice_cli.write_line("before the failure");
  ASSERT_TRUE(
      wait_for_output(alice_cli, "before the failure", std::chrono::seconds(30), &alice_output))
      << alice_output;
  ChildProcess bob_cli = start_cli(cluster->url(1), bob, room, false);
  std::string bob_output;
  ASSERT_TRUE(
      wait_for_output(bob_cli, "* joined room " + room, std::chrono::seconds(30), &bob_output))
      << bob_output;

  cluster->kill_node(0);
  ASSERT_TRUE(wait_for_output(alice_cli, "* reconnected to " + cluster->url(1),
                              std::chrono::seconds(30), &alice_output))
      << alice_output;
  EXPECT_NE(alice_output.find("* lost the connection to " + cluster->url(0)), std::string::npos)
      << alice_output;

  alice_cli.write_line("after the failure");
  ASSERT_TRUE(wait_for_output(bob_cli, alice + ": after the failure", std::chrono::seconds(15),
                              &bob_output))
      << bob_output;
  bob_cli.write_line("welcome back");
  ASSERT_TRUE(
      wait_for_output(alice_cli, bob + ": welcome back", std::chrono::seconds(15), &alice_output))
      << alice_output;
  EXPECT_EQ(alice_output.find(alice + ": before the failure"),
            alice_output.rfind(alice + ": before the failure"))
      << "a message before the failure was printed twice:\n"
      << alice_output;

  alice_cli.close_stdin();
  bob_cli.close_stdin();
  EXPECT_EQ(alice_cli.wait(std::chrono::seconds(10)), 0);
  EXPECT_EQ(bob_cli.wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace parley::testing
