#include "client/node_rotation.hpp"

#include <utility>

#include "client/websocket_url.hpp"

namespace parley::client {

Result<NodeRotation> NodeRotation::create(std::vector<std::string> urls, std::size_t first) {
  if (urls.empty()) {
    return Error{0, "no node URL given: expected at least one ws:// URL"};
  }
  for (const std::string& url : urls) {
    if (Result<WebSocketUrl> parsed = parse_websocket_url(url); !parsed) {
      return parsed.error();
    }
  }
  std::size_t size = urls.size();
  return NodeRotation(std::move(urls), first % size);
}

NodeRotation::NodeRotation(std::vector<std::string> urls, std::size_t first)
    : urls_(std::move(urls)), index_(first) {}

const std::string& NodeRotation::advance() {
  index_ = (index_ + 1) % urls_.size();
  return urls_[index_];
}

std::vector<std::string> split_url_list(const std::string& text) {
  std::vector<std::string> urls;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string entry =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t first = entry.find_first_not_of(' ');
    if (first != std::string::npos) {
      std::size_t last = entry.find_last_not_of(' ');
      urls.push_back(entry.substr(first, last - first + 1));
    }
    if (comma == std::string::npos) {
      return urls;
    }
    start = comma + 1;
  }
}

}  // namespace parley::client
