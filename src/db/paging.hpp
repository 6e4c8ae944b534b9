#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley::db {

// Offset paging and sort order of a list query. `order_field` is a client
// field name that the protocol layer has whitelisted for the operation
// (for example "createdAt"). Each repository maps it to a column through a
// fixed table and throws std::invalid_argument for a name not in that
// table. Every sorted query ends with `id ASC` as the tie-breaker, and text
// columns sort in byte order (COLLATE "C"). NULLs sort as PostgreSQL does
// by default: last when ascending, first when descending.
struct PageQuery {
  std::int32_t offset = 0;
  std::int32_t limit = 50;
  std::string order_field = "id";
  bool descending = false;
};

// One page of rows and the number of rows matching the filter, independent
// of offset and limit.
template <typename T>
struct Page {
  std::vector<T> items;
  std::int64_t total_count = 0;
};

}  // namespace parley::db
