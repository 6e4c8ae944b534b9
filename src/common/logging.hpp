#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace parley {

// Returns the process-wide logger of one component ("net", "db", "kafka",
// ...), creating it on first use. All loggers share one stderr sink and the
// level set by set_log_level().
std::shared_ptr<spdlog::logger> logger(const std::string& component);

// Sets the level of every component logger: trace, debug, info, warn, error.
// Returns false when the name is not one of these.
bool set_log_level(const std::string& level_name);

}  // namespace parley
