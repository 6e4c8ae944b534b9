#pragma once

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "options.hpp"
#include "workers.hpp"

namespace parley::bench {

// Each workload sets up its clients, runs its steps, prints a table and
// returns its results for the JSON file. An Error means that set-up
// failed. A result with an "error" member ran to the end but failed its
// checks, for example because messages were lost.
Result<boost::json::object> run_fanout(const Options& options, Workers& workers);
Result<boost::json::object> run_rooms(const Options& options, Workers& workers);
Result<boost::json::object> run_history(const Options& options, Workers& workers);
Result<boost::json::object> run_idle(const Options& options, Workers& workers);
Result<boost::json::object> run_reconnect(const Options& options, Workers& workers);

}  // namespace parley::bench
