// The result-line parser (harness/PROTOCOL.md), without Bochs.
#include "harness/host/image_output.h"

#include <gtest/gtest.h>

namespace vmxb::harness {
namespace {

TEST(ImageOutputTest, ParsesEveryLineKind) {
  const auto r = parse_image_output({
      "VMXBENCH-IMAGE 1",
      "CPU vendor=GenuineIntel family=6 model=85 stepping=4 maxphyaddr=40 long_mode=1 vmx=1 hypervisor=0 rdtscp=1",
      "CPUID 00000001 00000000 00050654 00010800 77faf3bf bfebfbff",
      "MSR 00000480 00d810000000002b",
      "MSR 00000492 gp",
      "CR 4 0000000000000020",
      "PASS: vmxon",
      "SKIP: invept_x: not advertised: really",
      "SUMMARY: 2 tests, 0 failures, 1 skipped, 0 known",
      "TIMING end=rdtscp",
      "MEASUREMENT smi_count unavailable: RDMSR 34H (MSR_SMI_COUNT) raised #GP",
      "MEASUREMENT invariant_tsc yes",
      "OP vmread status=ok error=0 iterations=3 warmup=1 reason=",
      "CHUNKS vmread kept=1 smi_discarded=0 pmu=unavailable smi=counted",
      "SAMPLES vmread 9 9 10",
      "OP invept_global_live status=ok error=0 iterations=2 warmup=1 pages=64 reason=",
      "SAMPLES invept_global_live 6 6",
      "COUNTER invept_global_live warm 258 258",
      "COUNTER invept_global_live refill 258 259",
      "OP invept_global status=unsupported error=0 iterations=3 warmup=1 reason=all-context INVEPT not supported (x)",
      "END status=ok",
  });
  EXPECT_TRUE(r.malformed.empty()) << r.malformed.front();
  EXPECT_EQ(r.protocol_version, 1);
  ASSERT_TRUE(r.cpu.has_value());
  EXPECT_EQ(r.cpu->model, 85u);
  EXPECT_TRUE(r.cpu->rdtscp);
  ASSERT_EQ(r.cpuid.size(), 1u);
  EXPECT_EQ(r.cpuid[0].ecx, 0x77faf3bfu);
  EXPECT_EQ(r.msrs.at(0x480), 0xd810000000002bull);
  EXPECT_FALSE(r.msrs.at(0x492).has_value());
  EXPECT_EQ(r.control_registers.at(4), 0x20u);
  ASSERT_EQ(r.tests.size(), 2u);
  EXPECT_EQ(r.tests[1].name, "invept_x");
  EXPECT_EQ(r.tests[1].detail, "not advertised: really");
  ASSERT_TRUE(r.summary.has_value());
  EXPECT_EQ(r.summary->skipped, 1u);
  ASSERT_EQ(r.ops.size(), 3u);
  EXPECT_EQ(r.ops[0].samples, (std::vector<uint64_t>{9, 9, 10}));
  EXPECT_EQ(r.ops[0].chunks.at("kept"), "1");
  EXPECT_EQ(r.ops[0].chunks.at("smi"), "counted");
  EXPECT_TRUE(r.ops[1].chunks.empty());
  EXPECT_EQ(r.ops[1].pages, 64u);
  EXPECT_EQ(r.ops[1].samples, (std::vector<uint64_t>{6, 6}));
  EXPECT_EQ(r.ops[1].counters.at("warm"), (std::vector<uint64_t>{258, 258}));
  EXPECT_EQ(r.ops[1].counters.at("refill"), (std::vector<uint64_t>{258, 259}));
  EXPECT_EQ(r.ops[2].status, "unsupported");
  EXPECT_EQ(r.ops[2].reason, "all-context INVEPT not supported (x)");
  EXPECT_EQ(r.measurement.at("smi_count"), "unavailable: RDMSR 34H (MSR_SMI_COUNT) raised #GP");
  EXPECT_EQ(r.measurement.at("invariant_tsc"), "yes");
  EXPECT_TRUE(r.end_seen && r.end_ok);
}

TEST(ImageOutputTest, MalformedLinesAreCollectedNotGuessed) {
  const auto r = parse_image_output({"MSR 480", "MSR zz 1", "CPU vendor=X", "SAMPLES orphan 1 2", "CHUNKS orphan kept=1", "OP x status=ok",
                                     "CHUNKS x kept", "CHUNKS x =1",
                                     "SUMMARY: lots", "garbage", "END status=error no long mode"});
  EXPECT_EQ(r.malformed.size(), 10u);
  EXPECT_TRUE(r.msrs.empty());
  EXPECT_FALSE(r.cpu.has_value());
  EXPECT_TRUE(r.end_seen);
  EXPECT_FALSE(r.end_ok);
  EXPECT_EQ(r.end_reason, "no long mode");
}

}  // namespace
}  // namespace vmxb::harness
