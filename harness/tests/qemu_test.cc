// The same image boots under QEMU (TCG here; `-enable-kvm -cpu host` on a
// VT-x host) and leaves through isa-debug-exit. TCG emulates no VMX, so the
// suite and the VMX operations must SKIP / report unsupported, never hang.
#include <gtest/gtest.h>

#include "harness/host/image_output.h"
#include "harness/host/qemu.h"

namespace vmxb::harness {
namespace {

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

ImageReport boot_tcg(const std::string& plan, ImageRun* run) {
  QemuOptions o;
  o.plan = plan;
  o.timeout = std::chrono::seconds(120);
  *run = run_boot_image_qemu(o);
  return parse_image_output(run->lines);
}

TEST(QemuTest, ProbeBootsAndExitsThroughDebugExit) {
  ImageRun run;
  const ImageReport r = boot_tcg(make_plan(PlanMode::kProbe, {}, ""), &run);
  ASSERT_TRUE(run.completed) << run.error << "\n" << joined(run.lines);
  EXPECT_TRUE(run.end_ok);
  EXPECT_EQ(run.exit_status, kQemuCleanExit);
  ASSERT_TRUE(r.cpu.has_value());
  EXPECT_TRUE(r.cpu->long_mode);
  EXPECT_TRUE(r.malformed.empty()) << r.malformed.front();
  EXPECT_EQ(r.msrs.size(), 21u) << "every MSR of the table is reported, value or #GP";
}

TEST(QemuTest, SemanticsSkipWithoutVmx) {
  ImageRun run;
  const ImageReport r = boot_tcg(make_plan(PlanMode::kSemantics, {}, ""), &run);
  ASSERT_TRUE(run.completed) << run.error;
  ASSERT_TRUE(r.cpu.has_value() && r.summary.has_value());
  if (r.cpu->vmx) GTEST_SKIP() << "this QEMU's TCG advertises VMX; the Bochs suite covers the VMX cases";
  EXPECT_EQ(r.summary->failures, 0u);
  ASSERT_EQ(r.tests.size(), 1u);
  EXPECT_EQ(r.tests[0].verdict, "SKIP");
}

TEST(QemuTest, CalibrationRunsAndVmxOperationsAreUnsupported) {
  ImageRun run;
  const ImageReport r = boot_tcg(make_plan(PlanMode::kBench, {{"nop_10", 20, 2}, {"invept_global", 20, 2}}, ""), &run);
  ASSERT_TRUE(run.completed) << run.error;
  ASSERT_EQ(r.ops.size(), 2u) << joined(run.lines);
  EXPECT_EQ(r.ops[0].status, "ok");
  EXPECT_EQ(r.ops[0].samples.size(), 20u);
  ASSERT_TRUE(r.cpu.has_value());
  // TCG has no PMU, APERF/MPERF or SMI counter: each fact is unavailable with
  // its reason, and the row that ran says the same in its CHUNKS states.
  for (const char* fact : {"core_cycles", "aperf_mperf", "smi_count"}) {
    ASSERT_TRUE(r.measurement.count(fact)) << fact << "\n" << joined(run.lines);
    EXPECT_EQ(r.measurement.at(fact).rfind("unavailable: ", 0), 0u) << fact << ": " << r.measurement.at(fact);
  }
  for (const char* source : {"pmu", "aperf_mperf", "smi"}) EXPECT_EQ(r.ops[0].chunks.at(source), "unavailable");
  // TCG's TSC is the host's and its PIT runs on QEMU's virtual clock (real
  // time here): the calibration must give a plausible host TSC rate.
  ASSERT_TRUE(r.measurement.count("tsc_hz_calibrated"));
  const std::string hz = r.measurement.at("tsc_hz_calibrated");
  ASSERT_EQ(hz.find_first_not_of("0123456789"), std::string::npos) << hz;
  RecordProperty("tsc_hz_calibrated", hz);  // in test.xml, for the record
  EXPECT_GT(std::stod(hz), 1e8) << hz;
  EXPECT_LT(std::stod(hz), 2e10) << hz;
  if (r.cpu->vmx) GTEST_SKIP() << "this QEMU's TCG advertises VMX; not the case this test covers";
  EXPECT_EQ(r.ops[1].status, "unsupported");
}

}  // namespace
}  // namespace vmxb::harness
