// What the clock did during each chunk of a run (issue "measurement you can
// trust"): unhalted core cycles and retired instructions from the
// architectural fixed counters, APERF/MPERF, and MSR_SMI_COUNT, read around
// every timed chunk by the core's run loops (run_operation.h, guest_run.h).
//
// - A chunk during which MSR_SMI_COUNT moved lost time to firmware, silently
//   and with interrupts off: its samples are thrown away and the chunk runs
//   again, at most kSmiRerunBound times per run; past that the row fails.
// - The fixed counters are borrowed, never taken: a chunk uses them only if
//   nobody enabled them (IA32_FIXED_CTR_CTRL fields 0 and 1 and
//   IA32_PERF_GLOBAL_CTRL bits 32-33 clear, i.e. perf does not use them; the
//   Linux NMI watchdog does use fixed counter 1). The two counters are saved
//   before and restored after every chunk that used them, and our enable bits
//   cleared again (nobody else's: those were clear when we took the counters,
//   and perf's own bits may legitimately change meanwhile). A chunk whose
//   counters were reprogrammed under it (a perf NMI handler rewrites
//   IA32_PERF_GLOBAL_CTRL) keeps its samples but not its counts.
// - Cycles per sample are ticks x (core cycles / TSC ticks) of the chunks
//   that counted: with interrupts off the core never halts, so the ratio is
//   the core's clock over the TSC's during exactly those chunks.
//
// Vol. 3B, section "Architectural Performance Monitoring Version 2" (the fixed
// counters and IA32_PERF_GLOBAL_CTRL), and section "Hardware Coordination
// Feedback" (IA32_MPERF/IA32_APERF); Vol. 4 Table 2-2 (MSR_SMI_COUNT).
// The MSR accesses never run under Bochs or QEMU TCG: their measurement facts
// say the counters are unavailable (RDMSR raises #GP, or reads an MSR no CPU
// defines, see core/measurement_facts.h), and nothing is read. None of this has run
// on real VT-x hardware here (see the README, "Trusting a number").
#pragma once

#include "core/measurement_facts.h"
#include "core/run_types.h"
#include "primitives/fixed_text.h"
#include "primitives/msr_index.h"

namespace vmxb::core {

// MSR access with an exception fixup: false where the access faulted.
struct MsrAccess {
  MsrReader read = nullptr;  // core/capabilities.h's reader type
  bool (*write)(void* ctx, u32 index, u64 value) = nullptr;
  void* ctx = nullptr;
};

inline constexpr u32 kSmiRerunBound = 8;  // chunks re-run for an SMI before the row fails
// A run whose per-chunk APERF/MPERF moved by more than this share of its
// highest value gets a frequency warning (bench's row label).
inline constexpr u32 kFrequencyWarningPercent = 5;

// What became of a counter source over a run (the names are the ABI's and the
// image's CHUNKS line's; kCounterStateMeanings says what each means).
enum class CounterState : u8 {
  kCounted,      // every kept chunk counted
  kUnavailable,  // the CPU lacks it: the measurement fact gives the reason
  kBusy,         // fixed counters: in use by someone else (perf) in every chunk
  kDisturbed,    // fixed counters: reprogrammed during every chunk that used them
  kPartial,      // fixed counters: some chunks counted, others found them busy or disturbed
  kCount
};
inline constexpr const char* kCounterStateNames[] = {"counted", "unavailable", "busy", "disturbed", "partial"};
inline constexpr const char* kCounterStateMeanings[] = {
    "counted in every kept chunk",
    "unavailable (see the measurement facts)",
    "unavailable: the fixed counters were in use by perf (the NMI watchdog uses fixed counter 1: "
    "echo 0 > /proc/sys/kernel/nmi_watchdog)",
    "unavailable: perf reprogrammed the fixed counters during every chunk",
    "counted in some chunks only (perf used the fixed counters during the others)"};
static_assert(array_size(kCounterStateNames) == static_cast<usize>(CounterState::kCount));
static_assert(array_size(kCounterStateMeanings) == static_cast<usize>(CounterState::kCount));
constexpr const char* counter_state_name(CounterState s) { return kCounterStateNames[static_cast<u8>(s)]; }

// The totals of one run, by field (the names are the image's CHUNKS keys and
// the ABI's vmxb_run.chunk_totals order). Cycles, instructions and executions
// cover the chunks that counted them (pmu_chunks of them, pmu_tsc TSC ticks
// long); APERF/MPERF and tsc cover every kept chunk.
enum class ChunkField : u8 {
  kKept,          // chunks whose samples were kept
  kSmiDiscarded,  // chunks thrown away because MSR_SMI_COUNT moved
  kPmuChunks,     // kept chunks whose fixed-counter counts are in the totals
  kPmuBusy,       // kept chunks that found the fixed counters in use
  kPmuDisturbed,  // kept chunks whose fixed counters were reprogrammed under them
  kTsc,           // TSC ticks of the kept chunks
  kPmuTsc,        // TSC ticks of the pmu_chunks
  kExecutions,    // executions (warm-up included) in the pmu_chunks
  kCoreCycles,    // IA32_FIXED_CTR1 over the pmu_chunks
  kInstructions,  // IA32_FIXED_CTR0 over the pmu_chunks
  kAperf,         // IA32_APERF and IA32_MPERF over the kept chunks
  kMperf,
  kRatioMinPpm,   // lowest and highest per-chunk APERF/MPERF x 10^6
  kRatioMaxPpm,
  kCount
};
inline constexpr const char* kChunkFieldNames[] = {
    "kept", "smi_discarded", "pmu_chunks", "pmu_busy",     "pmu_disturbed", "tsc",            "pmu_tsc",
    "executions", "cycles", "instructions", "aperf", "mperf", "ratio_min_ppm", "ratio_max_ppm"};
static_assert(array_size(kChunkFieldNames) == static_cast<usize>(ChunkField::kCount));

// The three sources, in the order of the ABI's vmxb_run.counter_states.
enum class CounterSource : u8 { kPmu, kAperfMperf, kSmi, kCount };
inline constexpr const char* kCounterSourceNames[] = {"pmu", "aperf_mperf", "smi"};
static_assert(array_size(kCounterSourceNames) == static_cast<usize>(CounterSource::kCount));

struct ChunkTotals {
  u64 value[static_cast<usize>(ChunkField::kCount)] = {};
  CounterState state[static_cast<usize>(CounterSource::kCount)] = {
      CounterState::kUnavailable, CounterState::kUnavailable, CounterState::kUnavailable};
  constexpr u64& operator[](ChunkField f) { return value[static_cast<usize>(f)]; }
  constexpr u64 operator[](ChunkField f) const { return value[static_cast<usize>(f)]; }
  constexpr CounterState& operator[](CounterSource c) { return state[static_cast<usize>(c)]; }
  constexpr CounterState operator[](CounterSource c) const { return state[static_cast<usize>(c)]; }
};

// The arithmetic, on its own (core/tests:chunk_counters_test works it out by hand).
namespace clock_math {

// Counter deltas modulo the counter's width (a wrap between two reads).
constexpr u64 delta(u64 before, u64 after, u32 width_bits) {
  const u64 mask = width_bits >= 64 ? ~u64{0} : (u64{1} << width_bits) - 1;
  return (after - before) & mask;
}

// APERF/MPERF x 10^6, 0 where MPERF did not move. 10^6 x a chunk's APERF
// (well below 2^44) cannot overflow.
constexpr u32 ratio_ppm(u64 aperf, u64 mperf) {
  return mperf == 0 ? 0 : static_cast<u32>(aperf * 1000000 / mperf);
}

// The spread of the per-chunk ratio, in percent of its highest value.
constexpr u32 spread_percent(u32 min_ppm, u32 max_ppm) {
  return max_ppm == 0 ? 0 : static_cast<u32>(u64{max_ppm - min_ppm} * 100 / max_ppm);
}

constexpr bool frequency_moved(const ChunkTotals& t) {
  return t[CounterSource::kAperfMperf] == CounterState::kCounted && t[ChunkField::kKept] > 1 &&
         spread_percent(static_cast<u32>(t[ChunkField::kRatioMinPpm]), static_cast<u32>(t[ChunkField::kRatioMaxPpm])) >
             kFrequencyWarningPercent;
}

// What the run's fixed counters amount to, from the chunk tallies.
constexpr CounterState pmu_state(bool available, const ChunkTotals& t) {
  if (!available) return CounterState::kUnavailable;
  const u64 counted = t[ChunkField::kPmuChunks], kept = t[ChunkField::kKept];
  if (counted == kept && kept > 0) return CounterState::kCounted;
  if (counted > 0) return CounterState::kPartial;
  return t[ChunkField::kPmuDisturbed] > t[ChunkField::kPmuBusy] ? CounterState::kDisturbed : CounterState::kBusy;
}

// Core cycles per TSC tick over the chunks that counted, 0 where none did.
constexpr double cycles_per_tick(const ChunkTotals& t) {
  return t[ChunkField::kPmuTsc] == 0 ? 0.0
                                     : static_cast<double>(t[ChunkField::kCoreCycles]) /
                                           static_cast<double>(t[ChunkField::kPmuTsc]);
}

}  // namespace clock_math

// Fixed counters 0 and 1 enabled in all rings, no PMI, no AnyThread
// (IA32_FIXED_CTR_CTRL: 4 bits per counter, bits 1:0 the rings).
inline constexpr u64 kFixedCtrlOurs = 0x33;
inline constexpr u64 kFixedCtrlFields01 = 0xFF;
inline constexpr u64 kGlobalCtrlFixed01 = u64{3} << 32;

// Reads the counters around one chunk; one object per run.
class ChunkCounters {
 public:
  ChunkCounters(const MsrAccess& msr, const CountableSources& sources) : msr_(msr), sources_(sources) {}

  // After the chunk's `enter` hook (interrupts off), before any of its work.
  void begin() {
    chunk_ = {};
    // SMI count first and last: its window covers everything else.
    if (sources_.smi_count) chunk_.smi_ok = read(msr::kSmiCount, &chunk_.smi);
    if (sources_.core_cycles) begin_pmu();
    if (sources_.aperf_mperf)
      chunk_.aperf_ok = read(msr::kMperf, &chunk_.mperf) && read(msr::kAperf, &chunk_.aperf);
    chunk_.tsc = rdtsc();
  }

  // Before the chunk's `leave` hook, on every path. true: keep the chunk's
  // samples; false: an SMI happened, run the chunk again (or, past the
  // bound, fail the row: bound_hit()).
  bool end(u32 executions) {
    using F = ChunkField;
    const u64 tsc = rdtsc();
    u64 aperf = 0, mperf = 0, smi = 0;
    const bool aperf_ok = chunk_.aperf_ok && read(msr::kAperf, &aperf) && read(msr::kMperf, &mperf);
    const PmuReading pmu = end_pmu();
    const bool smi_ok = chunk_.smi_ok && read(msr::kSmiCount, &smi);
    if (smi_ok && static_cast<u32>(smi) != static_cast<u32>(chunk_.smi)) {
      ++totals_[F::kSmiDiscarded];
      return false;
    }
    ++totals_[F::kKept];
    totals_[F::kTsc] += tsc - chunk_.tsc;
    if (pmu.counted) {
      ++totals_[F::kPmuChunks];
      totals_[F::kPmuTsc] += tsc - chunk_.tsc;
      totals_[F::kExecutions] += executions;
      totals_[F::kCoreCycles] += pmu.cycles;
      totals_[F::kInstructions] += pmu.instructions;
    } else {
      totals_[pmu.disturbed ? F::kPmuDisturbed : F::kPmuBusy] += sources_.core_cycles ? 1 : 0;
    }
    if (aperf_ok) {
      const u64 da = aperf - chunk_.aperf, dm = mperf - chunk_.mperf;
      totals_[F::kAperf] += da;
      totals_[F::kMperf] += dm;
      const u32 r = clock_math::ratio_ppm(da, dm);
      if (r != 0) {
        if (totals_[F::kRatioMaxPpm] == 0 || r < totals_[F::kRatioMinPpm]) totals_[F::kRatioMinPpm] = r;
        if (r > totals_[F::kRatioMaxPpm]) totals_[F::kRatioMaxPpm] = r;
      }
    }
    return true;
  }

  bool bound_hit() const { return totals_[ChunkField::kSmiDiscarded] > kSmiRerunBound; }

  // The row error once the bound is hit.
  const char* bound_reason() {
    reason_ = {};
    reason_.add("MSR_SMI_COUNT moved during ").add_dec(totals_[ChunkField::kSmiDiscarded])
        .add(" chunks, more than the re-run bound of ").add_dec(kSmiRerunBound)
        .add(": firmware keeps taking SMIs (power management, USB legacy emulation?)");
    return reason_.c_str();
  }

  ChunkTotals totals() const {
    ChunkTotals t = totals_;
    t[CounterSource::kPmu] = clock_math::pmu_state(sources_.core_cycles, t);
    t[CounterSource::kAperfMperf] = sources_.aperf_mperf ? CounterState::kCounted : CounterState::kUnavailable;
    t[CounterSource::kSmi] = sources_.smi_count ? CounterState::kCounted : CounterState::kUnavailable;
    return t;
  }

 private:
  struct Chunk {
    u64 tsc = 0, smi = 0, aperf = 0, mperf = 0;
    bool smi_ok = false, aperf_ok = false;
    bool pmu_ours = false;  // we programmed the fixed counters in this chunk
    u64 saved_ctrl = 0, saved_global = 0, saved_ctr0 = 0, saved_ctr1 = 0;
  };
  struct PmuReading {
    bool counted = false, disturbed = false;
    u64 cycles = 0, instructions = 0;
  };

  static u64 rdtsc() {
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64{hi} << 32) | lo;
  }
  bool read(u32 index, u64* value) const { return msr_.read(msr_.ctx, index, value); }
  bool write(u32 index, u64 value) const { return msr_.write(msr_.ctx, index, value); }

  void begin_pmu() {
    Chunk& c = chunk_;
    // In use by someone else (or unreadable): this chunk does not count.
    if (!read(msr::kFixedCounterCtrl, &c.saved_ctrl) || !read(msr::kPerfGlobalCtrl, &c.saved_global) ||
        !read(msr::kFixedCounter0, &c.saved_ctr0) || !read(msr::kFixedCounter1, &c.saved_ctr1))
      return;
    if ((c.saved_ctrl & kFixedCtrlFields01) != 0 || (c.saved_global & kGlobalCtrlFixed01) != 0) return;
    // Stopped, zeroed, then started: counts from 0, no wrap within a chunk.
    c.pmu_ours = write(msr::kFixedCounter0, 0) && write(msr::kFixedCounter1, 0) &&
                 write(msr::kFixedCounterCtrl, c.saved_ctrl | kFixedCtrlOurs) &&
                 write(msr::kPerfGlobalCtrl, c.saved_global | kGlobalCtrlFixed01);
    if (!c.pmu_ours) restore_pmu();
  }

  PmuReading end_pmu() {
    PmuReading r;
    if (!chunk_.pmu_ours) return r;
    u64 global = 0, ctrl = 0;
    const bool read_ok = read(msr::kPerfGlobalCtrl, &global) && read(msr::kFixedCounterCtrl, &ctrl) &&
                         read(msr::kFixedCounter0, &r.instructions) && read(msr::kFixedCounter1, &r.cycles);
    restore_pmu();
    r.counted = read_ok && (global & kGlobalCtrlFixed01) == kGlobalCtrlFixed01 &&
                (ctrl & kFixedCtrlFields01) == kFixedCtrlOurs;
    r.disturbed = !r.counted;
    const u32 width = sources_.fixed_counter_width;
    r.instructions = clock_math::delta(0, r.instructions, width);
    r.cycles = clock_math::delta(0, r.cycles, width);
    return r;
  }

  // Our enable bits off first, then the counters' old values back. Only our
  // bits are cleared, from the registers' current values: what perf's NMI
  // handler changed in its own bits during the chunk stays changed.
  void restore_pmu() {
    const Chunk& c = chunk_;
    u64 global = c.saved_global, ctrl = c.saved_ctrl;
    if (read(msr::kPerfGlobalCtrl, &global)) (void)write(msr::kPerfGlobalCtrl, global & ~kGlobalCtrlFixed01);
    if (read(msr::kFixedCounterCtrl, &ctrl)) (void)write(msr::kFixedCounterCtrl, ctrl & ~kFixedCtrlFields01);
    (void)write(msr::kFixedCounter0, c.saved_ctr0);
    (void)write(msr::kFixedCounter1, c.saved_ctr1);
    chunk_.pmu_ours = false;
  }

  MsrAccess msr_;
  CountableSources sources_;
  Chunk chunk_;
  ChunkTotals totals_;
  FixedText<160> reason_;
};

// After a chunk the counters threw away: the row error once the bound is hit.
inline bool smi_bound_hit(const ChunkHooks& hooks, u32 written, RunOutcome& out) {
  if (!hooks.counters->bound_hit()) return false;
  out = {OpStatus::kSmiBound, 0, written, hooks.counters->bound_reason()};
  return true;
}

}  // namespace vmxb::core
