#include "integration/metrics/prometheus_text.hpp"

#include <cmath>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace parley::testing {
namespace {

const std::regex kTypeLine(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
const std::regex kHelpLine(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
const std::regex kSampleLine(
    R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*")\})? ([-+0-9.eE]+|\+Inf|NaN))");

// Returns the family a sample belongs to: its name, or for a histogram
// sample the name without the _bucket, _sum or _count suffix.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.contains(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string ending(suffix);
    if (name.size() > ending.size() && name.ends_with(ending)) {
      std::string base = name.substr(0, name.size() - ending.size());
      auto type = types.find(base);
      if (type != types.end() && type->second == "histogram") return base;
    }
  }
  return "";
}

Status check_histograms(const PrometheusText& parsed) {
  for (const auto& [family, type] : parsed.types) {
    if (type != "histogram") continue;
    double previous = 0;
    double infinite = -1;
    for (const auto& sample : parsed.samples) {
      if (sample.name != family + "_bucket") continue;
      if (sample.value < previous) return Error{0, family + " buckets are not cumulative"};
      previous = sample.value;
      if (sample.labels == R"(le="+Inf")") infinite = sample.value;
    }
    if (infinite < 0) return Error{0, family + " has no +Inf bucket"};
    try {
      if (parsed.value(family + "_count") != infinite) {
        return Error{0, family + "_count differs from its +Inf bucket"};
      }
      parsed.value(family + "_sum");
    } catch (const std::out_of_range&) {
      return Error{0, family + " lacks _count or _sum"};
    }
  }
  return Done{};
}

}  // namespace

double PrometheusText::value(const std::string& name, const std::string& labels) const {
  for (const auto& sample : samples) {
    if (sample.name == name && sample.labels == labels) return sample.value;
  }
  throw std::out_of_range("no sample " + name + "{" + labels + "}");
}

Result<PrometheusText> parse_prometheus_text(const std::string& text) {
  PrometheusText parsed;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    std::smatch match;
    const std::string where = "line " + std::to_string(number) + " '" + line + "'";
    if (std::regex_match(line, match, kTypeLine)) {
      if (!parsed.types.emplace(match[1], match[2]).second) {
        return Error{0, where + ": second # TYPE for one family"};
      }
    } else if (std::regex_match(line, kHelpLine)) {
      continue;
    } else if (std::regex_match(line, match, kSampleLine)) {
      PrometheusSample sample{match[1], match[3], 0};
      if (family_of(sample.name, parsed.types).empty()) {
        return Error{0, where + ": sample before the # TYPE line of its family"};
      }
      sample.value = match[4] == "+Inf" ? INFINITY : std::stod(match[4]);
      parsed.samples.push_back(std::move(sample));
    } else {
      return Error{0, where + ": neither # HELP, # TYPE nor a sample"};
    }
  }
  if (parsed.samples.empty()) return Error{0, "no samples"};
  if (auto histograms = check_histograms(parsed); !histograms) return histograms.error();
  return parsed;
}

}  // namespace parley::testing
