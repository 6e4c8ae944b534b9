// Decodes the input as a binary client request frame, as the server does
// before dispatch. A request that decodes must encode again, as the client
// library encodes it, and decode to the same envelope. The input is also
// decoded as a server frame, as the client library does.

#include <cstdint>
#include <cstdlib>

#include "protocol/binary/frames.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> frame(data, size);
  parley::protocol::EnvelopeParse parsed = parley::protocol::binary::parse_request(frame);
  if (!parsed.envelope) {
    if (parsed.error.code != 400 || parsed.error.message != "Wrong message: invalid envelope") {
      std::abort();
    }
  } else {
    // Unknown templates decode to a qualifier without a binary form, so the
    // client library rejects them. It also rejects a few decoded values, such
    // as a direction other than ASC and DESC or a date after the year 9999.
    parley::Result<std::string> encoded =
        parley::protocol::binary::serialize_request(*parsed.envelope);
    if (encoded.ok()) {
      parley::protocol::EnvelopeParse again =
          parley::protocol::binary::parse_request(parley::protocol::binary::frame_bytes(*encoded));
      if (!again.envelope || again.envelope->cid != parsed.envelope->cid ||
          again.envelope->qualifier != parsed.envelope->qualifier ||
          again.envelope->data != parsed.envelope->data) {
        std::abort();
      }
    }
  }
  // The client side must reject or decode any frame without a crash.
  (void)parley::protocol::binary::parse_server_frame(frame);
  return 0;
}
