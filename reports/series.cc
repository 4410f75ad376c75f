#include "reports/series.h"

#include <algorithm>
#include <map>

namespace vmxb::reports {
namespace {

using nlohmann::json;

bool IsTimeMetric(const std::string& m) { return m == "real_time" || m == "cpu_time"; }

bool IsTickCounter(const std::string& m) { return m.rfind("cycles_", 0) == 0 || m == "overhead"; }

}  // namespace

double NanosPer(const std::string& u) {
  if (u == "ns") return 1;
  if (u == "us") return 1e3;
  if (u == "ms") return 1e6;
  if (u == "s") return 1e9;
  return 0;
}

std::string UnitLabel(const Series& s) {
  if (s.emulated && s.unit != "ns")
    return s.unit == "instructions" || s.unit.empty() ? "instruction counts (emulated)" : s.unit + " (emulated)";
  if (s.unit.empty()) return s.metric;
  return s.unit;
}

std::vector<Series> ExtractSeries(const json& report, const std::string& metric) {
  const json& rows = report["google_benchmark"]["benchmarks"];
  const bool emulated = report["backend"]["emulated"].get<bool>();
  const std::string tick_unit = report["backend"]["tick_unit"].get<std::string>();

  std::vector<Series> out;
  std::map<std::string, size_t> index;
  std::map<std::string, double> median_aggregate;
  auto slot = [&](const std::string& name) -> Series& {
    auto it = index.find(name);
    if (it == index.end()) {
      it = index.emplace(name, out.size()).first;
      out.push_back(Series{});
      out.back().name = name;
      out.back().emulated = emulated;
    }
    return out[it->second];
  };

  for (const json& row : rows) {
    const std::string name = row.value("run_name", row.value("name", std::string()));
    const std::string run_type = row.value("run_type", std::string("iteration"));
    if (row.contains("big_o") || row.contains("rms")) continue;  // complexity rows: no samples
    Series& s = slot(name);
    if (s.metric.empty()) {
      if (metric == "auto")
        s.metric = row.contains("cycles_median") ? "cycles_median" : "real_time";
      else
        s.metric = metric;
      s.unit = IsTimeMetric(s.metric) ? "ns" : IsTickCounter(s.metric) ? tick_unit : "";
    }
    if (row.value("error_occurred", false)) {
      s.error = row.value("error_message", std::string("error"));
      continue;
    }
    double factor = IsTimeMetric(s.metric) ? NanosPer(row.value("time_unit", std::string("ns"))) : 1;
    auto v = row.find(s.metric);
    if (run_type == "aggregate") {
      if (row.value("aggregate_name", std::string()) == "median" && v != row.end() && v->is_number()) {
        median_aggregate[name] = v->get<double>() * factor;
        s.repetitions = std::max<size_t>(s.repetitions, row.value("repetitions", 0));
      }
      continue;
    }
    if (v == row.end() || !v->is_number()) {
      s.error = "no \"" + s.metric + "\" in its rows";
      continue;
    }
    s.samples.push_back(v->get<double>() * factor);
    s.repetitions = std::max<size_t>(s.repetitions, s.samples.size());
  }
  for (Series& s : out) {
    if (s.samples.empty() && s.error.empty()) {
      auto it = median_aggregate.find(s.name);
      if (it != median_aggregate.end()) {
        s.samples.push_back(it->second);
        s.aggregates_only = true;
      }
    }
    if (!s.samples.empty() && !s.aggregates_only) s.error.clear();
  }
  std::erase_if(out, [](const Series& s) { return s.samples.empty() && s.error.empty(); });
  return out;
}

}  // namespace vmxb::reports
