#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace parley::testing {

// Returns true when the log file `file` contains `text`.
inline bool log_contains(const std::filesystem::path& file, const std::string& text) {
  std::ifstream in(file);
  std::stringstream content;
  content << in.rdbuf();
  return content.str().find(text) != std::string::npos;
}

// Polls the log file every 100 ms until it contains `text`. Returns false
// when `timeout` passed first.
inline bool wait_for_log(const std::filesystem::path& file, const std::string& text,
                         std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!log_contains(file, text)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

}  // namespace parley::testing
