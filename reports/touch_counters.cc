#include "reports/touch_counters.h"

#include <cstdlib>
#include <string_view>

#include "reports/series.h"
#include "stats/descriptive.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

constexpr std::string_view kPagesPart = "/pages:";

double number_or(const json& row, const std::string& key, double fallback) {
  const auto it = row.find(key);
  return it != row.end() && it->is_number() ? it->get<double>() : fallback;
}

}  // namespace

std::map<std::string, TouchCounters> touch_counters(const json& report) {
  struct Collected {
    TouchCounters c;
    std::vector<double> flush;
    std::map<std::string, std::vector<double>> values;
    bool from_iterations = false;
  };
  std::map<std::string, Collected> by_name;
  for (const json& row : report["google_benchmark"]["benchmarks"]) {
    if (!row.contains("refill") || row.value("error_occurred", false)) continue;
    const bool iteration = row.value("run_type", std::string("iteration")) == "iteration";
    if (!iteration && row.value("aggregate_name", std::string()) != "median") continue;
    const std::string name = canonical_name(row.value("run_name", row.value("name", std::string())));
    Collected& col = by_name[name];
    if (iteration && !col.from_iterations) {  // iteration rows win over a median aggregate
      col = Collected{};
      col.from_iterations = true;
    } else if (!iteration && col.from_iterations) {
      continue;
    }
    col.c.name = name;
    const size_t at = name.rfind(kPagesPart);
    col.c.family = at == std::string::npos ? name : name.substr(0, at);
    const double pages_in_name = at == std::string::npos ? 0 : std::atof(name.c_str() + at + kPagesPart.size());
    col.c.pages = static_cast<int>(number_or(row, "pages", pages_in_name));
    col.flush.push_back(number_or(row, "ticks_median", number_or(row, "cycles_median", 0)));
    for (const std::string& counter : kTouchCounterNames)
      if (row.contains(counter) && row[counter].is_number()) col.values[counter].push_back(row[counter].get<double>());
  }
  std::map<std::string, TouchCounters> out;
  for (auto& [name, col] : by_name) {
    TouchCounters c = col.c;
    c.flush = stats::median(col.flush);
    c.repetitions = col.flush.size();
    for (const auto& [counter, values] : col.values) c.medians[counter] = stats::median(values);
    out[name] = c;
  }
  return out;
}

}  // namespace vmxb::reports
