// The clock counters of a ring-0 run (core/chunk_counters.h) on its row and
// in the JSON context: cycles_* beside ticks_*, retired instructions, SMI
// discards and the APERF/MPERF frequency ratio, or, where a source did not
// count, a row note saying so and where the reason is. Never a zero standing
// in for "not measured".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/backend.h"
#include "core/chunk_counters.h"
#include "stats/descriptive.h"

namespace vmxb::bench {

// From the image's CHUNKS keys (harness/PROTOCOL.md); nullopt if any is
// missing or not a number or state.
std::optional<core::ChunkTotals> chunk_totals_from(const std::map<std::string, std::string>& keys);

struct ClockCounters {
  std::map<std::string, double> counters;  // added to the row
  std::string note;                        // appended to the row's label ("" when all counted)
};

// `net` is the row's ticks after the overhead; `throughput_ticks` if the row has one.
ClockCounters clock_counters(const OpRun& run, const stats::SampleSummary& net, std::optional<double> throughput_ticks);

// The whole run's APERF/MPERF ratio and SMI discards, for the JSON context,
// from the rows that ran: "unavailable: ..." where nothing counted.
std::map<std::string, std::string> clock_context(const std::vector<const OpRun*>& runs);

// The TSC's rate from an image backend's clock facts (context keys
// vmxbench_tsc_hz_calibrated, then vmxbench_tsc_hz_cpuid): the PIT-measured
// rate first (measured on this platform, where CPUID 16H is only the nominal
// base clock and a VM may report either leaf wrong), then CPUID's. nullopt
// where neither is a number; `source` names the key used.
std::optional<double> tsc_hz_from_facts(const std::map<std::string, std::string>& facts, std::string* source);

}  // namespace vmxb::bench
