// Decodes the input as a Kafka record (any of the four templates, chosen by
// the header's template id). A record that decodes must encode again and
// decode to the same value.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kafka/records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  parley::Result<parley::kafka::Record> decoded = parley::kafka::decode(bytes);
  if (!decoded.ok()) {
    if (decoded.error().code != 400 || decoded.error().message.empty()) {
      std::abort();
    }
    return 0;
  }
  std::string encoded = parley::kafka::encode(*decoded);
  parley::Result<parley::kafka::Record> again = parley::kafka::decode(encoded);
  if (!again.ok() || !(*again == *decoded)) {
    std::abort();
  }
  if (parley::kafka::encode(*again) != encoded) {
    std::abort();
  }
  return 0;
}
