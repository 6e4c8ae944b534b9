// Includes the generated header before anything else, so a missing include
// in it fails this build. The checks are compile-time facts of the schema.
#include "sbe/parley_sbe.hpp"

namespace parley::sbe {
namespace {

static_assert(kMessageHeaderLength == 8);
static_assert(kSchemaId == 100);
static_assert(RoomMessageEncoder::kBlockLength == RoomMessageDecoder::kBlockLength);
static_assert(is_valid(BooleanType::F) && is_valid(BooleanType::T));
static_assert(!is_valid(static_cast<BooleanType>(2)));

}  // namespace
}  // namespace parley::sbe
