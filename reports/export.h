// Exports of one report for existing dashboards.
//
// github-action-benchmark, tool "customSmallerIsBetter":
//   [{"name", "unit", "value", "range"?, "extra"?}]
// Bencher Metric Format (BMF):
//   {"<benchmark>": {"<measure>": {"value", "lower_value"?, "upper_value"?}}}
//
// Google Benchmark JSON, for Google Benchmark's own tools/compare.py:
//   {"context": {...}, "benchmarks": [{"name", "real_time", "cpu_time", "time_unit", ...}]}
//   one iteration row per repetition; real_time = cpu_time = the row's own
//   metric (cycles, ns, or emulated instruction counts), named in the row's name.
//   Rows without a value (unsupported, failed) are left out and listed in
//   context.vmxbench_left_out.
//
// No format can carry a row without a value (each needs a number), so every
// export leaves out unsupported and failed rows, and `reports export` names
// them on stderr (left_out_of_export): they never vanish unsaid.
//
// Every exported name is "BENCHMARK [BACKEND, MODEL]" (export_name), so rows
// of several backends or CPU models pushed into one suite stay apart.
// value = median over the repetitions; range/lower/upper from their spread.
// Emulated (Bochs) ticks go out as unit "instructions" and BMF measure
// "instructions", never as a latency.
#pragma once

#include <nlohmann/json.hpp>

namespace vmxb::reports {

nlohmann::json to_github_action_benchmark(const nlohmann::json& report);
nlohmann::json to_bencher_bmf(const nlohmann::json& report);
nlohmann::json to_gbench(const nlohmann::json& report);

// The rows every export leaves out, "NAME: why; NAME: why", or "" when none.
std::string left_out_of_export(const nlohmann::json& report);

// "ring0/invept_global [bochs (corei7_skylake_x)]", "ring0/invept_global
// [module, GenuineIntel family 6 model 85]": the emulated CPU when emulated,
// else the host's CPU model (what compare refuses to mix).
std::string export_name(const nlohmann::json& report, const std::string& benchmark, bool emulated);

}  // namespace vmxb::reports
