// Includes the support header before anything else, so a missing include in
// it fails this build.
#include "sbe/codec_support.hpp"

namespace parley::sbe::detail {
namespace {

static_assert(swap_bytes<std::uint16_t>(0x1234) == 0x3412);
static_assert(swap_bytes<std::int32_t>(0x01020304) == 0x04030201);
static_assert(swap_bytes<std::uint64_t>(0x0102030405060708ULL) == 0x0807060504030201ULL);

}  // namespace
}  // namespace parley::sbe::detail
