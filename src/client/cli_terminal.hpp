#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "client/chat_session.hpp"
#include "common/error.hpp"

namespace parley::client {

// The interactive part of parley-cli: stdin lines to requests, replies and
// pushes to text. Chat lines and command output go to `out`, errors to
// `err`. A background thread prints pushes between start_printing_pushes()
// and stop_printing_pushes(). Writes to both streams share one lock.
class ChatTerminal {
 public:
  ChatTerminal(ChatSession& session, std::ostream& out, std::ostream& err);
  ~ChatTerminal();

  ChatTerminal(const ChatTerminal&) = delete;
  ChatTerminal& operator=(const ChatTerminal&) = delete;

  // Finds the room by name, creates it when missing and `create_if_missing`
  // is set, joins it (a room already joined is fine), subscribes, and prints
  // its last `history_count` messages.
  Status enter_room(const std::string& name, bool create_if_missing, int history_count);

  // Runs one stdin line: a command when it starts with '/', otherwise a
  // message to send. Returns false for /quit.
  bool handle_line(const std::string& line);

  void start_printing_pushes();
  void stop_printing_pushes();

  // Prints `error <code>: <message>`, or `error: <message>` for code 0.
  void print_error(const Error& error);

 private:
  void run_command(const std::string& command, const std::string& argument);
  void send_message(const std::string& text);
  void leave_current_room();
  void print_rooms(const std::string& keyword);
  void print_members();
  void print_history(int count);
  void print_message(const MessageInfo& message);
  void print_line(const std::string& text);
  void print_push_loop();
  bool require_room();

  ChatSession& session_;
  std::ostream& out_;
  std::ostream& err_;
  std::mutex output_mutex_;

  // The room that lines are sent to. Set and read only by the thread that
  // calls enter_room() and handle_line().
  std::optional<RoomInfo> room_;
  // Room and highest message id of the last history printed, guarded by
  // output_mutex_. A message sent between subscribe and listMessages
  // arrives both as a push and in the history, so pushes up to this id are
  // not printed again.
  std::optional<RoomId> history_room_;
  MessageId history_high_water_ = 0;

  std::atomic<bool> stop_printing_{false};
  std::thread push_printer_;
};

}  // namespace parley::client
