#include "source_addresses.hpp"

#include <fmt/format.h>

namespace parley::bench {

bool SourceAddresses::advance_past(std::uint32_t exhausted) {
  if (exhausted + 1 >= kMaxAddresses) return false;
  std::uint32_t expected = exhausted;
  current_.compare_exchange_strong(expected, exhausted + 1);
  return true;
}

std::string SourceAddresses::address_of(std::uint32_t index) {
  return fmt::format("127.0.0.{}", index + 1);
}

}  // namespace parley::bench
