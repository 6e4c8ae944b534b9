#include "client/cli_options.hpp"

#include <sstream>

#include <boost/program_options.hpp>

#include "client/node_rotation.hpp"
#include "client/websocket_url.hpp"

namespace parley::client {
namespace {

namespace po = boost::program_options;

po::options_description describe_flags(CliOptions& options) {
  po::options_description flags("Flags");
  // clang-format off
  flags.add_options()
      ("help", "print this help and exit")
      ("url", po::value<std::vector<std::string>>()->composing()->value_name("URL"),
       "WebSocket URL of a Parley node, for example ws://127.0.0.1:8080/ (required). "
       "Repeat the flag or separate URLs with commas to give several nodes: the client "
       "connects to the first that accepts and, when the connection is lost, to the next")
      ("username", po::value(&options.username)->value_name("NAME"),
       "username to log in with (required)")
      ("password", po::value(&options.password)->value_name("TEXT"),
       "password to log in with. Without this flag, the PARLEY_PASSWORD environment "
       "variable is used")
      ("email", po::value<std::string>()->value_name("ADDRESS"),
       "e-mail address of the new account (required with --create-account)")
      ("create-account",
       "create the account before logging in. An account that already exists is not "
       "an error")
      ("room", po::value<std::string>()->value_name("NAME"),
       "room to join and subscribe to after login")
      ("create-room", "create the room given by --room when no room has that name")
      ("history", po::value(&options.history_count)->value_name("N"),
       "number of past messages of the room to print after joining (default 20)")
      ("linger-ms", po::value(&options.linger_ms)->value_name("MS"),
       "milliseconds to keep printing pushes after stdin ends (default 500)")
      ("timeout-ms", po::value(&options.timeout_ms)->value_name("MS"),
       "milliseconds to wait for the connection and for each reply (default 5000)")
      ("send-deadline-ms", po::value(&options.send_deadline_ms)->value_name("MS"),
       "milliseconds within which a message must be acknowledged, retries on other nodes "
       "included, before it is reported as possibly not delivered (default 30000)")
      ("reconnect-timeout-ms", po::value(&options.reconnect_timeout_ms)->value_name("MS"),
       "milliseconds to keep trying to reconnect after the connection was lost, before "
       "exiting with 3 (default 60000)")
      ("encoding", po::value<std::string>()->value_name("FORMAT"),
       "wire format of requests, replies and pushes: json (text frames, the default) or "
       "sbe (binary frames)");
  // clang-format on
  return flags;
}

Error usage_error(const std::string& message) { return Error{0, message}; }

}  // namespace

Result<CliOptions> parse_cli_options(const std::vector<std::string>& arguments,
                                     const std::optional<std::string>& environment_password) {
  CliOptions options;
  po::options_description flags = describe_flags(options);
  po::variables_map values;
  try {
    po::store(po::command_line_parser(arguments).options(flags).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    return usage_error(error.what());
  }

  if (values.count("help") != 0) {
    options.help_requested = true;
    return options;
  }
  if (values.count("email") != 0) {
    options.email = values["email"].as<std::string>();
  }
  if (values.count("room") != 0) {
    options.room = values["room"].as<std::string>();
  }
  options.create_account = values.count("create-account") != 0;
  options.create_room = values.count("create-room") != 0;
  if (values.count("password") == 0 && environment_password) {
    options.password = *environment_password;
  }
  if (values.count("encoding") != 0) {
    const std::string& encoding = values["encoding"].as<std::string>();
    if (encoding == "json") {
      options.encoding = Encoding::kJson;
    } else if (encoding == "sbe") {
      options.encoding = Encoding::kSbe;
    } else {
      return usage_error("invalid value '" + encoding + "' for '--encoding': expected json or sbe");
    }
  }

  if (values.count("url") != 0) {
    for (const std::string& flag : values["url"].as<std::vector<std::string>>()) {
      for (std::string& url : split_url_list(flag)) {
        options.urls.push_back(std::move(url));
      }
    }
  }
  if (options.urls.empty()) {
    return usage_error("the flag '--url' is required");
  }
  for (const std::string& text : options.urls) {
    if (Result<WebSocketUrl> url = parse_websocket_url(text); !url) {
      return usage_error(url.error().message);
    }
  }
  if (options.username.empty()) {
    return usage_error("the flag '--username' is required");
  }
  if (values.count("password") == 0 && !environment_password) {
    return usage_error(
        "the flag '--password' or the PARLEY_PASSWORD environment variable is required");
  }
  if (options.create_account && !options.email) {
    return usage_error("the flag '--email' is required with '--create-account'");
  }
  if (options.create_room && !options.room) {
    return usage_error("the flag '--room' is required with '--create-room'");
  }
  if (options.history_count < 0) {
    return usage_error("invalid value " + std::to_string(options.history_count) +
                       " for '--history': expected 0 or more");
  }
  if (options.linger_ms < 0) {
    return usage_error("invalid value " + std::to_string(options.linger_ms) +
                       " for '--linger-ms': expected 0 or more");
  }
  if (options.timeout_ms < 1) {
    return usage_error("invalid value " + std::to_string(options.timeout_ms) +
                       " for '--timeout-ms': expected 1 or more");
  }
  if (options.send_deadline_ms < 1) {
    return usage_error("invalid value " + std::to_string(options.send_deadline_ms) +
                       " for '--send-deadline-ms': expected 1 or more");
  }
  if (options.reconnect_timeout_ms < 1) {
    return usage_error("invalid value " + std::to_string(options.reconnect_timeout_ms) +
                       " for '--reconnect-timeout-ms': expected 1 or more");
  }
  return options;
}

std::string command_help_text() {
  return "Commands:\n"
         "  /join NAME       join the room NAME and subscribe to it\n"
         "  /leave           leave the current room\n"
         "  /rooms [KEYWORD] list rooms whose name or description contains KEYWORD\n"
         "  /members         list the members of the current room\n"
         "  /history [N]     print the last N messages of the current room (default 20)\n"
         "  /quit            exit\n"
         "  /help            list these commands\n";
}

std::string cli_help_text() {
  CliOptions unused;
  std::ostringstream text;
  text << "Usage: parley-cli --url URL[,URL...] --username NAME --password TEXT\n"
          "                  [--email ADDRESS --create-account]\n"
          "                  [--room NAME [--create-room]] [--history N]\n"
          "                  [--encoding json|sbe]\n"
          "\n"
          "Command-line chat client for a Parley node. After login it reads lines from\n"
          "stdin and sends each one to the room. Lines starting with '/' are commands.\n"
          "Messages are printed as [HH:MM:SS] <username>: <text> in local time.\n"
          "When the connection is lost, the client prints a line starting with '*',\n"
          "reconnects to the next node, logs in again with a session token, and\n"
          "resumes the room without missing or repeating a message.\n"
          "\n"
       << describe_flags(unused) << "\n"
       << command_help_text()
       << "\n"
          "Errors are printed to stderr as 'error <code>: <message>' for server errors\n"
          "and 'error: <message>' for local ones.\n"
          "\n"
          "Exit codes:\n"
          "  0  stdin ended or /quit\n"
          "  1  a server error or timeout during account, login or room setup\n"
          "  2  usage error\n"
          "  3  cannot connect, or cannot reconnect within --reconnect-timeout-ms\n";
  return text.str();
}

}  // namespace parley::client
