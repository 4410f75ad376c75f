// Speed of the reports machinery: `bazel run -c opt //reports/bench`.
// (Speed goals are shown here, not asserted by timed tests.)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "reports/compare.h"
#include "reports/dashboard.h"
#include "reports/history.h"
#include "reports/report.h"
#include "reports/tests/fixtures.h"
#include "stats/mann_whitney.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

std::map<std::string, std::vector<double>> suite(int benchmarks, int reps, unsigned seed) {
  std::map<std::string, std::vector<double>> m;
  for (int i = 0; i < benchmarks; ++i)
    m["ring0/op_" + std::to_string(i)] = testing::around(500 + 10 * i, reps, seed + i);
  return m;
}

void BM_MannWhitneyU(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<double> a = testing::around(100, n, 1), b = testing::around(101, n, 2);
  for (auto _ : state) benchmark::DoNotOptimize(stats::mann_whitney_u(a, b).p_value);
}
BENCHMARK(BM_MannWhitneyU)->Arg(9)->Arg(100)->Arg(1000);

void BM_ValidateReport(benchmark::State& state) {
  json r = testing::make_report(suite(static_cast<int>(state.range(0)), 9, 1), "2026-11-26T06:00:00+00:00");
  for (auto _ : state) benchmark::DoNotOptimize(validate_report(r));
  state.counters["rows"] = static_cast<double>(r["google_benchmark"]["benchmarks"].size());
}
BENCHMARK(BM_ValidateReport)->Arg(10)->Arg(100);

void BM_Compare(benchmark::State& state) {
  json a = testing::make_report(suite(100, 9, 1), "2026-11-26T06:00:00+00:00");
  json b = testing::make_report(suite(100, 9, 7), "2026-11-27T06:00:00+00:00");
  for (auto _ : state) benchmark::DoNotOptimize(compare(a, b).geomean_ratio);
}
BENCHMARK(BM_Compare);

void BM_IngestSqlite(benchmark::State& state) {
  const std::string dir = testing::temp_dir("bench-ingest");
  History h(open_database("sqlite:" + dir + "/h.sqlite"));
  json r = testing::make_report(suite(20, 9, 1), "2026-11-26T06:00:00+00:00");
  int64_t i = 0;
  for (auto _ : state) {
    r["suite_version"] = "bench-" + std::to_string(i++);  // a new report each time
    h.ingest(r);
  }
  state.counters["reports/s"] = benchmark::Counter(static_cast<double>(i), benchmark::Counter::kIsRate);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_IngestSqlite)->Unit(benchmark::kMillisecond);

void BM_RenderDashboard(benchmark::State& state) {
  const std::string dir = testing::temp_dir("bench-dash");
  History h(open_database("sqlite:" + dir + "/h.sqlite"));
  const int days = static_cast<int>(state.range(0));
  for (int d = 0; d < days; ++d)
    h.ingest(testing::make_report(suite(20, 9, d), testing::format_day(d)));
  auto points = h.query({});
  auto reports = h.reports({});
  size_t bytes = 0;
  for (auto _ : state) bytes = render_dashboard(points, reports, {}).size();
  state.counters["html_bytes"] = static_cast<double>(bytes);
  state.counters["points"] = static_cast<double>(points.size());
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RenderDashboard)->Arg(30)->Arg(365)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vmxb::reports

BENCHMARK_MAIN();
