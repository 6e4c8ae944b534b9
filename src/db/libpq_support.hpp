#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// Helpers around libpq shared by the connection code.
namespace parley::db {

enum class SocketWait { kReady, kTimedOut, kFailed };

// Waits until `socket` is readable (or writable when `for_write`), or until
// `deadline` passes. Without a deadline it waits without bound, and with a
// deadline in the past it checks the socket without waiting. Retries on
// EINTR.
SocketWait wait_for_socket(int socket, bool for_write,
                           std::optional<std::chrono::steady_clock::time_point> deadline);

// Returns a libpq message on one line: its line breaks (and the tabs that
// indent continuation lines) become single spaces.
std::string one_line(std::string_view text);

}  // namespace parley::db
