#include "client/cli_terminal.hpp"

#include <charconv>
#include <utility>

#include "client/cli_options.hpp"

namespace parley::client {
namespace {

// Exact error messages of the protocol that the terminal tolerates.
constexpr std::string_view kAlreadyJoined = "Cannot join room: already joined";
constexpr std::string_view kNotSubscribed = "Not subscribed";

constexpr int kDefaultHistoryCount = 20;
constexpr std::chrono::milliseconds kPushPollInterval{100};

std::optional<int> parse_count(const std::string& text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

ChatTerminal::ChatTerminal(ResilientSession& session, std::ostream& out, std::ostream& err,
                           std::chrono::milliseconds send_deadline)
    : session_(session), out_(out), err_(err), send_deadline_(send_deadline) {}

ChatTerminal::~ChatTerminal() { stop_printing_pushes(); }

Status ChatTerminal::enter_room(const std::string& name, bool create_if_missing,
                                int history_count) {
  Result<std::optional<RoomInfo>> found =
      session_.run([&](ChatSession& chat) { return chat.find_room(name); });
  if (!found) {
    return found.error();
  }
  std::optional<RoomInfo> room = std::move(found.value());
  if (!room && create_if_missing) {
    Result<RoomInfo> created =
        session_.run([&](ChatSession& chat) { return chat.create_room(name); });
    if (!created) {
      return created.error();
    }
    room = std::move(created.value());
    print_line("* created room " + name);
  }
  if (!room) {
    return Error{0, "room '" + name + "' not found. Check the name with /rooms"};
  }

  Result<RoomId> joined = session_.run([&](ChatSession& chat) { return chat.join_room(name); });
  if (!joined && joined.error().message != kAlreadyJoined) {
    return joined.error();
  }

  // The history is read before subscribing, and the subscription starts
  // after its newest message, so that no message is missed or printed twice
  // in between.
  std::vector<MessageInfo> history;
  std::optional<MessageId> after;
  if (history_count > 0) {
    Result<std::vector<MessageInfo>> read = read_history(room->id, history_count);
    if (!read) {
      return read.error();
    }
    history = std::move(read.value());
    after = history.empty() ? 0 : history.back().id.value_or(0);
  }
  Result<RoomId> subscribed = session_.subscribe(room->id, after);
  if (!subscribed) {
    return subscribed.error();
  }
  room_ = std::move(room);
  print_line("* joined room " + room_->name);
  print_messages(history);
  return Done{};
}

bool ChatTerminal::handle_line(const std::string& raw_line) {
  std::string line = raw_line;
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  if (line.empty()) {
    return true;
  }
  if (line.front() != '/') {
    send_message(line);
    return true;
  }

  auto space = line.find(' ');
  std::string command = line.substr(0, space);
  std::string argument = space == std::string::npos ? "" : line.substr(space + 1);
  if (command == "/quit") {
    return false;
  }
  run_command(command, argument);
  return true;
}

void ChatTerminal::run_command(const std::string& command, const std::string& argument) {
  if (command == "/join") {
    if (argument.empty()) {
      print_error(Error{0, "missing room name: use /join NAME"});
      return;
    }
    Status entered = enter_room(argument, false, kDefaultHistoryCount);
    if (!entered) {
      print_error(entered.error());
    }
  } else if (command == "/leave") {
    leave_current_room();
  } else if (command == "/rooms") {
    print_rooms(argument);
  } else if (command == "/members") {
    print_members();
  } else if (command == "/history") {
    std::optional<int> count = argument.empty() ? kDefaultHistoryCount : parse_count(argument);
    if (!count) {
      print_error(Error{0, "invalid count '" + argument + "': use /history [N] with N >= 0"});
      return;
    }
    print_history(*count);
  } else if (command == "/help") {
    std::string help = command_help_text();
    help.pop_back();  // print_line() adds the final newline.
    print_line(help);
  } else {
    print_error(Error{0, "unknown command '" + command + "'. Type /help for the list of commands"});
  }
}

void ChatTerminal::send_message(const std::string& text) {
  if (!require_room()) {
    return;
  }
  Result<SentMessage> sent = session_.send(text, send_deadline_);
  if (!sent) {
    print_error(sent.error());
  }
}

void ChatTerminal::leave_current_room() {
  if (!require_room()) {
    return;
  }
  // Unsubscribing first stops pushes at once. leaveRoom alone ends the
  // subscription only when the room event comes back through Kafka.
  Result<RoomId> unsubscribed = session_.unsubscribe();
  if (!unsubscribed && unsubscribed.error().message != kNotSubscribed) {
    print_error(unsubscribed.error());
    return;
  }
  Result<RoomId> left = session_.run([&](ChatSession& chat) { return chat.leave_room(room_->id); });
  if (!left) {
    print_error(left.error());
    return;
  }
  print_line("* left room " + room_->name);
  room_.reset();
}

void ChatTerminal::print_rooms(const std::string& keyword) {
  std::optional<std::string> filter;
  if (!keyword.empty()) {
    filter = keyword;
  }
  Result<Page<RoomInfo>> page =
      session_.run([&](ChatSession& chat) { return chat.list_rooms(filter, 0); });
  if (!page) {
    print_error(page.error());
    return;
  }
  std::string text;
  for (const RoomInfo& room : page->items) {
    text += "  " + room.name + " (owner " + room.owner + ")";
    if (room.description) {
      text += ": " + *room.description;
    }
    text += "\n";
  }
  text += "* " + std::to_string(page->items.size()) + " of " + std::to_string(page->total_count) +
          " rooms";
  print_line(text);
}

void ChatTerminal::print_members() {
  if (!require_room()) {
    return;
  }
  Result<std::vector<AccountInfo>> members =
      session_.run([&](ChatSession& chat) { return chat.list_members(room_->id); });
  if (!members) {
    print_error(members.error());
    return;
  }
  std::string text;
  for (const AccountInfo& member : members.value()) {
    text += "  " + member.username + "\n";
  }
  text += "* " + std::to_string(members->size()) + " members in " + room_->name;
  print_line(text);
}

Result<std::vector<MessageInfo>> ChatTerminal::read_history(RoomId room_id, int count) {
  return session_.run([&](ChatSession& chat) { return chat.recent_messages(room_id, count); });
}

void ChatTerminal::print_history(int count) {
  if (!require_room()) {
    return;
  }
  Result<std::vector<MessageInfo>> messages = read_history(room_->id, count);
  if (!messages) {
    print_error(messages.error());
    return;
  }
  print_messages(messages.value());
}

void ChatTerminal::print_messages(const std::vector<MessageInfo>& messages) {
  for (const MessageInfo& message : messages) {
    print_message(message);
  }
}

void ChatTerminal::print_message(const MessageInfo& message) {
  Result<std::string> username =
      session_.run([&](ChatSession& chat) { return chat.username_of(message.sender_id); });
  std::string sender = username ? username.value() : "#" + std::to_string(message.sender_id);
  print_line("[" + format_local_time(message.timestamp) + "] " + sender + ": " + message.text);
}

void ChatTerminal::print_line(const std::string& text) {
  std::lock_guard lock(output_mutex_);
  out_ << text << '\n' << std::flush;
}

void ChatTerminal::print_error(const Error& error) {
  std::lock_guard lock(output_mutex_);
  if (error.code == 0) {
    err_ << "error: " << error.message << '\n' << std::flush;
  } else {
    err_ << "error " << error.code << ": " << error.message << '\n' << std::flush;
  }
}

void ChatTerminal::print_state_change(const StateChange& change) {
  switch (change.state) {
    case SessionState::kReconnecting:
      print_line("* lost the connection to " + change.url + " (" + change.reason +
                 "), reconnecting");
      break;
    case SessionState::kConnected:
      print_line("* reconnected to " + change.url);
      break;
    case SessionState::kFailed:
      print_error(Error{0, "gave up reconnecting: " + change.reason});
      break;
    case SessionState::kClosed:
      break;
  }
}

bool ChatTerminal::require_room() {
  if (room_) {
    return true;
  }
  print_error(Error{0, "not in a room. Use /join NAME first"});
  return false;
}

void ChatTerminal::start_printing_pushes() {
  stop_printing_ = false;
  push_printer_ = std::thread([this] { print_push_loop(); });
}

void ChatTerminal::stop_printing_pushes() {
  stop_printing_ = true;
  if (push_printer_.joinable()) {
    push_printer_.join();
  }
}

void ChatTerminal::print_push_loop() {
  while (!stop_printing_) {
    std::optional<MessageInfo> message = session_.next_message(kPushPollInterval);
    if (message) {
      print_message(*message);
      continue;
    }
    SessionState state = session_.state();
    if (state == SessionState::kFailed || state == SessionState::kClosed) {
      return;
    }
  }
}

}  // namespace parley::client
