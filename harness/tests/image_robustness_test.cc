// The image and its host runner never hang and never report a crash as a
// result: CPUs without long mode or VMX, bad plans, unsupported operations,
// broken images and Bochs failures all end in a clear status.
#include <filesystem>
#include <fstream>

#include "harness/tests/image_runs.h"

namespace vmxb::harness {
namespace {

using testing::boot;
using testing::joined;

TEST(ImageRobustness, CpuWithoutLongModeEndsWithAClearError) {
  // Core Duo T2400 (Yonah) has VMX but is 32-bit only.
  const auto r = boot("core_duo_t2400_yonah", make_plan(PlanMode::kSemantics));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  EXPECT_FALSE(r.run.end_ok);
  EXPECT_NE(r.report.end_reason.find("no long mode"), std::string::npos) << joined(r.run.lines);
}

TEST(ImageRobustness, CpuWithoutVmxReportsEveryOperationUnsupported) {
  const auto r = boot("ryzen", make_plan(PlanMode::kBench, {{"invept_global", 10, 1}, {"vmread", 10, 1}, {"nop_10", 10, 1}}));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  ASSERT_EQ(r.report.ops.size(), 3u);
  EXPECT_EQ(r.report.ops[0].status, "unsupported");
  EXPECT_NE(r.report.ops[0].reason.find("VMX"), std::string::npos);
  EXPECT_EQ(r.report.ops[1].status, "unsupported");
  EXPECT_EQ(r.report.ops[2].status, "ok") << "calibration needs no VMX";
  EXPECT_FALSE(r.report.vmx_unusable.empty());
}

TEST(ImageRobustness, OperationsNotAdvertisedAreNeverExecuted) {
  const auto r = boot("core2_penryn_t9600",
                      make_plan(PlanMode::kBench, {{"invept_single_context", 10, 1}, {"invvpid_all_context", 10, 1}, {"vmread", 10, 1}}));
  ASSERT_TRUE(r.run.completed) << r.run.error;
  ASSERT_EQ(r.report.ops.size(), 3u);
  EXPECT_EQ(r.report.ops[0].status, "unsupported");
  EXPECT_TRUE(r.report.ops[0].samples.empty());
  EXPECT_EQ(r.report.ops[1].status, "unsupported");
  EXPECT_EQ(r.report.ops[2].status, "ok");
  EXPECT_EQ(r.report.ops[2].samples.size(), 10u);
}

TEST(ImageRobustness, MalformedPlansAreRejectedByTheImage) {
  const auto unknown_op = boot("corei7_skylake_x", "vmxbench-plan 1\nmode bench\nop no_such_op 1 1\nend\n");
  ASSERT_TRUE(unknown_op.run.completed) << unknown_op.run.error;
  EXPECT_FALSE(unknown_op.run.end_ok);
  EXPECT_NE(unknown_op.report.plan_error.find("unknown operation no_such_op"), std::string::npos);
  const auto truncated = boot("corei7_skylake_x", "vmxbench-plan 1\nmode bench\nop vmread 1 1\n");
  ASSERT_TRUE(truncated.run.completed);
  EXPECT_NE(truncated.report.plan_error.find("missing 'end'"), std::string::npos);
  const auto version = boot("corei7_skylake_x", "vmxbench-plan 2\nmode probe\nend\n");
  ASSERT_TRUE(version.run.completed);
  EXPECT_NE(version.report.plan_error.find("unsupported version"), std::string::npos);
}

TEST(ImageRobustness, ZeroIterationsIsABadArgumentNotACrash) {
  const auto r = boot("corei7_skylake_x", make_plan(PlanMode::kBench, {{"vmread", 0, 0}}));
  ASSERT_TRUE(r.run.completed);
  ASSERT_EQ(r.report.ops.size(), 1u);
  EXPECT_EQ(r.report.ops[0].status, "bad-argument");
}

TEST(HostRunner, BrokenImageTimesOutAndSaysSo) {
  // A boot sector followed by zeros: the CPU runs off into memory that never ends the run.
  const std::string image = locate_image();
  ASSERT_FALSE(image.empty());
  std::ifstream in(image, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fill(bytes.begin() + 512 + 4096, bytes.end(), '\0');
  const std::string broken = std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/broken.img";
  std::ofstream(broken, std::ios::binary) << bytes;
  BochsOptions o;
  o.image_path = broken;
  o.plan = make_plan(PlanMode::kProbe);
  o.timeout = std::chrono::seconds(3);
  const ImageRun run = run_boot_image(o);
  EXPECT_FALSE(run.completed);
  EXPECT_FALSE(run.error.empty());
  EXPECT_TRUE(run.timed_out || run.exit_status != 0) << run.error;
}

TEST(HostRunner, UnknownCpuModelIsAnErrorNotAResult) {
  BochsOptions o;
  o.cpu_model = "no_such_cpu";
  o.plan = make_plan(PlanMode::kProbe);
  o.timeout = std::chrono::seconds(30);
  const ImageRun run = run_boot_image(o);
  EXPECT_FALSE(run.completed);
  EXPECT_NE(run.error.find("Bochs"), std::string::npos) << run.error;
}

TEST(HostRunner, MissingImageAndOversizedPlanAreExplained) {
  BochsOptions o;
  o.image_path = "/nonexistent/vmxbench.img";
  EXPECT_NE(run_boot_image(o).error.find("boot image not found"), std::string::npos);
  o.image_path = locate_image();
  o.plan.assign(5000, 'x');
  EXPECT_NE(run_boot_image(o).error.find("at most 4095"), std::string::npos);
}

TEST(HostRunner, KnowsBochsCpuModels) {
  const auto models = bochs_cpu_models();
  EXPECT_NE(std::find(models.begin(), models.end(), "corei7_skylake_x"), models.end());
  EXPECT_NE(std::find(models.begin(), models.end(), "ryzen"), models.end());
  EXPECT_EQ(std::find(models.begin(), models.end(), "no_such_cpu"), models.end());
}

}  // namespace
}  // namespace vmxb::harness
