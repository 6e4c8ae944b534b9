#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/types.hpp"
#include "db/paging.hpp"

// Helpers that build SQL text and parameters for the repositories. Client
// text only ever travels as a parameter, and these functions splice only
// fixed strings chosen by the code.
namespace parley::db::sql {

// Returns `keyword` with `\`, `%` and `_` escaped for LIKE ... ESCAPE '\',
// wrapped in `%` so that it matches as a substring.
std::string like_substring(std::string_view keyword);

// Array literals for ANY($n::bigint[]) and unnest($n::...[]) parameters.
std::string int64_array(const std::vector<std::int64_t>& values);
std::string text_array(const std::vector<std::optional<std::string>>& values);

std::string to_param(std::int64_t value);
std::string to_param(Timestamp value);

// One sortable client field and the column expression it maps to.
using SortColumns = std::vector<std::pair<std::string_view, std::string_view>>;

// Returns "ORDER BY <column> ASC|DESC[, <id_column> ASC]" for the page's
// order_field, looked up in `columns`. Throws std::invalid_argument when the
// field is not in the table.
std::string order_by(const SortColumns& columns, const PageQuery& page, std::string_view id_column);

// Returns "LIMIT $<first> OFFSET $<first + 1>" and appends both values to
// `params`.
std::string limit_offset(const PageQuery& page, std::vector<std::optional<std::string>>& params);

// True when `text` is valid UTF-8 without NUL bytes, so a text column can
// store it.
bool is_storable_text(std::string_view text);

}  // namespace parley::db::sql
