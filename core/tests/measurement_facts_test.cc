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
  in.mperf_advances = true;
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

// Bochs with ignore_bad_msrs=1 (how the kernel e2e boots Linux) and KVM with
// ignore_msrs=1 read every MSR as 0: the CPUID-promised counters must then be
// unavailable for that reason, not "counted" zeros.
TEST(MeasurementFacts, APlatformThatIgnoresUnknownMsrsProvesNoMsr) {
  MeasurementInputs in = skylake_server();
  in.undefined_msr_readable = true;
  const std::string why = "unavailable: RDMSR 5F5F5F5FH (defined nowhere) succeeded: unknown MSRs are ignored here";
  EXPECT_EQ(fact(in, Fact::kCoreCycles), why);
  EXPECT_EQ(fact(in, Fact::kAperfMperf), why);
  EXPECT_EQ(fact(in, Fact::kSmiCount), why);
  EXPECT_EQ(fact(in, Fact::kTscHz), "2100000000");  // CPUID facts stand
  MeasurementFacts facts;
  derive_measurement_facts(in, facts);
  EXPECT_FALSE(facts.countable.core_cycles || facts.countable.aperf_mperf || facts.countable.smi_count);
  // CPUID's own "no" still comes first: it is the more precise reason.
  in.thermal_power.ecx = 0;
  EXPECT_EQ(fact(in, Fact::kAperfMperf), "unavailable: CPUID.6:ECX.APERFMPERF[0] = 0: no IA32_APERF/IA32_MPERF");
}

TEST(MeasurementFacts, AnMperfThatStandsStillIsNoClock) {
  MeasurementInputs in = skylake_server();
  in.mperf_advances = false;
  EXPECT_EQ(fact(in, Fact::kAperfMperf), "unavailable: IA32_MPERF reads, but did not advance between two reads");
  MeasurementFacts facts;
  derive_measurement_facts(in, facts);
  EXPECT_FALSE(facts.countable.aperf_mperf);
  EXPECT_TRUE(facts.countable.core_cycles);
}

// read_measurement_inputs against a scripted RDMSR: which probes it makes and
// what it concludes from them.
struct ScriptedMsrs {
  bool ignore_unknown = false;  // every index reads, as 0
  bool has_mperf = true;
  u64 mperf = 1000;
  static bool read(void* ctx, u32 index, u64* value) {
    auto* self = static_cast<ScriptedMsrs*>(ctx);
    *value = 0;
    if (index == msr::kMperf && self->has_mperf) return *value = self->mperf += 7, true;
    if (index == msr::kAperf && self->has_mperf) return true;
    return self->ignore_unknown;
  }
};

TEST(MeasurementFacts, ReadingTheInputsProbesAnUndefinedMsr) {
  ScriptedMsrs real_cpu;
  MeasurementInputs in = read_measurement_inputs(true, &ScriptedMsrs::read, &real_cpu);
  EXPECT_FALSE(in.undefined_msr_readable);
  EXPECT_TRUE(in.mperf_readable);
  EXPECT_TRUE(in.mperf_advances);
  EXPECT_FALSE(in.smi_count_readable);
  ScriptedMsrs ignoring{.ignore_unknown = true, .has_mperf = false};
  in = read_measurement_inputs(true, &ScriptedMsrs::read, &ignoring);
  EXPECT_TRUE(in.undefined_msr_readable);
  EXPECT_TRUE(in.mperf_readable);
  EXPECT_FALSE(in.mperf_advances);  // reads as 0 twice
}

TEST(MeasurementFacts, EveryReasonFits) {
  MeasurementInputs ignoring = skylake_server();
  ignoring.undefined_msr_readable = true;
  for (const MeasurementInputs& in : {MeasurementInputs{}, skylake_server(), ignoring}) {
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
