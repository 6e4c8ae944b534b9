#include "common/config.hpp"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(ParseConfig, DefaultsRunLocalCluster) {
  auto config = parse_config({}, {});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->listen_address, "127.0.0.1");
  EXPECT_EQ(config->port, 8080);
  EXPECT_EQ(config->kafka_messages_topic, "messages");
}

TEST(ParseConfig, FlagWithEqualsSign) {
  auto config = parse_config({"--port=9001"}, {});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->port, 9001);
}

TEST(ParseConfig, FlagWithSeparateValue) {
  auto config = parse_config({"--database-url", "host=db dbname=chat"}, {});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->database_url, "host=db dbname=chat");
}

TEST(ParseConfig, EnvironmentVariable) {
  auto config = parse_config({}, {{"PARLEY_IO_THREADS", "4"}});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->io_threads, 4);
}

TEST(ParseConfig, FlagWinsOverEnvironment) {
  auto config = parse_config({"--port", "9002"}, {{"PARLEY_PORT", "9003"}});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->port, 9002);
}

TEST(ParseConfig, OutOfRangeNamesSettingAndRange) {
  auto config = parse_config({"--port=70000"}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("--port"), std::string::npos);
  EXPECT_NE(config.error().message.find("70000"), std::string::npos);
  EXPECT_NE(config.error().message.find("1 to 65535"), std::string::npos);
}

TEST(ParseConfig, RejectsTextForInteger) {
  auto config = parse_config({}, {{"PARLEY_PORT", "eighty"}});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("PARLEY_PORT"), std::string::npos);
}

TEST(ParseConfig, RejectsUnknownFlag) {
  auto config = parse_config({"--prot=1"}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("--prot"), std::string::npos);
}

TEST(ParseConfig, RejectsMissingValue) {
  auto config = parse_config({"--port"}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("needs a value"), std::string::npos);
}

TEST(ParseConfig, RejectsUnknownLogLevel) {
  auto config = parse_config({"--log-level=loud"}, {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("loud"), std::string::npos);
}

TEST(UnknownVariables, ListsMisspeltVariable) {
  auto unknown = unknown_variables({{"PARLEY_PORT", "1"}, {"PARLEY_PROT", "2"}});
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0], "PARLEY_PROT");
}

TEST(MaskPassword, HidesUriPassword) {
  EXPECT_EQ(mask_password("postgresql://parley:secret@db:5432/parley"),
            "postgresql://parley:***@db:5432/parley");
}

TEST(MaskPassword, HidesKeyValuePassword) {
  EXPECT_EQ(mask_password("host=db password=secret dbname=x"), "host=db password=*** dbname=x");
  EXPECT_EQ(mask_password("password='two words' host=db"), "password=*** host=db");
}

TEST(MaskPassword, KeepsStringWithoutPassword) {
  EXPECT_EQ(mask_password("postgresql://parley@127.0.0.1:55432/parley"),
            "postgresql://parley@127.0.0.1:55432/parley");
}

TEST(HelpText, ListsEverySettingWithDefault) {
  std::string help = help_text("parley-server");
  for (const SettingInfo& info : describe_settings()) {
    EXPECT_NE(help.find(info.flag), std::string::npos) << info.flag;
    EXPECT_NE(help.find(info.env_variable), std::string::npos) << info.env_variable;
  }
  EXPECT_NE(help.find("Default: 8080"), std::string::npos);
}

}  // namespace
}  // namespace parley
