// One value per repetition for each benchmark of a report: what compare,
// history, the dashboard and the exporters all work on.
//
// Metric "auto" (the default): the counter ticks_median (//bench's ring-0
// rows: cycles on hardware, instruction ticks when emulated), else
// cycles_median, when the rows carry it; else real_time in nanoseconds. Any other counter or "real_time" /
// "cpu_time" can be asked for by name.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/timeutil.h"  // nanos_per

namespace vmxb::reports {

struct Series {
  std::string name;    // canonical_name(run_name)
  std::string metric;  // "cycles_median", "real_time", ...
  std::string unit;    // "ns", "cycles", "instructions" or "" (a counter of unknown unit)
  bool emulated = false;
  std::vector<double> samples;   // one per repetition, in run order
  bool aggregates_only = false;  // only aggregate rows: samples holds the median aggregate
  size_t repetitions = 0;
  std::string error;  // non-empty when the benchmark reported an error (samples empty)
};

std::vector<Series> extract_series(const nlohmann::json& report, const std::string& metric = "auto");

// Google Benchmark's run_name without the run-control parts it appends:
// "ring0/invept_global/iterations:1/manual_time" -> "ring0/invept_global".
// Dropped: iterations:*, min_time:*, min_warmup_time:*, repeats:*,
// manual_time, real_time, process_time. Kept: arguments, threads:*.
// (ExtractSeries keeps the full run_name when two would collide.)
std::string canonical_name(const std::string& run_name);

// How a value of `s` is labelled for people: "cycles", "ns", and for emulated
// ticks "instruction counts (emulated)" (Bochs) or "<tick unit> (emulated)"
// (QEMU TCG), never a latency.
std::string unit_label(const Series& s);

// What a benchmark row's error text says. //bench's ring-0 rows that did not
// run write "<status>: <reason>" (bench/ring0_benchmarks.cc, status names from
// core/run_types.h): "unsupported" is a fact about the CPU (the capability
// MSRs do not advertise the operation), every other status is a failure.
struct RowOutcome {
  enum class Kind { kMeasured, kUnsupported, kFailed };
  Kind kind = Kind::kMeasured;
  std::string reason;  // unsupported: what is missing; failed: the whole error text
};
RowOutcome row_outcome(const std::string& error);

// //bench runs its "ring0/" rows through the backend (module, Bochs, QEMU);
// every other family (userspace_capture/...) runs in bench's own process on
// the host's CPU, in real nanoseconds, whatever the backend
// (bench/ring0_rows.cc names the ring-0 rows).
bool runs_in_backend(const std::string& benchmark);


}  // namespace vmxb::reports
