// The Bochs source: probe lines (harness/PROTOCOL.md) to a Snapshot, and a
// real boot of the image reproducing the committed skylake dump.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "diag/bochs_source.h"
#include "diag/dump.h"
#include "diag/diagnosis.h"
#include "diag/tests/test_util.h"
#include "harness/host/image_output.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {
namespace {

// What the image prints in probe mode for core2_penryn_t9600 (format of
// PROTOCOL.md; values of the committed dump).
std::vector<std::string> penryn_probe_lines(bool with_end = true) {
  std::vector<std::string> lines = {
      "VMXBENCH-IMAGE 1",
      "CPU vendor=GenuineIntel family=6 model=23 stepping=10 maxphyaddr=40 long_mode=1 vmx=1 hypervisor=0 "
      "rdtscp=1",
      "CPUID 00000000 00000000 0000000d 756e6547 6c65746e 49656e69",
      "CPUID 00000001 00000000 0001067a 00010800 0c08e3fd bfebfbff",
      "CPUID 80000000 00000000 80000008 00000000 00000000 00000000",
      "CPUID 80000001 00000000 00000000 00000000 00000001 20100800",
      "CPUID 80000008 00000000 00003028 00000000 00000000 00000000",
  };
  const Snapshot s = testing::load_testdata("core2_penryn_t9600");
  for (const auto& m : s.cpus[0].msrs) {
    char line[64];
    if (m.status == MsrStatus::kOk)
      std::snprintf(line, sizeof line, "MSR %08x %016llx", m.index, static_cast<unsigned long long>(m.value));
    else
      std::snprintf(line, sizeof line, "MSR %08x gp", m.index);
    lines.push_back(line);
  }
  if (with_end) lines.push_back("END status=ok");
  return lines;
}

TEST(BochsSource, ProbeLinesBecomeTheSnapshot) {
  const harness::ImageReport probe = harness::parse_image_output(penryn_probe_lines());
  ASSERT_TRUE(probe.malformed.empty());
  Snapshot s;
  std::string error;
  ASSERT_TRUE(snapshot_from_probe(probe, "core2_penryn_t9600", s, error)) << error;
  EXPECT_EQ(s.source, SourceKind::kBochs);
  // Identification through libcpuid from the CPUID leaves: 0001067a = family 6,
  // model 0x17, stepping 0xa; ECX bit 5 (VMX) and bit 6 (SMX) set.
  EXPECT_EQ(s.identity.vendor, "GenuineIntel");
  EXPECT_EQ(s.identity.family, 6);
  EXPECT_EQ(s.identity.model, 0x17);
  EXPECT_EQ(s.identity.stepping, 10);
  EXPECT_TRUE(s.identity.vmx);
  EXPECT_TRUE(s.identity.smx);
  EXPECT_TRUE(s.identity.long_mode);
  EXPECT_TRUE(s.identity.nx);
  EXPECT_EQ(s.identity.maxphyaddr, 40);
  // Every MSR line kept, #GP included.
  const Snapshot want = testing::load_testdata("core2_penryn_t9600");
  ASSERT_EQ(s.cpus.size(), 1u);
  ASSERT_EQ(s.cpus[0].msrs.size(), want.cpus[0].msrs.size());
  for (size_t i = 0; i < s.cpus[0].msrs.size(); ++i) {
    EXPECT_EQ(s.cpus[0].msrs[i].index, want.cpus[0].msrs[i].index);
    EXPECT_EQ(s.cpus[0].msrs[i].status, want.cpus[0].msrs[i].status);
    EXPECT_EQ(s.cpus[0].msrs[i].value, want.cpus[0].msrs[i].value);
  }
  EXPECT_EQ(diagnose(s).exit, ExitCode::kVmxUsable);
}

TEST(BochsSource, IncompleteRunsAreRefused) {
  Snapshot s;
  std::string error;
  EXPECT_FALSE(snapshot_from_probe(harness::parse_image_output(penryn_probe_lines(false)), "m", s, error));
  EXPECT_NE(error.find("END"), std::string::npos) << error;
  std::vector<std::string> no_cpu = penryn_probe_lines();
  no_cpu.erase(no_cpu.begin() + 1);
  EXPECT_FALSE(snapshot_from_probe(harness::parse_image_output(no_cpu), "m", s, error));
  EXPECT_NE(error.find("CPU line"), std::string::npos) << error;
}

// A CPU without long mode: the boot sector's own reason is the error.
TEST(BochsSource, TheImagesStopReasonIsPassedOn) {
  const std::vector<std::string> lines{"VMXBENCH-IMAGE 1", "END status=error no long mode: CPUID.80000001H:EDX[29]=0"};
  Snapshot s;
  std::string error;
  EXPECT_FALSE(snapshot_from_probe(harness::parse_image_output(lines), "core_duo_t2400_yonah", s, error));
  EXPECT_EQ(error, "the boot image stopped: no long mode: CPUID.80000001H:EDX[29]=0");
}

bool have_bochs() {
  for (const char* dir : {"/usr/bin/bochs", "/usr/local/bin/bochs"})
    if (access(dir, X_OK) == 0) return true;
  return false;
}

// `diag --bochs corei7_skylake_x` today gives exactly the committed dump.
TEST(BochsSource, BootReproducesTheCommittedDump) {
  if (!have_bochs()) GTEST_SKIP() << "bochs is not installed (tools/setup installs it)";
  Snapshot s;
  std::string error;
  ASSERT_EQ(collect_bochs("corei7_skylake_x", s, error), BochsResult::kOk) << error;
  EXPECT_EQ(snapshot_json(s), snapshot_json(testing::load_testdata("corei7_skylake_x")));
}

TEST(BochsSource, UnknownModelIsNamed) {
  if (!have_bochs()) GTEST_SKIP() << "bochs is not installed (tools/setup installs it)";
  Snapshot s;
  std::string error;
  EXPECT_EQ(collect_bochs("no_such_model", s, error), BochsResult::kUnknownModel);
  EXPECT_NE(error.find("unknown Bochs CPU model 'no_such_model'"), std::string::npos) << error;
  EXPECT_NE(error.find("corei7_skylake_x"), std::string::npos) << error;
}

}  // namespace
}  // namespace vmxb::diag
