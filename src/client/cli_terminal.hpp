#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "client/chat_session.hpp"
#include "client/resilient_session.hpp"
#include "common/error.hpp"

namespace parley::client {

// The interactive part of parley-cli: stdin lines to requests, replies and
// pushes to text. Chat lines and command output go to `out`, errors to
// `err`. A background thread prints messages between
// start_printing_pushes() and stop_printing_pushes(). Writes to both
// streams share one lock. Requests go through a ResilientSession, so they
// survive the loss of a node.
class ChatTerminal {
 public:
  // `send_deadline` bounds each message send, retries included.
  ChatTerminal(ResilientSession& session, std::ostream& out, std::ostream& err,
               std::chrono::milliseconds send_deadline = std::chrono::seconds(30));
  ~ChatTerminal();

  ChatTerminal(const ChatTerminal&) = delete;
  ChatTerminal& operator=(const ChatTerminal&) = delete;

  // Finds the room by name, creates it when missing and `create_if_missing`
  // is set, joins it (a room already joined is fine), reads its last
  // `history_count` messages, subscribes after the newest of them, and
  // prints them.
  Status enter_room(const std::string& name, bool create_if_missing, int history_count);

  // Runs one stdin line: a command when it starts with '/', otherwise a
  // message to send. Returns false for /quit.
  bool handle_line(const std::string& line);

  void start_printing_pushes();
  void stop_printing_pushes();

  // Prints `error <code>: <message>`, or `error: <message>` for code 0.
  void print_error(const Error& error);
  // Prints a line about a reconnect or a failed session.
  void print_state_change(const StateChange& change);

 private:
  void run_command(const std::string& command, const std::string& argument);
  void send_message(const std::string& text);
  void leave_current_room();
  void print_rooms(const std::string& keyword);
  void print_members();
  Result<std::vector<MessageInfo>> read_history(RoomId room_id, int count);
  void print_history(int count);
  void print_messages(const std::vector<MessageInfo>& messages);
  void print_message(const MessageInfo& message);
  void print_line(const std::string& text);
  void print_push_loop();
  bool require_room();

  ResilientSession& session_;
  std::ostream& out_;
  std::ostream& err_;
  const std::chrono::milliseconds send_deadline_;
  std::mutex output_mutex_;

  // The room that lines are sent to. Set and read only by the thread that
  // calls enter_room() and handle_line().
  std::optional<RoomInfo> room_;

  std::atomic<bool> stop_printing_{false};
  std::thread push_printer_;
};

}  // namespace parley::client
