#include "reports/export.h"

#include <algorithm>
#include <cstdio>

#include "reports/report.h"
#include "reports/series.h"
#include "stats/descriptive.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string backend(const json& r) { return backend_label(r["backend"]); }

}  // namespace

json to_github_action_benchmark(const json& report) {
  json out = json::array();
  for (const Series& s : extract_series(report)) {
    if (s.samples.empty()) continue;
    json e = {{"name", s.name},
              {"unit", s.emulated && s.unit != "ns" ? (s.unit.empty() ? s.metric : s.unit) + " (emulated)" : s.unit},
              {"value", stats::median(s.samples)}};
    if (s.unit.empty()) e["unit"] = s.metric;
    if (s.samples.size() >= 2) e["range"] = "± " + num(stats::sample_stddev(s.samples));
    e["extra"] = "host: " + report["host"]["name"].get<std::string>() + "\nbackend: " + backend(report) +
                 "\nmetric: " + s.metric + " (median of " + std::to_string(s.samples.size()) +
                 " repetition(s))\nsuite: " + report["suite_version"].get<std::string>() +
                 "\ntimestamp: " + report["timestamp"].get<std::string>();
    out.push_back(std::move(e));
  }
  return out;
}

json to_bencher_bmf(const json& report) {
  json out = json::object();
  for (const Series& s : extract_series(report)) {
    if (s.samples.empty()) continue;
    std::string measure = s.unit == "ns" ? "latency" : s.unit.empty() ? s.metric : s.unit;
    json m = {{"value", stats::median(s.samples)}};
    if (s.samples.size() >= 2) {
      m["lower_value"] = *std::min_element(s.samples.begin(), s.samples.end());
      m["upper_value"] = *std::max_element(s.samples.begin(), s.samples.end());
    }
    out[s.name][measure] = m;
  }
  return out;
}

}  // namespace vmxb::reports
