// The measurement arithmetic, proven under Bochs where the TSC advances by
// exactly one per instruction: a body of k NOPs must cost exactly k ticks more
// than the empty body, sample for sample, on the RDTSCP path (skylake_x) and
// the LFENCE;RDTSC path of CPUs without RDTSCP (core2_penryn). The bodies are
// the table's nop_<N> rows (core::nop_count).
#include <algorithm>

#include "core/operations.h"
#include "harness/tests/image_runs.h"

namespace vmxb::harness {
namespace {

using testing::boot;
using testing::find_op;
using testing::joined;

class CalibrationTest : public ::testing::TestWithParam<const char*> {};

// Every calibration row of the core's table with its instruction count.
std::vector<std::pair<std::string, uint64_t>> calibration_rows() {
  std::vector<std::pair<std::string, uint64_t>> rows;
  for (const auto& op : core::kOperations)
    if (core::nop_count(op) > 0) rows.emplace_back(op.name, core::nop_count(op));
  return rows;
}

TEST(CalibrationRows, AreTheNopRowsWithTheirCounts) {
  const auto rows = calibration_rows();
  for (const auto& want : std::vector<std::pair<std::string, uint64_t>>{{"nop_1", 1}, {"nop_10", 10}, {"nop_100", 100}})
    EXPECT_NE(std::find(rows.begin(), rows.end(), want), rows.end()) << want.first;
}

TEST_P(CalibrationTest, KNopsCostExactlyKTicks) {
  const auto rows = calibration_rows();
  ASSERT_GE(rows.size(), 3u);
  std::vector<PlanOp> plan{{"empty", 64, 8}};
  for (const auto& [name, k] : rows) plan.push_back({name, 64, 8});
  const auto r = boot(GetParam(), make_plan(PlanMode::kBench, plan));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  const OpResult* empty = find_op(r.report, "empty");
  ASSERT_NE(empty, nullptr) << joined(r.run.lines);
  ASSERT_EQ(empty->samples.size(), 64u);
  const uint64_t overhead = empty->samples.front();
  for (uint64_t s : empty->samples) ASSERT_EQ(s, overhead) << "the empty body must be deterministic";
  EXPECT_GT(overhead, 0u);
  for (const auto& [name, k] : rows) {
    const OpResult* op = find_op(r.report, name);
    ASSERT_NE(op, nullptr) << name;
    EXPECT_EQ(op->status, "ok");
    ASSERT_EQ(op->samples.size(), 64u);
    for (uint64_t s : op->samples) EXPECT_EQ(s - overhead, k) << name;
  }
}

TEST(CalibrationTiming, RdtscpIsUsedOnlyWhereAdvertised) {
  const auto skylake = boot("corei7_skylake_x", make_plan(PlanMode::kBench, {{"empty", 1, 0}}));
  const auto penryn = boot("core2_penryn_t9600", make_plan(PlanMode::kBench, {{"empty", 1, 0}}));
  ASSERT_TRUE(skylake.run.completed && penryn.run.completed);
  EXPECT_EQ(skylake.report.timing_end, "rdtscp");
  EXPECT_EQ(penryn.report.timing_end, "lfence-rdtsc");
}

// With `clock: sync=none` Bochs is deterministic: the same plan gives the same
// samples, so emulated rows are reproducible instruction counts.
TEST(CalibrationTiming, EmulatedRunsAreReproducible) {
  const std::string plan = make_plan(PlanMode::kBench, {{"invept_single_context", 16, 2}, {"vmread", 16, 2}});
  const auto a = boot("corei7_skylake_x", plan);
  const auto b = boot("corei7_skylake_x", plan);
  ASSERT_TRUE(a.run.completed && b.run.completed);
  ASSERT_EQ(a.report.ops.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(a.report.ops[i].samples, b.report.ops[i].samples);
}

INSTANTIATE_TEST_SUITE_P(BochsModels, CalibrationTest, ::testing::Values("corei7_skylake_x", "core2_penryn_t9600"));

// The throughput rows (nanoBench's differential): 2n back-to-back copies of
// an instruction cost exactly n ticks more than n copies, sample for sample,
// for every <base>_unrolled_<n> pair of the table: n instructions, nothing
// else, because the bracket and the status branch are in both.
TEST(UnrolledRows, TwiceNCopiesCostExactlyNMoreInstructions) {
  std::vector<PlanOp> plan;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& op : core::kOperations) {
    const core::OperationInfo* n = core::unrolled_row(op.name, core::kUnrolledCopies);
    const core::OperationInfo* twice_n = core::unrolled_row(op.name, 2 * core::kUnrolledCopies);
    if (n == nullptr || twice_n == nullptr) continue;
    plan.push_back({n->name, 16, 2});
    plan.push_back({twice_n->name, 16, 2});
    pairs.emplace_back(n->name, twice_n->name);
  }
  ASSERT_GE(pairs.size(), 9u);  // VMREAD, VMWRITE, VMPTRST, two INVEPT and four INVVPID types
  const auto r = boot("corei7_skylake_x", make_plan(PlanMode::kBench, plan));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  for (const auto& [n_name, twice_n_name] : pairs) {
    const OpResult* n = find_op(r.report, n_name);
    const OpResult* twice_n = find_op(r.report, twice_n_name);
    ASSERT_TRUE(n != nullptr && twice_n != nullptr) << n_name << "\n" << joined(r.run.lines);
    ASSERT_EQ(n->status, "ok") << n_name << ": " << n->reason;
    ASSERT_EQ(twice_n->status, "ok") << twice_n_name << ": " << twice_n->reason;
    ASSERT_EQ(n->samples.size(), 16u);
    ASSERT_EQ(twice_n->samples.size(), 16u);
    for (size_t i = 0; i < n->samples.size(); ++i)
      EXPECT_EQ(twice_n->samples[i] - n->samples[i], core::kUnrolledCopies) << n_name << " sample " << i;
  }
}

}  // namespace
}  // namespace vmxb::harness
