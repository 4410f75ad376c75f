#include "bench/clock_counters.h"

#include <cstdio>
#include <cstdlib>

namespace vmxb::bench {
namespace {

using core::ChunkField;
using core::CounterSource;
using core::CounterState;

bool parse_u64(const std::string& s, uint64_t* v) {
  if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  char* end = nullptr;
  *v = std::strtoull(s.c_str(), &end, 10);
  return *end == '\0';
}

// What a source that did not count says on the row: the measurement fact's
// reason is in the context (vmxbench_<fact>), a run-time state explains itself.
std::string not_counted(const char* what, CounterState s, const char* fact) {
  if (s == CounterState::kUnavailable) return std::string(what) + " unavailable (context vmxbench_" + fact + ")";
  return std::string(what) + " " + core::kCounterStateMeanings[static_cast<int>(s)];
}

std::string percent(double share) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", share * 100);
  return b;
}

}  // namespace

std::optional<core::ChunkTotals> chunk_totals_from(const std::map<std::string, std::string>& keys) {
  core::ChunkTotals t;
  for (size_t i = 0; i < std::size(core::kChunkFieldNames); ++i) {
    const auto it = keys.find(core::kChunkFieldNames[i]);
    if (it == keys.end() || !parse_u64(it->second, &t.value[i])) return std::nullopt;
  }
  for (size_t i = 0; i < std::size(core::kCounterSourceNames); ++i) {
    const auto it = keys.find(core::kCounterSourceNames[i]);
    if (it == keys.end()) return std::nullopt;
    bool known = false;
    for (size_t s = 0; s < std::size(core::kCounterStateNames); ++s)
      if (it->second == core::kCounterStateNames[s]) t.state[i] = static_cast<CounterState>(s), known = true;
    if (!known) return std::nullopt;
  }
  return t;
}

ClockCounters clock_counters(const OpRun& run, const stats::SampleSummary& net, std::optional<double> throughput_ticks) {
  ClockCounters c;
  if (!run.chunks) {
    c.note = "clock counters not reported by this backend";
    return c;
  }
  const core::ChunkTotals& t = *run.chunks;
  std::vector<std::string> notes;
  const CounterState pmu = t[CounterSource::kPmu];
  if (pmu == CounterState::kCounted || pmu == CounterState::kPartial) {
    // Cycles per tick of exactly the chunks that counted (core::clock_math).
    const double per_tick = core::clock_math::cycles_per_tick(t);
    c.counters["cycles_per_tick"] = per_tick;
    c.counters["cycles_min"] = net.min * per_tick;
    c.counters["cycles_median"] = net.median * per_tick;
    c.counters["cycles_p99"] = net.p99 * per_tick;
    c.counters["cycles_mean"] = net.mean * per_tick;
    if (throughput_ticks) c.counters["throughput_cycles"] = *throughput_ticks * per_tick;
    if (t[ChunkField::kExecutions] > 0)
      c.counters["instructions_per_execution"] =
          static_cast<double>(t[ChunkField::kInstructions]) / static_cast<double>(t[ChunkField::kExecutions]);
    if (pmu == CounterState::kPartial) notes.push_back(not_counted("cycles", pmu, "core_cycles"));
  } else {
    notes.push_back(not_counted("cycles", pmu, "core_cycles"));
  }
  if (t[CounterSource::kSmi] == CounterState::kCounted)
    c.counters["smi_discarded"] = static_cast<double>(t[ChunkField::kSmiDiscarded]);
  else
    notes.push_back(not_counted("SMI count", t[CounterSource::kSmi], "smi_count"));
  if (t[CounterSource::kAperfMperf] == CounterState::kCounted && t[ChunkField::kMperf] > 0) {
    c.counters["aperf_mperf_ratio"] =
        static_cast<double>(t[ChunkField::kAperf]) / static_cast<double>(t[ChunkField::kMperf]);
    c.counters["freq_ratio_min"] = static_cast<double>(t[ChunkField::kRatioMinPpm]) / 1e6;
    c.counters["freq_ratio_max"] = static_cast<double>(t[ChunkField::kRatioMaxPpm]) / 1e6;
    const bool moved = core::clock_math::frequency_moved(t);
    c.counters["frequency_warning"] = moved ? 1 : 0;
    if (moved)
      notes.push_back("frequency warning: APERF/MPERF moved " +
                      std::to_string(core::clock_math::spread_percent(
                          static_cast<uint32_t>(t[ChunkField::kRatioMinPpm]),
                          static_cast<uint32_t>(t[ChunkField::kRatioMaxPpm]))) +
                      "% between chunks (more than " + std::to_string(core::kFrequencyWarningPercent) + "%)");
  } else {
    notes.push_back(not_counted("APERF/MPERF", t[CounterSource::kAperfMperf], "aperf_mperf"));
  }
  for (const std::string& n : notes) c.note += (c.note.empty() ? "" : "; ") + n;
  return c;
}

std::map<std::string, std::string> clock_context(const std::vector<const OpRun*>& runs) {
  uint64_t aperf = 0, mperf = 0, discarded = 0, smi_rows = 0;
  for (const OpRun* r : runs) {
    if (!r->chunks) continue;
    if ((*r->chunks)[CounterSource::kAperfMperf] == CounterState::kCounted) {
      aperf += (*r->chunks)[ChunkField::kAperf];
      mperf += (*r->chunks)[ChunkField::kMperf];
    }
    if ((*r->chunks)[CounterSource::kSmi] == CounterState::kCounted) {
      discarded += (*r->chunks)[ChunkField::kSmiDiscarded];
      ++smi_rows;
    }
  }
  std::map<std::string, std::string> c;
  c["vmxbench_aperf_mperf_ratio"] =
      mperf > 0 ? std::to_string(static_cast<double>(aperf) / static_cast<double>(mperf)) +
                      " (the core ran at " + percent(static_cast<double>(aperf) / static_cast<double>(mperf)) +
                      " of its base (TSC-rate) clock over the timed chunks)"
                : "unavailable: no row counted APERF/MPERF (context vmxbench_aperf_mperf)";
  c["vmxbench_smi_discarded"] = smi_rows > 0 ? std::to_string(discarded) + " chunks re-run over " +
                                                    std::to_string(smi_rows) + " rows"
                                              : "unavailable: no row read MSR_SMI_COUNT (context vmxbench_smi_count)";
  return c;
}

std::optional<double> tsc_hz_from_facts(const std::map<std::string, std::string>& facts, std::string* source) {
  for (const char* key : {"vmxbench_tsc_hz_calibrated", "vmxbench_tsc_hz_cpuid"}) {
    const auto it = facts.find(key);
    if (it == facts.end() || it->second.empty() ||
        it->second.find_first_not_of("0123456789") != std::string::npos || it->second.size() > 15)
      continue;  // "unavailable: ...", or not a plain number
    const double hz = std::stod(it->second);
    if (hz <= 0) continue;
    *source = key;
    return hz;
  }
  return std::nullopt;
}

}  // namespace vmxb::bench
