// Exports of one report for existing dashboards.
//
// github-action-benchmark, tool "customSmallerIsBetter":
//   [{"name", "unit", "value", "range"?, "extra"?}]
// Bencher Metric Format (BMF):
//   {"<benchmark>": {"<measure>": {"value", "lower_value"?, "upper_value"?}}}
//
// value = median over the repetitions; range/lower/upper from their spread.
// Emulated (Bochs) ticks go out as unit "instructions" and BMF measure
// "instructions", never as a latency.
#pragma once

#include <nlohmann/json.hpp>

namespace vmxb::reports {

nlohmann::json to_github_action_benchmark(const nlohmann::json& report);
nlohmann::json to_bencher_bmf(const nlohmann::json& report);

}  // namespace vmxb::reports
