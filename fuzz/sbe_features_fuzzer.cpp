// Decodes the input with the codecs generated from the test schema
// tests/unit/sbe/schemas/features.xml, which uses every construct sbe_gen
// supports. A Catalog that decodes is read in full, encoded again from the
// values read, and must decode to the same values.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "sbe_test/features.hpp"

namespace {

using namespace parley::sbe::features;

template <typename T>
void append(std::string& out, const std::optional<T>& value) {
  out += value ? std::to_string(static_cast<std::int64_t>(*value)) : "null";
  out += ',';
}

template <typename T>
void append(std::string& out, T value) {
  out += std::to_string(static_cast<std::int64_t>(value));
  out += ',';
}

void append(std::string& out, std::string_view text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
  out += ',';
}

// Every value of the message, in schema order.
std::string dump(const CatalogDecoder& catalog) {
  std::string out;
  append(out, catalog.catalog_id());
  append(out, catalog.ratio());
  append(out, catalog.side());
  append(out, catalog.status());
  append(out, catalog.grade());
  append(out, catalog.share());
  append(out, catalog.small());
  append(out, catalog.wide());

  auto sections = catalog.sections();
  append(out, sections.count());
  while (sections.next()) {
    append(out, sections.number());
    append(out, sections.side());
    auto items = sections.items();
    append(out, items.count());
    while (items.next()) {
      append(out, items.sku());
      append(out, items.label());
    }
    append(out, sections.heading());
  }

  auto tags = catalog.tags();
  append(out, tags.count());
  while (tags.next()) {
    append(out, tags.code());
  }

  append(out, catalog.title());
  append(out, catalog.blob());
  return out;
}

void encode_from(const CatalogDecoder& catalog, CatalogEncoder& encoder) {
  encoder.catalog_id(catalog.catalog_id())
      .ratio(catalog.ratio())
      .side(catalog.side())
      .status(catalog.status())
      .grade(catalog.grade())
      .share(catalog.share())
      .small(catalog.small())
      .wide(catalog.wide());
  auto sections = catalog.sections();
  auto section_encoder = encoder.sections(sections.count());
  while (sections.next()) {
    section_encoder.next().number(sections.number()).side(sections.side());
    auto items = sections.items();
    auto item_encoder = section_encoder.items(items.count());
    while (items.next()) {
      item_encoder.next().sku(items.sku()).label(items.label());
    }
    section_encoder.heading(sections.heading());
  }
  auto tags = catalog.tags();
  auto tag_encoder = encoder.tags(tags.count());
  while (tags.next()) {
    tag_encoder.next().code(tags.code());
  }
  encoder.title(catalog.title()).blob(catalog.blob());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  PaddedDecoder::decode(bytes);
  EmptyDecoder::decode(bytes);
  parley::Result<CatalogDecoder> decoded = CatalogDecoder::decode(bytes);
  if (!decoded.ok()) {
    return 0;
  }
  if (decoded->size() > size) {
    std::abort();
  }
  std::string values = dump(*decoded);

  // The re-encoding is at most as long as the input: it drops unknown block
  // bytes and trailing bytes but adds nothing.
  std::vector<std::uint8_t> buffer(size);
  CatalogEncoder encoder(buffer);
  encode_from(*decoded, encoder);
  if (!encoder.ok()) {
    std::abort();
  }
  parley::Result<CatalogDecoder> again =
      CatalogDecoder::decode(std::span<const std::uint8_t>(buffer.data(), encoder.size()));
  if (!again.ok() || dump(*again) != values) {
    std::abort();
  }
  return 0;
}
