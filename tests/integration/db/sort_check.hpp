#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// The order PostgreSQL must return: by key in the given direction, then by
// id ascending. Strings compare as bytes, like COLLATE "C".
namespace parley::db::testing {

template <typename Row, typename Key>
std::vector<std::int64_t> expected_ids(std::vector<Row> rows, Key key, bool descending) {
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    const auto key_a = key(a);
    const auto key_b = key(b);
    if (key_a != key_b) return descending ? key_b < key_a : key_a < key_b;
    return a.id < b.id;
  });
  std::vector<std::int64_t> ids;
  for (const Row& row : rows) ids.push_back(row.id);
  return ids;
}

// A sort key for a nullable column: NULL is larger than every value, so it
// comes last ascending and first descending, as PostgreSQL sorts by default.
inline std::pair<bool, std::string> nulls_largest(const std::optional<std::string>& value) {
  return {!value.has_value(), value.value_or("")};
}

// The expected id order of some rows for one sort direction.
template <typename Row>
using ExpectedOrder = std::function<std::vector<std::int64_t>(const std::vector<Row>&, bool)>;

template <typename Row, typename Key>
ExpectedOrder<Row> order_by_key(Key key) {
  return [key](const std::vector<Row>& rows, bool descending) {
    return expected_ids(rows, key, descending);
  };
}

template <typename Row>
std::vector<std::int64_t> ids_of(const std::vector<Row>& rows) {
  std::vector<std::int64_t> ids;
  for (const Row& row : rows) ids.push_back(row.id);
  return ids;
}

}  // namespace parley::db::testing
