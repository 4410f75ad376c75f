// One value per repetition for each benchmark of a report: what compare,
// history, the dashboard and the exporters all work on.
//
// Metric "auto" (the default): the counter cycles_median when the rows carry
// it (ring-0 benchmarks: cycles on hardware, instruction ticks when emulated),
// else real_time converted to nanoseconds. Any other counter or "real_time" /
// "cpu_time" can be asked for by name.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmxb::reports {

struct Series {
  std::string name;    // Google Benchmark run_name (the name without /repeats: etc.)
  std::string metric;  // "cycles_median", "real_time", ...
  std::string unit;    // "ns", "cycles", "instructions" or "" (a counter of unknown unit)
  bool emulated = false;
  std::vector<double> samples;   // one per repetition, in run order
  bool aggregates_only = false;  // only aggregate rows: samples holds the median aggregate
  size_t repetitions = 0;
  std::string error;  // non-empty when the benchmark reported an error (samples empty)
};

std::vector<Series> ExtractSeries(const nlohmann::json& report, const std::string& metric = "auto");

// How a value of `s` is labelled for people: "cycles", "ns", and for emulated
// ticks "instruction counts (emulated)" (Bochs) or "<tick unit> (emulated)"
// (QEMU TCG), never a latency.
std::string UnitLabel(const Series& s);

// Nanoseconds per unit of Google Benchmark's time_unit ("ns", "us", "ms", "s"); 0 if unknown.
double NanosPer(const std::string& time_unit);

}  // namespace vmxb::reports
