// Every row of the core's operation table (core/operation_rows.h) runs in the
// boot image under Bochs: on a model with VMX, EPT and VPID each one succeeds
// with one sample per iteration; on a CPU without VMX exactly the rows that
// need VMX root operation are unsupported. A new row is covered here without
// touching this file.
#include "core/operations.h"
#include "harness/tests/image_runs.h"

namespace vmxb::harness {
namespace {

using testing::boot;
using testing::find_op;
using testing::joined;

constexpr unsigned kIterations = 16;

std::string plan_of_every_operation() {
  std::vector<PlanOp> ops;
  for (const auto& op : core::kOperations) ops.push_back({op.name, kIterations, 2});
  return make_plan(PlanMode::kBench, ops);
}

TEST(Operations, EveryRowRunsOnSkylakeX) {
  const auto r = boot("corei7_skylake_x", plan_of_every_operation());
  ASSERT_TRUE(r.run.completed) << r.run.error;
  // Not vacuous: one result per row of the table, in table order.
  ASSERT_EQ(r.report.ops.size(), array_size(core::kOperations)) << joined(r.run.lines);
  for (usize i = 0; i < array_size(core::kOperations); ++i) {
    const OpResult& op = r.report.ops[i];
    EXPECT_EQ(op.name, core::kOperations[i].name);
    EXPECT_EQ(op.status, "ok") << op.name << ": " << op.reason;
    EXPECT_EQ(op.samples.size(), kIterations) << op.name;
  }
}

TEST(Operations, WithoutVmxOnlyTheRowsNeedingVmxRootAreUnsupported) {
  const auto r = boot("ryzen", plan_of_every_operation());
  ASSERT_TRUE(r.run.completed) << r.run.error;
  ASSERT_EQ(r.report.ops.size(), array_size(core::kOperations)) << joined(r.run.lines);
  for (const auto& info : core::kOperations) {
    const OpResult* op = find_op(r.report, info.name);
    ASSERT_NE(op, nullptr) << info.name;
    const bool needs_vmx = (info.needs & core::kNeedsVmxRoot) != 0;
    EXPECT_EQ(op->status, needs_vmx ? "unsupported" : "ok") << info.name << ": " << op->reason;
    EXPECT_EQ(op->samples.size(), needs_vmx ? 0u : kIterations) << info.name;
  }
}

// The row added with the one-row-per-operation table: VMREAD of a 32-bit
// read-only data field (SDM Vol. 3C, B.3.2), next to the natural-width guest
// RIP of `vmread`. An encoding the CPU does not know would be VMfailValid with
// error 12 (31.4), not ok.
TEST(Operations, VmreadExitReasonReadsAnExitInformationField) {
  const core::OperationInfo* row = core::find_operation("vmread_exit_reason");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->needs, static_cast<u32>(core::kNeedsVmxRoot));
  const auto r = boot("corei7_skylake_x", make_plan(PlanMode::kBench, {{"vmread_exit_reason", kIterations, 2}}));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  const OpResult* op = find_op(r.report, "vmread_exit_reason");
  ASSERT_NE(op, nullptr) << joined(r.run.lines);
  EXPECT_EQ(op->status, "ok") << op->reason;
  EXPECT_EQ(op->vm_error, 0u);
  EXPECT_EQ(op->samples.size(), kIterations);
}

// The row added with the fifth status-capture strategy: `vmread` uses the
// default strategy, which is asm_goto_jna (primitives/capture.h), so under
// Bochs, where a sample is an instruction count, both rows cost exactly the
// same in every sample; `capture_flag_outputs` costs more (it materializes
// CF and ZF), which shows the comparison can fail.
TEST(Operations, DefaultVmreadIsTheAsmGotoJnaRow) {
  const auto r = boot("corei7_skylake_x", make_plan(PlanMode::kBench, {{"vmread", kIterations, 2},
                                                                        {"capture_asm_goto_jna", kIterations, 2},
                                                                        {"capture_flag_outputs", kIterations, 2}}));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  const OpResult* dflt = find_op(r.report, "vmread");
  const OpResult* jna = find_op(r.report, "capture_asm_goto_jna");
  const OpResult* flags = find_op(r.report, "capture_flag_outputs");
  ASSERT_TRUE(dflt && jna && flags) << joined(r.run.lines);
  ASSERT_EQ(jna->status, "ok") << jna->reason;
  ASSERT_EQ(jna->samples.size(), kIterations);
  EXPECT_EQ(jna->samples, dflt->samples);
  EXPECT_GT(flags->samples.front(), jna->samples.front());
}

}  // namespace
}  // namespace vmxb::harness
