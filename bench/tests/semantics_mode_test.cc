// bench --semantics: the suite's lines picked from an image's output, and a
// real run of the boot image under Bochs printing them with the exit status.
#include "bench/semantics_mode.h"

#include <gtest/gtest.h>

#include "bench/exit_codes.h"

namespace vmxb::bench {
namespace {

TEST(SemanticsMode, SuiteLinesOnly) {
  const std::vector<std::string> image = {
      "VMXBENCH-IMAGE 1", "CPU vendor=GenuineIntel family=6", "PASS: vmxon", "FAIL: x: expected a, got b",
      "SKIP: y: why",     "KNOWN: z: emulator gives VMsucceed; SDM: r", "OBSERVED: w: VMsucceed; SDM: r",
      "SUMMARY: 5 tests, 1 failures, 1 skipped, 1 known", "END status=ok", "PASSED: not a verdict"};
  const std::vector<std::string> want(image.begin() + 2, image.begin() + 8);
  EXPECT_EQ(suite_lines(image), want);
}

TEST(SemanticsMode, QemuIsAUsageError) {
  SemanticsOptions o;
  o.backend = BackendKind::kQemu;
  EXPECT_EQ(run_semantics(o), kExitUsage);
}

TEST(SemanticsMode, BochsPrintsTheSuiteAndPasses) {
  SemanticsOptions o;
  o.backend = BackendKind::kBochs;
  testing::internal::CaptureStdout();
  const int rc = run_semantics(o);
  const std::string out = testing::internal::GetCapturedStdout();
  ASSERT_EQ(rc, kExitOk) << out;
  EXPECT_NE(out.find("PASS: vmxon\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nSUMMARY: "), std::string::npos) << out;
  EXPECT_NE(out.find(" tests, 0 failures, "), std::string::npos) << out;
  EXPECT_EQ(out.find("END "), std::string::npos) << "only the suite's lines: " << out;
}

}  // namespace
}  // namespace vmxb::bench
