// The measurement facts derived from raw CPUID leaves, worked out by hand:
// every fact is a value or "unavailable: <reason>", never a silent zero.
#include "core/measurement_facts.h"

#include <gtest/gtest.h>

#include <string>

namespace vmxb::core {
namespace {

std::string fact(const MeasurementInputs& in, Fact f) {
  MeasurementFacts facts;
  derive_measurement_facts(in, facts);
  return facts[f].c_str();
}

MeasurementInputs skylake_server() {
  MeasurementInputs in;
  in.intel = true;
  in.max_basic = 0x16;
  in.max_extended = 0x80000008;
  in.advanced_power.edx = 1u << 8;
  in.tsc_crystal = {2, 168, 25000000, 0};  // 25 MHz crystal x 168/2 = 2.1 GHz
  in.processor_frequency.eax = 2100;
  in.performance_monitoring = {0x08300804, 0, 0, 0x603};  // version 4, 3 fixed counters
  in.thermal_power.ecx = 1;
  in.smi_count_readable = true;
  in.fixed_counter1_readable = true;
  in.mperf_readable = true;
  return in;
}

TEST(MeasurementFacts, AServerCpuHasThemAll) {
  const MeasurementInputs in = skylake_server();
  EXPECT_EQ(fact(in, Fact::kInvariantTsc), "yes");
  EXPECT_EQ(fact(in, Fact::kTscHz), "2100000000");
  EXPECT_EQ(fact(in, Fact::kCoreCycles), "fixed counters 0 and 1 (PMU version 4)");
  EXPECT_EQ(fact(in, Fact::kAperfMperf), "yes");
  EXPECT_EQ(fact(in, Fact::kSmiCount), "yes");
}

TEST(MeasurementFacts, Leaf16IsTheFallbackForTheTscFrequency) {
  MeasurementInputs in = skylake_server();
  in.tsc_crystal = {};
  EXPECT_EQ(fact(in, Fact::kTscHz), "2100000000");
  in.processor_frequency = {};
  EXPECT_EQ(fact(in, Fact::kTscHz), "unavailable: CPUID leaves 15H/16H report no frequency (calibrate against a clock)");
  in.max_basic = 0xD;
  EXPECT_EQ(fact(in, Fact::kTscHz), "unavailable: CPUID leaves 15H/16H are absent");
}

TEST(MeasurementFacts, EachMissingPieceHasItsReason) {
  MeasurementInputs in = skylake_server();
  in.fixed_counter1_readable = false;
  EXPECT_EQ(fact(in, Fact::kCoreCycles),
            "unavailable: CPUID reports fixed counters, but RDMSR 30AH (IA32_FIXED_CTR1) raised #GP");
  in.performance_monitoring.eax = 1;
  EXPECT_EQ(fact(in, Fact::kCoreCycles), "unavailable: CPUID leaf 0AH reports a PMU version below 2: no architectural fixed counters");
  in.performance_monitoring = {0x4, 0, 0, 0x1};
  EXPECT_EQ(fact(in, Fact::kCoreCycles), "unavailable: CPUID leaf 0AH reports fewer than 2 fixed counters: none for unhalted core cycles");
  in.mperf_readable = false;
  EXPECT_EQ(fact(in, Fact::kAperfMperf), "unavailable: CPUID reports IA32_MPERF/IA32_APERF, but RDMSR E7H or E8H raised #GP");
  in.thermal_power.ecx = 0;
  EXPECT_EQ(fact(in, Fact::kAperfMperf), "unavailable: CPUID.6:ECX.APERFMPERF[0] = 0: no IA32_APERF/IA32_MPERF");
  in.max_basic = 5;
  EXPECT_EQ(fact(in, Fact::kCoreCycles), "unavailable: CPUID leaf 0AH is absent");
  EXPECT_EQ(fact(in, Fact::kAperfMperf), "unavailable: CPUID leaf 06H is absent");
  in = skylake_server();
  in.advanced_power.edx = 0;
  EXPECT_EQ(fact(in, Fact::kInvariantTsc), "no (the TSC rate may change)");
  in.max_extended = 0x80000004;
  EXPECT_EQ(fact(in, Fact::kInvariantTsc), "unavailable: CPUID leaf 80000007H is absent");
  in.smi_count_readable = false;
  EXPECT_EQ(fact(in, Fact::kSmiCount), "unavailable: RDMSR 34H (MSR_SMI_COUNT) raised #GP");
  in.intel = false;
  EXPECT_EQ(fact(in, Fact::kSmiCount), "unavailable: MSR_SMI_COUNT is Intel's");
}

TEST(MeasurementFacts, EveryReasonFits) {
  for (const MeasurementInputs& in : {MeasurementInputs{}, skylake_server()}) {
    MeasurementFacts facts;
    derive_measurement_facts(in, facts);
    for (const auto& t : facts.text) {
      EXPECT_TRUE(t.fits()) << t.c_str();
      EXPECT_GT(t.length, 0u);
    }
  }
}

}  // namespace
}  // namespace vmxb::core
