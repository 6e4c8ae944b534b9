#include "client/cli_options.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace parley::client {
namespace {

const std::vector<std::string> kRequired = {"--url",      "ws://127.0.0.1:8080/", "--username",
                                            "alice_0001", "--password",           "s3cretpass"};

std::vector<std::string> with_required(std::vector<std::string> extra) {
  std::vector<std::string> arguments = kRequired;
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

TEST(CliOptions, AppliesDefaults) {
  Result<CliOptions> options = parse_cli_options(kRequired, std::nullopt);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_FALSE(options->help_requested);
  EXPECT_EQ(options->urls, std::vector<std::string>{"ws://127.0.0.1:8080/"});
  EXPECT_EQ(options->username, "alice_0001");
  EXPECT_EQ(options->password, "s3cretpass");
  EXPECT_FALSE(options->create_account);
  EXPECT_FALSE(options->room.has_value());
  EXPECT_EQ(options->history_count, 20);
  EXPECT_EQ(options->linger_ms, 500);
  EXPECT_EQ(options->timeout_ms, 5000);
  EXPECT_EQ(options->send_deadline_ms, 30000);
  EXPECT_EQ(options->reconnect_timeout_ms, 60000);
}

TEST(CliOptions, CollectsRepeatedAndCommaSeparatedUrls) {
  Result<CliOptions> options =
      parse_cli_options(with_required({"--url", "ws://127.0.0.1:8081/,ws://127.0.0.1:8082/",
                                       "--url", "ws://127.0.0.1:8083/"}),
                        std::nullopt);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->urls,
            (std::vector<std::string>{"ws://127.0.0.1:8080/", "ws://127.0.0.1:8081/",
                                      "ws://127.0.0.1:8082/", "ws://127.0.0.1:8083/"}));
}

TEST(CliOptions, RejectsInvalidUrlInList) {
  Result<CliOptions> options =
      parse_cli_options(with_required({"--url", "ws://127.0.0.1:8081/,http://x/"}), std::nullopt);
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.error().message.find("http://x/"), std::string::npos)
      << options.error().message;
}

TEST(CliOptions, ReadsReconnectFlags) {
  Result<CliOptions> options = parse_cli_options(
      with_required({"--send-deadline-ms", "700", "--reconnect-timeout-ms", "900"}), std::nullopt);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->send_deadline_ms, 700);
  EXPECT_EQ(options->reconnect_timeout_ms, 900);
  for (const char* flag : {"--send-deadline-ms", "--reconnect-timeout-ms"}) {
    Result<CliOptions> invalid = parse_cli_options(with_required({flag, "0"}), std::nullopt);
    ASSERT_FALSE(invalid.ok()) << flag;
    EXPECT_NE(invalid.error().message.find(flag), std::string::npos) << invalid.error().message;
  }
}

TEST(CliOptions, ReadsEveryFlag) {
  Result<CliOptions> options = parse_cli_options(
      with_required({"--email", "alice@example.org", "--create-account", "--room", "general-chat",
                     "--create-room", "--history", "5", "--linger-ms", "0", "--timeout-ms", "250"}),
      std::nullopt);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->email, "alice@example.org");
  EXPECT_TRUE(options->create_account);
  EXPECT_EQ(options->room, "general-chat");
  EXPECT_TRUE(options->create_room);
  EXPECT_EQ(options->history_count, 5);
  EXPECT_EQ(options->linger_ms, 0);
  EXPECT_EQ(options->timeout_ms, 250);
}

TEST(CliOptions, HelpNeedsNoOtherFlag) {
  Result<CliOptions> options = parse_cli_options({"--help"}, std::nullopt);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_TRUE(options->help_requested);
}

TEST(CliOptions, PasswordFromEnvironment) {
  Result<CliOptions> options =
      parse_cli_options({"--url", "ws://127.0.0.1:8080/", "--username", "alice_0001"}, "from-env");
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->password, "from-env");

  Result<CliOptions> flag_wins = parse_cli_options(kRequired, "from-env");
  ASSERT_TRUE(flag_wins.ok()) << flag_wins.error().message;
  EXPECT_EQ(flag_wins->password, "s3cretpass");
}

TEST(CliOptions, RejectsUsageErrors) {
  struct Case {
    std::vector<std::string> arguments;
    std::string expected_text;
  };
  const Case cases[] = {
      {{"--username", "alice_0001", "--password", "s3cretpass"}, "--url"},
      {{"--url", "http://127.0.0.1:8080/", "--username", "alice_0001", "--password", "s3cretpass"},
       "http://127.0.0.1:8080/"},
      {{"--url", "ws://127.0.0.1:8080/", "--password", "s3cretpass"}, "--username"},
      {{"--url", "ws://127.0.0.1:8080/", "--username", "alice_0001"}, "--password"},
      {with_required({"--create-account"}), "--email"},
      {with_required({"--create-room"}), "--room"},
      {with_required({"--history", "-1"}), "--history"},
      {with_required({"--history", "ten"}), "history"},
      {with_required({"--linger-ms", "-5"}), "--linger-ms"},
      {with_required({"--timeout-ms", "0"}), "--timeout-ms"},
      {with_required({"--colour"}), "colour"},
      {with_required({"--room"}), "room"},
  };
  for (const Case& test_case : cases) {
    Result<CliOptions> options = parse_cli_options(test_case.arguments, std::nullopt);
    ASSERT_FALSE(options.ok()) << "accepted " << test_case.expected_text;
    EXPECT_EQ(options.error().code, 0);
    EXPECT_NE(options.error().message.find(test_case.expected_text), std::string::npos)
        << options.error().message;
  }
}

TEST(CliOptions, HelpTextListsEveryFlagAndCommand) {
  std::string help = cli_help_text();
  for (const char* item : {"--url",           "--username",    "--password",
                           "PARLEY_PASSWORD", "--email",       "--create-account",
                           "--room",          "--create-room", "--history",
                           "--linger-ms",     "--timeout-ms",  "--help",
                           "/join",           "/leave",        "/rooms",
                           "/members",        "/history",      "/quit",
                           "/help",           "Exit codes"}) {
    EXPECT_NE(help.find(item), std::string::npos) << "help does not mention " << item;
  }
}

}  // namespace
}  // namespace parley::client
