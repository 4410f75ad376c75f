// core/chunk_counters.h against a scripted MSR file: what is read and
// written, what is restored, the SMI discard and re-run, and the arithmetic,
// each worked out by hand.
#include "core/chunk_counters.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/run_operation.h"

namespace vmxb::core {
namespace {

using F = ChunkField;

// An MSR file: reads of a missing index fault; `on_read` can change values
// as reads happen (an SMI, a perf NMI handler, a counting counter).
struct FakeMsrs {
  std::map<u32, u64> value;
  std::vector<std::string> log;  // "r 38d", "w 38d=33"
  std::function<void(u32)> on_read;

  MsrAccess access() {
    return {[](void* p, u32 i, u64* v) {
              auto& m = *static_cast<FakeMsrs*>(p);
              if (m.on_read) m.on_read(i);
              m.log.push_back("r " + hex(i));
              const auto it = m.value.find(i);
              if (it == m.value.end()) return false;
              *v = it->second;
              return true;
            },
            [](void* p, u32 i, u64 v) {
              auto& m = *static_cast<FakeMsrs*>(p);
              m.log.push_back("w " + hex(i) + "=" + hex(v));
              if (!m.value.count(i)) return false;
              m.value[i] = v;
              return true;
            },
            this};
  }
  static std::string hex(u64 v) {
    char b[24];
    snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(v));
    return b;
  }
};

CountableSources facts(bool pmu, bool aperf, bool smi) { return {pmu, aperf, smi, 48}; }

FakeMsrs pmu_msrs() {
  FakeMsrs m;
  m.value = {{msr::kFixedCounterCtrl, 0x0}, {msr::kPerfGlobalCtrl, 0x3},  // perf owns GP counters 0 and 1
             {msr::kFixedCounter0, 111},     {msr::kFixedCounter1, 222}};
  return m;
}

TEST(ChunkCounters, UnavailableSourcesAreNeverTouched) {
  FakeMsrs m;
  ChunkCounters c(m.access(), facts(false, false, false));
  c.begin();
  EXPECT_TRUE(c.end(10));
  EXPECT_TRUE(m.log.empty());
  const ChunkTotals t = c.totals();
  EXPECT_EQ(t[F::kKept], 1u);
  EXPECT_EQ(t[F::kPmuBusy], 0u);
  EXPECT_GT(t[F::kTsc], 0u);
  for (CounterState s : t.state) EXPECT_EQ(s, CounterState::kUnavailable);
}

TEST(ChunkCounters, FixedCountersAreBorrowedAndRestored) {
  FakeMsrs m = pmu_msrs();
  ChunkCounters c(m.access(), facts(true, false, false));
  c.begin();
  // Programmed: zeroed, ours enabled next to perf's global bits.
  EXPECT_EQ(m.value[msr::kFixedCounter0], 0u);
  EXPECT_EQ(m.value[msr::kFixedCounter1], 0u);
  EXPECT_EQ(m.value[msr::kFixedCounterCtrl], 0x33u);
  EXPECT_EQ(m.value[msr::kPerfGlobalCtrl], 0x3u | (u64{3} << 32));
  m.value[msr::kFixedCounter0] = 1000;  // the chunk's work
  m.value[msr::kFixedCounter1] = 3000;
  EXPECT_TRUE(c.end(4));
  // Restored, enable bits first.
  EXPECT_EQ(m.value[msr::kFixedCounterCtrl], 0x0u);
  EXPECT_EQ(m.value[msr::kPerfGlobalCtrl], 0x3u);
  EXPECT_EQ(m.value[msr::kFixedCounter0], 111u);
  EXPECT_EQ(m.value[msr::kFixedCounter1], 222u);
  const ChunkTotals t = c.totals();
  EXPECT_EQ(t[F::kInstructions], 1000u);
  EXPECT_EQ(t[F::kCoreCycles], 3000u);
  EXPECT_EQ(t[F::kExecutions], 4u);
  EXPECT_EQ(t[F::kPmuChunks], 1u);
  EXPECT_EQ(t[F::kPmuTsc], t[F::kTsc]);
  EXPECT_EQ(t[CounterSource::kPmu], CounterState::kCounted);
}

TEST(ChunkCounters, CountersInUseByPerfAreLeftAlone) {
  FakeMsrs m = pmu_msrs();
  m.value[msr::kFixedCounterCtrl] = 0xB0;  // the NMI watchdog's fixed counter 1 (ring 0+3, PMI)
  const auto before = m.value;
  ChunkCounters c(m.access(), facts(true, false, false));
  c.begin();
  EXPECT_TRUE(c.end(4));
  EXPECT_EQ(m.value, before);
  for (const std::string& e : m.log) EXPECT_EQ(e[0], 'r') << e;
  const ChunkTotals t = c.totals();
  EXPECT_EQ(t[F::kPmuBusy], 1u);
  EXPECT_EQ(t[F::kCoreCycles], 0u);
  EXPECT_EQ(t[CounterSource::kPmu], CounterState::kBusy);
}

TEST(ChunkCounters, CountersReprogrammedMidChunkAreDroppedAndRestored) {
  FakeMsrs m = pmu_msrs();
  ChunkCounters c(m.access(), facts(true, false, false));
  c.begin();
  m.value[msr::kPerfGlobalCtrl] = 0x3;  // a perf PMI rewrote the global enables
  m.value[msr::kFixedCounter1] = 50;
  EXPECT_TRUE(c.end(4));  // the samples stand: only the counts are dropped
  EXPECT_EQ(m.value[msr::kPerfGlobalCtrl], 0x3u);
  EXPECT_EQ(m.value[msr::kFixedCounter1], 222u);
  const ChunkTotals t = c.totals();
  EXPECT_EQ(t[F::kPmuDisturbed], 1u);
  EXPECT_EQ(t[F::kCoreCycles], 0u);
  EXPECT_EQ(t[CounterSource::kPmu], CounterState::kDisturbed);
}

TEST(ChunkCounters, PerfsOwnChangesDuringTheChunkSurviveTheRestore) {
  FakeMsrs m = pmu_msrs();
  ChunkCounters c(m.access(), facts(true, false, false));
  c.begin();
  m.value[msr::kPerfGlobalCtrl] = 0x1 | (u64{3} << 32);  // perf throttled its GP counter 1 meanwhile
  m.value[msr::kFixedCounterCtrl] = 0x33 | 0x300;        // ... and started fixed counter 2
  EXPECT_TRUE(c.end(4));
  EXPECT_EQ(m.value[msr::kPerfGlobalCtrl], 0x1u);
  EXPECT_EQ(m.value[msr::kFixedCounterCtrl], 0x300u);
  EXPECT_EQ(c.totals()[F::kPmuChunks], 1u);  // fields 0 and 1 were still ours
}

TEST(ChunkCounters, AnSmiDiscardsTheChunkUpToTheBound) {
  FakeMsrs m;
  m.value = {{msr::kSmiCount, 7}};
  ChunkCounters c(m.access(), facts(false, false, true));
  c.begin();
  EXPECT_TRUE(c.end(1));  // no SMI
  for (u32 i = 1; i <= kSmiRerunBound + 1; ++i) {
    c.begin();
    ++m.value[msr::kSmiCount];
    EXPECT_FALSE(c.end(1));
    EXPECT_EQ(c.bound_hit(), i > kSmiRerunBound) << i;
  }
  const ChunkTotals t = c.totals();
  EXPECT_EQ(t[F::kKept], 1u);
  EXPECT_EQ(t[F::kSmiDiscarded], kSmiRerunBound + 1);
  EXPECT_EQ(t[CounterSource::kSmi], CounterState::kCounted);
  EXPECT_EQ(std::string(c.bound_reason()).rfind("MSR_SMI_COUNT moved during 9 chunks, more than the re-run bound of 8", 0),
            0u);
}

TEST(ChunkCounters, AperfMperfRatioPerChunk) {
  FakeMsrs m;
  m.value = {{msr::kAperf, 0}, {msr::kMperf, 0}};
  ChunkCounters c(m.access(), facts(false, true, false));
  const u64 deltas[][2] = {{900, 1000}, {1000, 1000}};  // 0.9, then 1.0
  for (const auto& d : deltas) {
    c.begin();
    m.value[msr::kAperf] += d[0];
    m.value[msr::kMperf] += d[1];
    EXPECT_TRUE(c.end(1));
  }
  const ChunkTotals t = c.totals();
  EXPECT_EQ(t[F::kAperf], 1900u);
  EXPECT_EQ(t[F::kMperf], 2000u);
  EXPECT_EQ(t[F::kRatioMinPpm], 900000u);
  EXPECT_EQ(t[F::kRatioMaxPpm], 1000000u);
  EXPECT_TRUE(clock_math::frequency_moved(t));  // (1.0 - 0.9) / 1.0 = 10% > 5%
}

TEST(ClockMath, WorkedByHand) {
  EXPECT_EQ(clock_math::delta(0xFFFFFFFFFFF0, 0x10, 48), 0x20u);  // wrapped once at 2^48
  EXPECT_EQ(clock_math::delta(5, 9, 64), 4u);
  EXPECT_EQ(clock_math::ratio_ppm(2000000, 1000000), 2000000u);
  EXPECT_EQ(clock_math::ratio_ppm(5, 0), 0u);
  EXPECT_EQ(clock_math::spread_percent(950000, 1000000), 5u);
  EXPECT_EQ(clock_math::spread_percent(940000, 1000000), 6u);
  ChunkTotals t;
  t[CounterSource::kAperfMperf] = CounterState::kCounted;
  t[F::kKept] = 2;
  t[F::kRatioMinPpm] = 950000;
  t[F::kRatioMaxPpm] = 1000000;
  EXPECT_FALSE(clock_math::frequency_moved(t));  // exactly 5%: not more than the share
  t[F::kRatioMinPpm] = 940000;
  EXPECT_TRUE(clock_math::frequency_moved(t));
  t[F::kKept] = 1;  // one chunk cannot move against itself
  EXPECT_FALSE(clock_math::frequency_moved(t));
  t[F::kPmuTsc] = 1000;
  t[F::kCoreCycles] = 2500;
  EXPECT_DOUBLE_EQ(clock_math::cycles_per_tick(t), 2.5);
  t[F::kKept] = 4;
  t[F::kPmuChunks] = 2;
  EXPECT_EQ(clock_math::pmu_state(true, t), CounterState::kPartial);
  EXPECT_EQ(clock_math::pmu_state(false, t), CounterState::kUnavailable);
  t[F::kPmuChunks] = 4;
  EXPECT_EQ(clock_math::pmu_state(true, t), CounterState::kCounted);
}

// The run loop re-runs a discarded chunk over the same samples, and fails the
// row past the bound (the nop rows need no VMX, so this runs hosted).
struct RunWithSmis {
  FakeMsrs m;
  std::vector<u64> samples = std::vector<u64>(20, ~u64{0});
  RunOutcome run(const std::function<void(u32)>& smi_on_read) {
    m.value = {{msr::kSmiCount, 0}};
    m.on_read = smi_on_read;
    ChunkCounters counters(m.access(), facts(false, false, true));
    ChunkHooks hooks;
    hooks.chunk = 4;
    hooks.counters = &counters;
    VmxContext ctx;
    ctx.vmx_unusable = "hosted test";
    const RunOutcome out = run_operation({OpId::kNop1, 20, 3}, ctx, VmxCapabilities{}, CpuFacts{},
                                         TscEnd::kFencedRdtsc, samples.data(), 20, hooks);
    totals = counters.totals();
    return out;
  }
  ChunkTotals totals;
};

TEST(ChunkCounters, RunLoopReRunsTheChunkAnSmiHit) {
  RunWithSmis r;
  int reads = 0;
  // SMI_COUNT is read at each timed chunk's start and end: the 4th read
  // (chunk 2's end) sees a count moved during chunk 2.
  const RunOutcome out = r.run([&](u32 i) {
    if (i == msr::kSmiCount && ++reads == 4) ++r.m.value[msr::kSmiCount];
  });
  EXPECT_EQ(out.status, OpStatus::kOk) << out.reason;
  EXPECT_EQ(out.samples, 20u);
  EXPECT_EQ(r.totals[F::kKept], 5u);  // 20 samples in chunks of 4
  EXPECT_EQ(r.totals[F::kSmiDiscarded], 1u);
  for (u64 s : r.samples) EXPECT_NE(s, ~u64{0});
}

TEST(ChunkCounters, RunLoopFailsTheRowPastTheBound) {
  RunWithSmis r;
  const RunOutcome out = r.run([&](u32 i) {
    if (i == msr::kSmiCount) ++r.m.value[msr::kSmiCount];  // an SMI in every chunk
  });
  EXPECT_EQ(out.status, OpStatus::kSmiBound);
  EXPECT_EQ(std::string(op_status_name(out.status)), "smi-bound");
  EXPECT_EQ(out.samples, 0u);
  EXPECT_EQ(r.totals[F::kKept], 0u);
  EXPECT_EQ(r.totals[F::kSmiDiscarded], kSmiRerunBound + 1);
}

}  // namespace
}  // namespace vmxb::core
