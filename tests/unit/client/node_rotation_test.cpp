#include "client/node_rotation.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace parley::client {
namespace {

const std::vector<std::string> kUrls = {"ws://127.0.0.1:8001/", "ws://127.0.0.1:8002/",
                                        "ws://127.0.0.1:8003/"};

TEST(NodeRotation, VisitsEveryUrlInTurn) {
  auto rotation = NodeRotation::create(kUrls);
  ASSERT_TRUE(rotation.ok()) << rotation.error().message;
  EXPECT_EQ(rotation->current(), kUrls[0]);
  EXPECT_EQ(rotation->advance(), kUrls[1]);
  EXPECT_EQ(rotation->advance(), kUrls[2]);
  EXPECT_EQ(rotation->advance(), kUrls[0]);
  EXPECT_EQ(rotation->current(), kUrls[0]);
}

TEST(NodeRotation, StartsAtFirstIndexModuloSize) {
  auto rotation = NodeRotation::create(kUrls, 4);
  ASSERT_TRUE(rotation.ok());
  EXPECT_EQ(rotation->current(), kUrls[1]);
  EXPECT_EQ(rotation->advance(), kUrls[2]);
}

TEST(NodeRotation, SingleUrlStaysPut) {
  auto rotation = NodeRotation::create({kUrls[0]});
  ASSERT_TRUE(rotation.ok());
  EXPECT_EQ(rotation->advance(), kUrls[0]);
  EXPECT_EQ(rotation->advance(), kUrls[0]);
}

TEST(NodeRotation, RejectsEmptyList) {
  auto rotation = NodeRotation::create({});
  ASSERT_FALSE(rotation.ok());
  EXPECT_EQ(rotation.error().code, 0);
  EXPECT_NE(rotation.error().message.find("no node URL"), std::string::npos);
}

TEST(NodeRotation, RejectsInvalidUrl) {
  auto rotation = NodeRotation::create({kUrls[0], "http://127.0.0.1:8002/"});
  ASSERT_FALSE(rotation.ok());
  EXPECT_NE(rotation.error().message.find("http://127.0.0.1:8002/"), std::string::npos)
      << rotation.error().message;
}

TEST(SplitUrlList, SplitsAndTrims) {
  EXPECT_EQ(split_url_list("ws://a:1/, ws://b:2/ ,ws://c:3/"),
            (std::vector<std::string>{"ws://a:1/", "ws://b:2/", "ws://c:3/"}));
}

TEST(SplitUrlList, DropsEmptyEntries) {
  EXPECT_EQ(split_url_list(",ws://a:1/,, ,"), (std::vector<std::string>{"ws://a:1/"}));
  EXPECT_TRUE(split_url_list("").empty());
}

TEST(SplitUrlList, SingleUrlUnchanged) {
  EXPECT_EQ(split_url_list("ws://127.0.0.1:8080/"),
            (std::vector<std::string>{"ws://127.0.0.1:8080/"}));
}

}  // namespace
}  // namespace parley::client
