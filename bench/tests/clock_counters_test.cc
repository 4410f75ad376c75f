// bench/clock_counters.h: what a row shows for each state of the counters,
// with values worked out by hand.
#include "bench/clock_counters.h"

#include <gtest/gtest.h>

namespace vmxb::bench {
namespace {

using core::ChunkField;
using core::CounterSource;
using core::CounterState;

stats::SampleSummary net_ticks() {
  stats::SampleSummary s;
  s.min = 100, s.median = 200, s.p99 = 400, s.mean = 250, s.count = 10;
  return s;
}

OpRun counted_run() {
  core::ChunkTotals t;
  t[ChunkField::kKept] = 2;
  t[ChunkField::kPmuChunks] = 2;
  t[ChunkField::kPmuTsc] = 1000;
  t[ChunkField::kCoreCycles] = 1500;  // 1.5 core cycles per TSC tick
  t[ChunkField::kInstructions] = 600;
  t[ChunkField::kExecutions] = 20;
  t[ChunkField::kSmiDiscarded] = 1;
  t[ChunkField::kAperf] = 1800;
  t[ChunkField::kMperf] = 2000;
  t[ChunkField::kRatioMinPpm] = 880000;
  t[ChunkField::kRatioMaxPpm] = 920000;  // spread (0.92 - 0.88) / 0.92 = 4.3%
  t.state[0] = t.state[1] = t.state[2] = CounterState::kCounted;
  OpRun r;
  r.chunks = t;
  return r;
}

TEST(ClockCounters, CountedRunGetsCyclesBesideTicks) {
  const ClockCounters c = clock_counters(counted_run(), net_ticks(), 4.0);
  EXPECT_DOUBLE_EQ(c.counters.at("cycles_per_tick"), 1.5);
  EXPECT_DOUBLE_EQ(c.counters.at("cycles_min"), 150);
  EXPECT_DOUBLE_EQ(c.counters.at("cycles_median"), 300);
  EXPECT_DOUBLE_EQ(c.counters.at("cycles_p99"), 600);
  EXPECT_DOUBLE_EQ(c.counters.at("cycles_mean"), 375);
  EXPECT_DOUBLE_EQ(c.counters.at("throughput_cycles"), 6);
  EXPECT_DOUBLE_EQ(c.counters.at("instructions_per_execution"), 30);
  EXPECT_DOUBLE_EQ(c.counters.at("smi_discarded"), 1);
  EXPECT_DOUBLE_EQ(c.counters.at("aperf_mperf_ratio"), 0.9);
  EXPECT_DOUBLE_EQ(c.counters.at("freq_ratio_min"), 0.88);
  EXPECT_DOUBLE_EQ(c.counters.at("frequency_warning"), 0);
  EXPECT_EQ(c.note, "");
}

TEST(ClockCounters, FrequencyMoveWarnsOnTheRow) {
  OpRun r = counted_run();
  (*r.chunks)[ChunkField::kRatioMinPpm] = 800000;  // (0.92 - 0.80) / 0.92 = 13%
  const ClockCounters c = clock_counters(r, net_ticks(), std::nullopt);
  EXPECT_DOUBLE_EQ(c.counters.at("frequency_warning"), 1);
  EXPECT_EQ(c.note, "frequency warning: APERF/MPERF moved 13% between chunks (more than 5%)");
  EXPECT_EQ(c.counters.count("throughput_cycles"), 0u);
}

TEST(ClockCounters, UnavailableSourcesAreNotesNeverZeros) {
  OpRun r;
  r.chunks = core::ChunkTotals{};  // every source unavailable, as under Bochs
  (*r.chunks)[ChunkField::kKept] = 3;
  const ClockCounters c = clock_counters(r, net_ticks(), 1.0);
  for (const char* absent : {"cycles_median", "cycles_per_tick", "throughput_cycles", "smi_discarded",
                             "aperf_mperf_ratio", "frequency_warning", "instructions_per_execution"})
    EXPECT_EQ(c.counters.count(absent), 0u) << absent;
  EXPECT_EQ(c.note,
            "cycles unavailable (context vmxbench_core_cycles); SMI count unavailable (context vmxbench_smi_count); "
            "APERF/MPERF unavailable (context vmxbench_aperf_mperf)");
}

TEST(ClockCounters, BusyCountersSayWhy) {
  OpRun r = counted_run();
  (*r.chunks)[CounterSource::kPmu] = CounterState::kBusy;
  const ClockCounters c = clock_counters(r, net_ticks(), std::nullopt);
  EXPECT_EQ(c.counters.count("cycles_median"), 0u);
  EXPECT_NE(c.note.find("cycles unavailable: the fixed counters were in use by perf"), std::string::npos) << c.note;
}

TEST(ClockCounters, ParsesTheImagesChunksLine) {
  std::map<std::string, std::string> keys;
  for (const char* f : core::kChunkFieldNames) keys[f] = "7";
  keys["pmu"] = "busy";
  keys["aperf_mperf"] = "unavailable";
  keys["smi"] = "counted";
  const auto t = chunk_totals_from(keys);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ((*t)[ChunkField::kSmiDiscarded], 7u);
  EXPECT_EQ((*t)[CounterSource::kPmu], CounterState::kBusy);
  EXPECT_EQ((*t)[CounterSource::kSmi], CounterState::kCounted);
  for (const auto& [key, bad] : std::map<std::string, std::string>{{"kept", "-1"}, {"tsc", ""}, {"smi", "maybe"}}) {
    auto broken = keys;
    broken[key] = bad;
    EXPECT_FALSE(chunk_totals_from(broken).has_value()) << key;
  }
  keys.erase("mperf");
  EXPECT_FALSE(chunk_totals_from(keys).has_value());
}

TEST(ClockCounters, RunContextSumsTheRows) {
  const OpRun a = counted_run(), b = counted_run();
  OpRun none;
  const auto c = clock_context({&a, &b, &none});
  EXPECT_EQ(c.at("vmxbench_smi_discarded"), "2 chunks re-run over 2 rows");
  EXPECT_EQ(c.at("vmxbench_aperf_mperf_ratio").rfind("0.900", 0), 0u) << c.at("vmxbench_aperf_mperf_ratio");
  const auto u = clock_context({&none});
  EXPECT_EQ(u.at("vmxbench_smi_discarded").rfind("unavailable: ", 0), 0u);
}

TEST(ClockCounters, TscRateComesFromThePitFirstThenCpuid) {
  std::string source;
  std::map<std::string, std::string> facts = {{"vmxbench_tsc_hz_calibrated", "2893415000"},
                                              {"vmxbench_tsc_hz_cpuid", "2900000000"}};
  EXPECT_EQ(tsc_hz_from_facts(facts, &source), 2893415000.0);
  EXPECT_EQ(source, "vmxbench_tsc_hz_calibrated");
  facts["vmxbench_tsc_hz_calibrated"] = "unavailable: the PIT's channel 2 never expired (no 8254 on this platform?)";
  EXPECT_EQ(tsc_hz_from_facts(facts, &source), 2900000000.0);
  EXPECT_EQ(source, "vmxbench_tsc_hz_cpuid");
  facts["vmxbench_tsc_hz_cpuid"] = "unavailable: CPUID leaves 15H/16H are absent";
  EXPECT_FALSE(tsc_hz_from_facts(facts, &source).has_value());
  EXPECT_FALSE(tsc_hz_from_facts({{"vmxbench_tsc_hz_cpuid", "-5"}}, &source).has_value());
  EXPECT_FALSE(tsc_hz_from_facts({{"vmxbench_tsc_hz_cpuid", "0"}}, &source).has_value());
  EXPECT_FALSE(tsc_hz_from_facts({}, &source).has_value());
}

}  // namespace
}  // namespace vmxb::bench
