// finite_runs: what StrictJsonReporter leaves out, and that it leaves the rest.
#include "bench/strict_json_reporter.h"

#include <gtest/gtest.h>

#include <limits>

namespace vmxb::bench {
namespace {

using BenchRun = benchmark::BenchmarkReporter::Run;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

BenchRun run_with(double real_time, double cpu_time) {
  BenchRun run;
  run.real_accumulated_time = real_time;
  run.cpu_accumulated_time = cpu_time;
  run.counters["ticks_median"] = 7.0;
  return run;
}

TEST(FiniteRuns, DropsNonFiniteCountersAndKeepsTheOthers) {
  BenchRun run = run_with(1.0, 1.0);
  run.counters["ticks_stddev"] = kNan;
  run.counters["vs_single_context"] = kInf;
  const auto kept = finite_runs({run});
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].counters.size(), 1u);
  EXPECT_EQ(kept[0].counters.at("ticks_median").value, 7.0);
}

TEST(FiniteRuns, DropsARowWhoseTimeIsNotFinite) {
  const auto kept = finite_runs({run_with(kNan, 1.0), run_with(1.0, 2.0), run_with(1.0, -kInf)});
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].cpu_accumulated_time, 2.0);
}

TEST(JsonOutputs, FollowsTheLastFlag) {
  const char* args[] = {"bench", "--benchmark_format=json", "--benchmark_format=console", "--benchmark_out=x.json"};
  const JsonOutputs outputs = json_outputs(4, const_cast<char**>(args));
  EXPECT_FALSE(outputs.display);
  EXPECT_TRUE(outputs.file) << "--benchmark_out_format defaults to json";
  const char* csv[] = {"bench", "--benchmark_format=json", "--benchmark_out=x.csv", "--benchmark_out_format=csv"};
  const JsonOutputs csv_outputs = json_outputs(4, const_cast<char**>(csv));
  EXPECT_TRUE(csv_outputs.display);
  EXPECT_FALSE(csv_outputs.file);
}

}  // namespace
}  // namespace vmxb::bench
