#include "bench/userspace_capture.h"

#include <benchmark/benchmark.h>

#include "primitives/capture.h"

namespace vmxb::bench {
namespace {

// CMP stands in for the VMX instruction (which raises #UD outside VMX root):
// it writes CF and ZF, and the capture code around it is the wrappers' own.
template <CaptureStrategy S>
void capture_around_cmp(benchmark::State& state) {
  u64 a = 1, b = 2;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
    const VmResult r = VMXB_CAPTURE(S, "cmp %[a], %[b]", (), ([a] "r"(a), [b] "r"(b)));
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(capture_strategy_info(S).same_asm_statement ? "same asm statement"
                                                             : "separate asm statement (not guaranteed)");
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

}  // namespace

void register_userspace_capture_benchmarks() {
  // 0.25 s per row keeps the whole default run within a few seconds; the
  // spread between repetitions (--benchmark_repetitions) shows whether that
  // is enough on a given machine.
  constexpr double kMinTime = 0.25;
  benchmark::RegisterBenchmark("userspace_capture/baseline_cmp_only", cmp_only)->MinTime(kMinTime);
  benchmark::RegisterBenchmark("userspace_capture/separate_pushf", capture_around_cmp<CaptureStrategy::kSeparatePushf>)
      ->MinTime(kMinTime);
  benchmark::RegisterBenchmark("userspace_capture/pushf_in_asm", capture_around_cmp<CaptureStrategy::kPushfInAsm>)
      ->MinTime(kMinTime);
  benchmark::RegisterBenchmark("userspace_capture/flag_outputs", capture_around_cmp<CaptureStrategy::kFlagOutputs>)
      ->MinTime(kMinTime);
  benchmark::RegisterBenchmark("userspace_capture/asm_goto", capture_around_cmp<CaptureStrategy::kAsmGoto>)
      ->MinTime(kMinTime);
}

}  // namespace vmxb::bench
