#include "reports/series.h"

#include "reports/touch_counters.h"

#include <algorithm>
#include <map>
#include <string_view>

namespace vmxb::reports {
namespace {

using nlohmann::json;

bool is_time_metric(const std::string& m) { return m == "real_time" || m == "cpu_time"; }

bool is_tick_counter(const std::string& m) {
  if (std::find(kTouchCounterNames.begin(), kTouchCounterNames.end(), m) != kTouchCounterNames.end()) return true;
  return m.rfind("cycles_", 0) == 0 || m.rfind("ticks_", 0) == 0 || m == "overhead" || m == "overhead_ticks";
}

bool run_control(const std::string& part) {
  for (const char* p : {"iterations:", "min_time:", "min_warmup_time:", "repeats:"})
    if (part.rfind(p, 0) == 0) return true;
  return part == "manual_time" || part == "real_time" || part == "process_time";
}

}  // namespace

std::string canonical_name(const std::string& run_name) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (start <= run_name.size()) {
    size_t end = run_name.find('/', start);
    if (end == std::string::npos) end = run_name.size();
    const std::string part = run_name.substr(start, end - start);
    if (first || !run_control(part)) {
      out += (first ? "" : "/") + part;
      first = false;
    }
    start = end + 1;
  }
  return out;
}

std::string unit_label(const Series& s) {
  if (s.emulated && s.unit != "ns")
    return s.unit == "instructions" || s.unit.empty() ? "instruction counts (emulated)" : s.unit + " (emulated)";
  if (s.unit.empty()) return s.metric;
  return s.unit;
}

RowOutcome row_outcome(const std::string& error) {
  constexpr std::string_view kUnsupported = "unsupported: ";
  if (error.empty()) return {};
  if (error.starts_with(kUnsupported)) return {RowOutcome::Kind::kUnsupported, error.substr(kUnsupported.size())};
  return {RowOutcome::Kind::kFailed, error};
}

bool runs_in_backend(const std::string& benchmark) { return benchmark.rfind("ring0/", 0) == 0; }

std::vector<Series> extract_series(const json& report, const std::string& metric) {
  const json& rows = report["google_benchmark"]["benchmarks"];
  const bool emulated = report["backend"]["emulated"].get<bool>();
  const std::string tick_unit = report["backend"]["tick_unit"].get<std::string>();

  // Canonical names, unless two run names would share one.
  std::map<std::string, std::string> name_of;
  {
    std::map<std::string, std::map<std::string, bool>> by_canonical;
    for (const json& row : rows) {
      const std::string run = row.value("run_name", row.value("name", std::string()));
      by_canonical[canonical_name(run)][run] = true;
    }
    for (const auto& [canonical, runs] : by_canonical)
      for (const auto& [run, unused] : runs) name_of[run] = runs.size() == 1 ? canonical : run;
  }

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
    const std::string name = name_of[row.value("run_name", row.value("name", std::string()))];
    const std::string run_type = row.value("run_type", std::string("iteration"));
    if (row.contains("big_o") || row.contains("rms")) continue;  // complexity rows: no samples
    Series& s = slot(name);
    if (s.metric.empty()) {
      if (metric == "auto")
        s.metric = row.contains("ticks_median") ? "ticks_median"
                   : row.contains("cycles_median") ? "cycles_median" : "real_time";
      else
        s.metric = metric;
      s.unit = is_time_metric(s.metric) ? "ns" : is_tick_counter(s.metric) ? tick_unit : "";
    }
    if (row.value("error_occurred", false)) {
      s.error = row.value("error_message", std::string("error"));
      continue;
    }
    double factor = is_time_metric(s.metric) ? nanos_per(row.value("time_unit", std::string("ns"))) : 1;
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
