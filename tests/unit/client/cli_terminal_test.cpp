#include "client/cli_terminal.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <future>
#include <mutex>
#include <ostream>
#include <streambuf>
#include <string>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "fake_server.hpp"

namespace parley::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeServer;

constexpr auto kWait = 2s;

boost::json::object room_json(int id, const std::string& name) {
  return {{"id", std::to_string(id)}, {"name", name}, {"owner", "alice_0001"}};
}

boost::json::object message_json(int id, const std::string& text) {
  return {{"id", std::to_string(id)},
          {"senderId", "7"},
          {"roomId", "3"},
          {"message", text},
          {"timestamp", "2025-03-10T12:02:03.456"}};
}

// A stream buffer that collects what the terminal writes, so that the test
// thread can wait for lines that the push printer thread writes.
class LineSink : public std::streambuf {
 public:
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

  // Waits until `count` complete lines were written.
  bool wait_for_lines(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return written_.wait_for(lock, timeout, [&] {
      return static_cast<std::size_t>(std::count(text_.begin(), text_.end(), '\n')) >= count;
    });
  }

 protected:
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    {
      std::lock_guard lock(mutex_);
      text_.append(data, static_cast<std::size_t>(size));
    }
    written_.notify_all();
    return size;
  }

  int_type overflow(int_type character) override {
    if (character != traits_type::eof()) {
      char byte = traits_type::to_char_type(character);
      xsputn(&byte, 1);
    }
    return traits_type::not_eof(character);
  }

 private:
  std::mutex mutex_;
  std::condition_variable written_;
  std::string text_;
};

// A ChatTerminal on a ResilientSession to a fresh FakeServer, with times
// printed in UTC.
class ChatTerminalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(setenv("TZ", "UTC", 1), 0);
    tzset();
    ResilientOptions options;
    options.urls = {server_.url()};
    options.connect_timeout = kWait;
    options.request_timeout = kWait;
    auto opened = ResilientSession::open(std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    session_ = std::move(opened.value());
    terminal_ = std::make_unique<ChatTerminal>(*session_, out_, err_, kWait);
  }

  void TearDown() override {
    terminal_.reset();
    session_.reset();
  }

  boost::json::object expect_request(const std::string& operation) {
    std::optional<boost::json::object> request = server_.next_request(kWait);
    EXPECT_TRUE(request.has_value()) << "no " << operation << " request arrived";
    if (!request) {
      return {};
    }
    EXPECT_EQ(request->at("qualifier"), boost::json::value("v1/syemessenger/" + operation))
        << boost::json::serialize(*request);
    return std::move(*request);
  }

  // Replies to the requests of enter_room("general-chat") for an existing room
  // that the account already joined, with `history` (newest first) as the
  // listMessages page, and checks that the subscription starts after the
  // newest message of the history.
  void serve_enter_room(const boost::json::array& history) {
    server_.reply(expect_request("listRooms"),
                  {{"roomInfos", {room_json(3, "general-chat")}}, {"totalCount", "1"}});
    server_.reply_error(expect_request("joinRoom"), 400, "Cannot join room: already joined");
    server_.reply(expect_request("listMessages"),
                  {{"messages", history}, {"totalCount", std::to_string(history.size())}});
    boost::json::object subscribe = expect_request("subscribe");
    boost::json::value after = history.empty() ? boost::json::value("0") : history[0].at("id");
    EXPECT_EQ(subscribe.at("data"),
              (boost::json::object{{"roomId", "3"}, {"afterMessageId", after}}));
    server_.reply(subscribe, "3");
  }

  void serve_username(const std::string& username) {
    boost::json::object request = expect_request("getAccount");
    server_.reply(request, {{"id", request.at("data")}, {"username", username}});
  }

  FakeServer server_;
  std::unique_ptr<ResilientSession> session_;
  LineSink out_sink_;
  LineSink err_sink_;
  std::ostream out_{&out_sink_};
  std::ostream err_{&err_sink_};
  std::unique_ptr<ChatTerminal> terminal_;
};

TEST_F(ChatTerminalTest, EnterRoomJoinsSubscribesAndPrintsHistory) {
  auto entered = std::async(std::launch::async,
                            [&] { return terminal_->enter_room("general-chat", false, 20); });
  serve_enter_room({message_json(2, "older"), message_json(1, "oldest")});
  serve_username("bob_00007");

  Status status = entered.get();
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(out_sink_.text(),
            "* joined room general-chat\n"
            "[12:02:03] bob_00007: oldest\n"
            "[12:02:03] bob_00007: older\n");
  EXPECT_EQ(err_sink_.text(), "");
}

TEST_F(ChatTerminalTest, EnterRoomCreatesMissingRoom) {
  auto entered = std::async(std::launch::async,
                            [&] { return terminal_->enter_room("general-chat", true, 0); });
  server_.reply(expect_request("listRooms"),
                {{"roomInfos", boost::json::array()}, {"totalCount", "0"}});
  boost::json::object create = expect_request("createRoom");
  EXPECT_EQ(create.at("data").at("name"), "general-chat");
  server_.reply(create, room_json(3, "general-chat"));
  server_.reply_error(expect_request("joinRoom"), 400, "Cannot join room: already joined");
  // Without history, the session reads the newest message id itself.
  boost::json::object newest = expect_request("listMessages");
  EXPECT_EQ(newest.at("data").at("limit"), "1");
  server_.reply(newest, {{"messages", boost::json::array()}, {"totalCount", "0"}});
  boost::json::object subscribe = expect_request("subscribe");
  EXPECT_EQ(subscribe.at("data"), (boost::json::object{{"roomId", "3"}, {"afterMessageId", "0"}}));
  server_.reply(subscribe, "3");

  Status status = entered.get();
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(out_sink_.text(), "* created room general-chat\n* joined room general-chat\n");
  EXPECT_FALSE(server_.next_frame(100ms).has_value());
}

TEST_F(ChatTerminalTest, EnterMissingRoomFailsWithoutCreate) {
  auto entered = std::async(std::launch::async,
                            [&] { return terminal_->enter_room("general-chat", false, 20); });
  server_.reply(expect_request("listRooms"),
                {{"roomInfos", boost::json::array()}, {"totalCount", "0"}});

  Status status = entered.get();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, 0);
  EXPECT_NE(status.error().message.find("'general-chat' not found"), std::string::npos)
      << status.error().message;
  EXPECT_FALSE(server_.next_frame(100ms).has_value());
}

TEST_F(ChatTerminalTest, EnterRoomReportsJoinError) {
  auto entered = std::async(std::launch::async,
                            [&] { return terminal_->enter_room("general-chat", false, 20); });
  server_.reply(expect_request("listRooms"),
                {{"roomInfos", {room_json(3, "general-chat")}}, {"totalCount", "1"}});
  server_.reply_error(expect_request("joinRoom"), 400, "Cannot join room: blocked");

  Status status = entered.get();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, 400);
  EXPECT_EQ(status.error().message, "Cannot join room: blocked");
}

TEST_F(ChatTerminalTest, LineIsSentAndErrorPrinted) {
  auto entered = std::async(std::launch::async,
                            [&] { return terminal_->enter_room("general-chat", false, 20); });
  serve_enter_room({});
  ASSERT_TRUE(entered.get().ok());

  auto handled = std::async(std::launch::async, [&] { return terminal_->handle_line("hello\r"); });
  boost::json::object request = expect_request("send");
  const boost::json::object& data = request.at("data").as_object();
  EXPECT_EQ(data.at("roomId"), "3");
  EXPECT_EQ(data.at("message"), "hello");
  EXPECT_EQ(data.at("clientMessageId").as_string().size(), 36u);
  server_.reply_error(request, 403, "Cannot send message: not a member");

  EXPECT_TRUE(handled.get());
  EXPECT_EQ(err_sink_.text(), "error 403: Cannot send message: not a member\n");
  EXPECT_EQ(out_sink_.text(), "* joined room general-chat\n");
}

TEST_F(ChatTerminalTest, LineOutsideRoomIsNotSent) {
  EXPECT_TRUE(terminal_->handle_line("hello"));
  EXPECT_EQ(err_sink_.text(), "error: not in a room. Use /join NAME first\n");
  EXPECT_FALSE(server_.next_frame(100ms).has_value());
}

TEST_F(ChatTerminalTest, EmptyLineSendsNothing) {
  EXPECT_TRUE(terminal_->handle_line(""));
  EXPECT_TRUE(terminal_->handle_line("\r"));
  EXPECT_FALSE(server_.next_frame(100ms).has_value());
}

TEST_F(ChatTerminalTest, LocalCommandsNeedNoServer) {
  EXPECT_FALSE(terminal_->handle_line("/quit"));
  EXPECT_TRUE(terminal_->handle_line("/help"));
  EXPECT_NE(out_sink_.text().find("/join NAME"), std::string::npos) << out_sink_.text();

  EXPECT_TRUE(terminal_->handle_line("/dance"));
  EXPECT_TRUE(terminal_->handle_line("/members"));
  EXPECT_TRUE(terminal_->handle_line("/history x"));
  EXPECT_TRUE(terminal_->handle_line("/join"));
  EXPECT_EQ(err_sink_.text(),
            "error: unknown command '/dance'. Type /help for the list of commands\n"
            "error: not in a room. Use /join NAME first\n"
            "error: invalid count 'x': use /history [N] with N >= 0\n"
            "error: missing room name: use /join NAME\n");
  EXPECT_FALSE(server_.next_frame(100ms).has_value());
}

TEST_F(ChatTerminalTest, RoomsCommandListsRooms) {
  auto handled =
      std::async(std::launch::async, [&] { return terminal_->handle_line("/rooms chat"); });
  boost::json::object request = expect_request("listRooms");
  EXPECT_EQ(request.at("data").at("keyword"), "chat");
  boost::json::object described = room_json(4, "random-chat");
  described["description"] = "anything goes";
  server_.reply(request,
                {{"roomInfos", {room_json(3, "general-chat"), described}}, {"totalCount", "2"}});

  EXPECT_TRUE(handled.get());
  EXPECT_EQ(out_sink_.text(),
            "  general-chat (owner alice_0001)\n"
            "  random-chat (owner alice_0001): anything goes\n"
            "* 2 of 2 rooms\n");
}

TEST_F(ChatTerminalTest, LeaveUnsubscribesThenLeaves) {
  auto entered = std::async(std::launch::async,
                            [&] { return terminal_->enter_room("general-chat", false, 20); });
  serve_enter_room({});
  ASSERT_TRUE(entered.get().ok());

  auto handled = std::async(std::launch::async, [&] { return terminal_->handle_line("/leave"); });
  server_.reply(expect_request("unsubscribe"), "3");
  boost::json::object leave = expect_request("leaveRoom");
  EXPECT_EQ(leave.at("data"), "3");
  server_.reply(leave, "3");

  EXPECT_TRUE(handled.get());
  EXPECT_NE(out_sink_.text().find("* left room general-chat\n"), std::string::npos)
      << out_sink_.text();
  EXPECT_TRUE(terminal_->handle_line("/members"));
  EXPECT_NE(err_sink_.text().find("not in a room"), std::string::npos) << err_sink_.text();
}

TEST_F(ChatTerminalTest, PushesSkipMessagesShownInHistory) {
  auto entered = std::async(std::launch::async,
                            [&] { return terminal_->enter_room("general-chat", false, 20); });
  serve_enter_room({message_json(5, "from history")});
  serve_username("bob_00007");
  ASSERT_TRUE(entered.get().ok());

  terminal_->start_printing_pushes();
  server_.push(message_json(5, "from history"));
  server_.push(message_json(6, "live"));
  boost::json::object without_id = message_json(0, "live without id");
  without_id.erase("id");
  server_.push(without_id);

  EXPECT_TRUE(out_sink_.wait_for_lines(4, kWait)) << out_sink_.text();
  EXPECT_FALSE(out_sink_.wait_for_lines(5, 200ms)) << "the duplicate push was printed";
  terminal_->stop_printing_pushes();

  EXPECT_FALSE(server_.next_frame(0ms).has_value()) << "the cached username was requested";
  EXPECT_EQ(out_sink_.text(),
            "* joined room general-chat\n"
            "[12:02:03] bob_00007: from history\n"
            "[12:02:03] bob_00007: live\n"
            "[12:02:03] bob_00007: live without id\n");
}

}  // namespace
}  // namespace parley::client
