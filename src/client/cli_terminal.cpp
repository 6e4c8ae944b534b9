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

ChatTerminal::ChatTerminal(ChatSession& session, std::ostream& out, std::ostream& err)
    : session_(session), out_(out), err_(err) {}

ChatTerminal::~ChatTerminal() { stop_printing_pushes(); }

Status ChatTerminal::enter_room(const std::string& name, bool create_if_missing,
                                int history_count) {
  Result<std::optional<RoomInfo>> found = session_.find_room(name);
  if (!found) {
    return found.error();
  }
  std::optional<RoomInfo> room = std::move(found.value());
  if (!room && create_if_missing) {
    Result<RoomInfo> created = session_.create_room(name);
    if (!created) {
      return created.error();
    }
    room = std::move(created.value());
    print_line("* created room " + name);
  }
  if (!room) {
    return Error{0, "room '" + name + "' not found. Check the name with /rooms"};
  }

  Result<RoomId> joined = session_.join_room(name);
  if (!joined && joined.error().message != kAlreadyJoined) {
    return joined.error();
  }
  Result<RoomId> subscribed = session_.subscribe(room->id);
  if (!subscribed) {
    return subscribed.error();
  }
  room_ = std::move(room);
  print_line("* joined room " + room_->name);
  if (history_count > 0) {
    print_history(history_count);
  }
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
  Result<RoomId> sent = session_.send(text);
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
  Result<RoomId> left = session_.leave_room(room_->id);
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
  Result<Page<RoomInfo>> page = session_.list_rooms(filter, 0);
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
  Result<std::vector<AccountInfo>> members = session_.list_members(room_->id);
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

void ChatTerminal::print_history(int count) {
  if (!require_room()) {
    return;
  }
  Result<std::vector<MessageInfo>> messages = session_.recent_messages(room_->id, count);
  if (!messages) {
    print_error(messages.error());
    return;
  }
  for (const MessageInfo& message : messages.value()) {
    print_message(message);
  }
  std::lock_guard lock(output_mutex_);
  history_room_ = room_->id;
  history_high_water_ = messages->empty() ? 0 : messages->back().id.value_or(0);
}

void ChatTerminal::print_message(const MessageInfo& message) {
  Result<std::string> username = session_.username_of(message.sender_id);
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
    std::optional<MessageInfo> message = session_.next_push(kPushPollInterval);
    if (!message) {
      if (!session_.connection().is_open()) {
        return;
      }
      continue;
    }
    bool is_duplicate = false;
    {
      std::lock_guard lock(output_mutex_);
      is_duplicate =
          history_room_ == message->room_id && message->id && *message->id <= history_high_water_;
    }
    if (!is_duplicate) {
      print_message(*message);
    }
  }
}

}  // namespace parley::client
