#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace parley::bench {

// The loopback source addresses connections bind to: 127.0.0.1 first, then
// 127.0.0.2, 127.0.0.3 and so on, each time one runs out of ephemeral ports.
// Thread-safe.
class SourceAddresses {
 public:
  static constexpr std::uint32_t kMaxAddresses = 254;

  // Index of the address new connections use; address = 127.0.0.(index + 1).
  std::uint32_t current() const { return current_.load(); }
  // Moves to the address after `exhausted` unless another connection already
  // did. Returns false when no address is left.
  bool advance_past(std::uint32_t exhausted);
  static std::string address_of(std::uint32_t index);

 private:
  std::atomic<std::uint32_t> current_{0};
};

}  // namespace parley::bench
