// A tiny Google Benchmark binary that stands in for //bench in the reports
// tests: it sets vmxbench's custom context keys and reports a ring-0-like
// benchmark with cycles_* counters next to plain user-space ones, so the tests
// work on real Google Benchmark JSON (repetitions, aggregates, counters).
//
// TINY_BENCH_SLOWDOWN=N (default 1) multiplies the work of spin/* by N, so a
// test can produce a genuinely slower run.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

int slowdown() {
  const char* s = std::getenv("TINY_BENCH_SLOWDOWN");
  int v = s ? std::atoi(s) : 1;
  return v > 0 ? v : 1;
}

uint64_t spin(int n) {
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    benchmark::DoNotOptimize(x);
  }
  return x;
}

void spin_short(benchmark::State& state) {
  const int n = 200 * slowdown();
  for (auto _ : state) benchmark::DoNotOptimize(spin(n));
}

// Shaped like a ring-0 row of //bench: ticks per operation as counters.
void fake_invept(benchmark::State& state, double base) {
  const int n = 50 * slowdown();
  for (auto _ : state) benchmark::DoNotOptimize(spin(n));
  const double scale = static_cast<double>(slowdown());
  state.counters["cycles_min"] = base * scale;
  state.counters["cycles_median"] = base * scale + static_cast<double>(state.iterations() % 7);
  state.counters["cycles_p99"] = base * scale * 1.5;
  state.counters["cycles_stddev"] = 3;
  state.counters["overhead"] = 24;
}

void invept_single(benchmark::State& state) { fake_invept(state, 600); }
void invept_global(benchmark::State& state) { fake_invept(state, 900); }

}  // namespace

BENCHMARK(spin_short)->Name("userspace_capture/spin_short");
BENCHMARK(invept_single)->Name("ring0/invept_single_context");
BENCHMARK(invept_global)->Name("ring0/invept_global");

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("vmxbench_version", "0.0.0-test");
  benchmark::AddCustomContext("vmxbench_backend", "module");
  benchmark::AddCustomContext("vmxbench_emulated", "no");
  benchmark::AddCustomContext("vmxbench_tick_unit", "cycles");
  benchmark::AddCustomContext("cpu_vendor", "GenuineIntel");
  benchmark::AddCustomContext("cpu_brand", "Tiny Test CPU");
  benchmark::AddCustomContext("cpu_family", "6");
  benchmark::AddCustomContext("cpu_model", "0x55");
  benchmark::AddCustomContext("cpu_stepping", "4");
  benchmark::AddCustomContext("microcode", "0x2007006");
  benchmark::AddCustomContext("kernel", "6.1.0-test");
  benchmark::AddCustomContext("hypervisor", "none");
  benchmark::AddCustomContext("tsc_hz", "2000000000");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
