#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace parley::client {

// The node URLs a client may connect to, visited round-robin so that a
// reconnect goes to another node than the one just lost. Not thread-safe.
class NodeRotation {
 public:
  // Checks that `urls` is not empty and that every entry is a ws:// URL.
  // The error (code 0) names the first invalid URL. `first` is the index
  // of the URL that current() returns first, taken modulo the list size.
  static Result<NodeRotation> create(std::vector<std::string> urls, std::size_t first = 0);

  const std::string& current() const { return urls_[index_]; }
  // Moves to the next URL, after the last back to the first, and returns it.
  const std::string& advance();

  std::size_t size() const { return urls_.size(); }
  const std::vector<std::string>& urls() const { return urls_; }

 private:
  NodeRotation(std::vector<std::string> urls, std::size_t first);

  std::vector<std::string> urls_;
  std::size_t index_;
};

// Splits a comma-separated list of URLs, dropping empty entries and the
// spaces around each one.
std::vector<std::string> split_url_list(const std::string& text);

}  // namespace parley::client
