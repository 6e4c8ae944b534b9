#pragma once

#include <map>
#include <optional>
#include <string>

#include "connection.hpp"

namespace parley::bench {

// Fetches GET /metrics from the node at `endpoint` (its HTTP port is its
// WebSocket port) and returns every sample without labels by metric name.
// Returns nullopt when the request fails.
std::optional<std::map<std::string, double>> scrape_metrics(const Endpoint& endpoint);

}  // namespace parley::bench
