#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace parley::testing {

// One sample line of the Prometheus text format: the metric name, its
// labels as written between the braces, and the value.
struct PrometheusSample {
  std::string name;
  std::string labels;
  double value = 0;
};

// The metric families of one exposition, by family name.
struct PrometheusText {
  std::map<std::string, std::string> types;
  std::vector<PrometheusSample> samples;

  // Value of the sample `name` with `labels`; throws std::out_of_range when
  // there is none.
  double value(const std::string& name, const std::string& labels = "") const;
};

// Parses the text exposition format 0.0.4 strictly: every line is a
// # HELP, a # TYPE or a sample; every sample belongs to a family declared
// by # TYPE (histogram samples end in _bucket, _sum or _count); values are
// numbers; histogram buckets are cumulative and the +Inf bucket equals
// _count. The Error names the line at fault.
Result<PrometheusText> parse_prometheus_text(const std::string& text);

}  // namespace parley::testing
