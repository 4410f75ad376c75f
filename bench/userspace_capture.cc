#include "bench/userspace_capture.h"

#include <benchmark/benchmark.h>

#include <string>

#include "primitives/capture.h"

namespace vmxb::bench {
namespace {

// CMP stands in for the VMX instruction (which raises #UD outside VMX root):
// it writes CF and ZF, and the capture code around it is the wrappers' own.
#define VMXB_CAPTURE_CMP(S, a, b) VMXB_CAPTURE(S, "cmp %[a], %[b]", (), ([a] "r"(a), [b] "r"(b)))

const char* statement_label(CaptureStrategy s) {
  return capture_strategy_info(s).same_asm_statement ? "same asm statement"
                                                      : "separate asm statement (not guaranteed)";
}

// Materializing consumer: the whole VmResult is kept (DoNotOptimize), so every
// strategy must produce the value.
template <CaptureStrategy S>
void capture_around_cmp(benchmark::State& state) {
  u64 a = 1, b = 2;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
    const VmResult r = VMXB_CAPTURE_CMP(S, a, b);
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(statement_label(S));
}

// Branch-on-result consumer, the normal use: the caller does `if (!r.ok())`
// with work on each side, so the compiler may fold the capture into the
// caller's branch (one JNA for asm_goto_jna, jc/jz for asm_goto, setcc and
// test for flag_outputs). The success side runs every iteration.
template <CaptureStrategy S>
void branch_on_result(benchmark::State& state) {
  u64 a = 1, b = 2, successes = 0, failures = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
    const VmResult r = VMXB_CAPTURE_CMP(S, a, b);
    if (!r.ok()) {
      failures += r.failed_valid() ? 2 : 1;
      benchmark::DoNotOptimize(failures);
    } else {
      ++successes;
      benchmark::DoNotOptimize(successes);
    }
  }
  state.SetLabel(std::string(statement_label(S)) + ", caller branches on ok()");
}

// The instruction alone, so the strategies' own cost can be read as the difference.
void cmp_only(benchmark::State& state) {
  u64 a = 1, b = 2;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
    asm volatile("cmp %[a], %[b]" : : [a] "r"(a), [b] "r"(b) : "cc");
  }
  state.SetLabel("baseline: no capture");
}

using BenchmarkFn = void (*)(benchmark::State&);

struct StrategyBenchmarks {
  CaptureStrategy strategy;
  BenchmarkFn materialize, branch;
};

template <CaptureStrategy S>
constexpr StrategyBenchmarks benchmarks_for() {
  return {S, capture_around_cmp<S>, branch_on_result<S>};
}

// One entry per CaptureStrategy, in the table's order (checked below).
constexpr StrategyBenchmarks kStrategyBenchmarks[] = {
    benchmarks_for<CaptureStrategy::kSeparatePushf>(), benchmarks_for<CaptureStrategy::kPushfInAsm>(),
    benchmarks_for<CaptureStrategy::kFlagOutputs>(), benchmarks_for<CaptureStrategy::kAsmGoto>(),
    benchmarks_for<CaptureStrategy::kAsmGotoJna>(),
};
static_assert(array_size(kStrategyBenchmarks) == array_size(kCaptureStrategies));
static_assert([] {
  for (usize i = 0; i < array_size(kStrategyBenchmarks); ++i)
    if (kStrategyBenchmarks[i].strategy != kCaptureStrategies[i].strategy) return false;
  return true;
}(), "kStrategyBenchmarks must list every CaptureStrategy in kCaptureStrategies' order");

}  // namespace

void register_userspace_capture_benchmarks() {
  // 0.25 s per row keeps the whole default run within a few seconds; the
  // spread between repetitions (--benchmark_repetitions) shows whether that
  // is enough on a given machine.
  constexpr double kMinTime = 0.25;
  benchmark::RegisterBenchmark("userspace_capture/baseline_cmp_only", cmp_only)->MinTime(kMinTime);
  // userspace_capture/<strategy> materializes the VmResult;
  // userspace_capture/<strategy>/branch_on_result branches on it.
  for (const StrategyBenchmarks& b : kStrategyBenchmarks) {
    const std::string name = std::string("userspace_capture/") + capture_strategy_info(b.strategy).name;
    benchmark::RegisterBenchmark(name.c_str(), b.materialize)->MinTime(kMinTime);
    benchmark::RegisterBenchmark((name + "/branch_on_result").c_str(), b.branch)->MinTime(kMinTime);
  }
}

}  // namespace vmxb::bench
