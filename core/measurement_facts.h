// What a run can know about its own clock (issue "measurement you can trust"):
// whether the TSC is invariant, its frequency from CPUID, whether an
// architectural PMU with fixed counters exists (unhalted core cycles and
// retired instructions), whether IA32_APERF/MPERF and MSR_SMI_COUNT exist.
// Derived here from raw CPUID leaves and RDMSR probes, so every platform
// reports the same facts with the same reasons; each is a value or
// "unavailable: <reason>", never a zero standing in for "unknown".
// Vol. 2A CPUID (leaves 06H, 0AH, 15H, 16H, 80000007H); Vol. 3B, the
// architectural performance monitoring section; Vol. 4 MSR_SMI_COUNT (34H).
#pragma once

#include "core/capabilities.h"
#include "primitives/cpuid_bits.h"
#include "primitives/fixed_text.h"
#include "primitives/msr_index.h"

namespace vmxb::core {

struct CpuidLeaf {
  u32 eax = 0, ebx = 0, ecx = 0, edx = 0;
};

// The raw inputs: the leaves (zero where the CPU's maximum leaf is lower) and
// which RDMSRs succeeded.
struct MeasurementInputs {
  bool intel = false;
  u32 max_basic = 0, max_extended = 0;
  CpuidLeaf thermal_power, performance_monitoring, tsc_crystal, processor_frequency, advanced_power;
  bool smi_count_readable = false;
  bool fixed_counter1_readable = false;  // RDMSR of IA32_FIXED_CTR1 succeeded
  bool mperf_readable = false;           // RDMSR of IA32_MPERF succeeded
  bool mperf_advances = false;           // two reads of IA32_MPERF differ
  // RDMSR of msr::kUndefinedProbe succeeded: every "readable" above is void.
  bool undefined_msr_readable = false;
};


// The facts, by name (the names are the protocol's MEASUREMENT keys and,
// prefixed with vmxbench_, bench's JSON context keys).
enum class Fact : u8 { kInvariantTsc, kTscHz, kCoreCycles, kAperfMperf, kSmiCount, kCount };
inline constexpr const char* kFactNames[] = {"invariant_tsc", "tsc_hz_cpuid", "core_cycles", "aperf_mperf",
                                             "smi_count"};
static_assert(array_size(kFactNames) == static_cast<usize>(Fact::kCount));

// Each fact: its value ("yes", "2100000000", ...) or "unavailable: <reason>".
inline constexpr usize kFactTextSize = 112;  // the ABI's VMXB_FACT_LEN
// What core/chunk_counters.h may read (small: it travels with every run).
struct CountableSources {
  bool core_cycles = false;  // fixed counters 0 and 1
  bool aperf_mperf = false;
  bool smi_count = false;
  u8 fixed_counter_width = 0;  // CPUID.0AH:EDX[12:5]
};

struct MeasurementFacts {
  FixedText<kFactTextSize> text[static_cast<usize>(Fact::kCount)];
  CountableSources countable;
  constexpr FixedText<kFactTextSize>& operator[](Fact f) { return text[static_cast<usize>(f)]; }
  constexpr const FixedText<kFactTextSize>& operator[](Fact f) const { return text[static_cast<usize>(f)]; }
};

namespace detail {
template <usize N>
constexpr void unavailable(FixedText<N>& t, const char* why) {
  t.add("unavailable: ").add(why);
}
// Emulators and hypervisors told to ignore unknown MSRs (Bochs
// ignore_bad_msrs=1, KVM's ignore_msrs=1) return 0 for any RDMSR: then a
// successful read proves nothing, and a counter read there would be zeros.
inline constexpr const char* kUnknownMsrsIgnored =
    "RDMSR 5F5F5F5FH (defined nowhere) succeeded: unknown MSRs are ignored here";
}  // namespace detail

constexpr void derive_measurement_facts(const MeasurementInputs& in, MeasurementFacts& f) {
  // Invariant TSC: CPUID.80000007H:EDX[8].
  if (in.max_extended < cpuid_leaf::kAdvancedPowerManagement)
    detail::unavailable(f[Fact::kInvariantTsc], "CPUID leaf 80000007H is absent");
  else
    f[Fact::kInvariantTsc].add(cpuid::kInvariantTsc.in(in.advanced_power.edx) ? "yes" : "no (the TSC rate may change)");

  // TSC frequency: leaf 15H (crystal Hz x EBX/EAX), else 16H's base MHz.
  const CpuidLeaf& c = in.tsc_crystal;
  if (in.max_basic >= cpuid_leaf::kTscCrystal && c.eax != 0 && c.ebx != 0 && c.ecx != 0) {
    f[Fact::kTscHz].add_dec(u64{c.ecx} * c.ebx / c.eax);
  } else if (in.max_basic >= cpuid_leaf::kProcessorFrequency && (in.processor_frequency.eax & 0xFFFF) != 0) {
    f[Fact::kTscHz].add_dec(u64{in.processor_frequency.eax & 0xFFFF} * 1000000);
  } else {
    detail::unavailable(f[Fact::kTscHz], in.max_basic < cpuid_leaf::kTscCrystal
                                           ? "CPUID leaves 15H/16H are absent"
                                           : "CPUID leaves 15H/16H report no frequency (calibrate against a clock)");
  }

  // Core cycles: an architectural PMU (version >= 2) with fixed counter 1.
  const u32 version = in.performance_monitoring.eax & 0xFF;
  const u32 fixed = in.performance_monitoring.edx & 0x1F;
  if (in.max_basic < cpuid_leaf::kPerformanceMonitoring) {
    detail::unavailable(f[Fact::kCoreCycles], "CPUID leaf 0AH is absent");
  } else if (version < 2) {
    detail::unavailable(f[Fact::kCoreCycles], "CPUID leaf 0AH reports a PMU version below 2: no architectural fixed counters");
  } else if (fixed < 2) {
    detail::unavailable(f[Fact::kCoreCycles], "CPUID leaf 0AH reports fewer than 2 fixed counters: none for unhalted core cycles");
  } else if (in.undefined_msr_readable) {
    detail::unavailable(f[Fact::kCoreCycles], detail::kUnknownMsrsIgnored);
  } else if (!in.fixed_counter1_readable) {
    // CPUID can promise a PMU that is not there (emulators copy real leaves).
    detail::unavailable(f[Fact::kCoreCycles], "CPUID reports fixed counters, but RDMSR 30AH (IA32_FIXED_CTR1) raised #GP");
  } else {
    f[Fact::kCoreCycles].add("fixed counters 0 and 1 (PMU version ").add_dec(version).add(")");
    f.countable.core_cycles = true;
    f.countable.fixed_counter_width = static_cast<u8>((in.performance_monitoring.edx >> 5) & 0xFF);
  }

  if (in.max_basic < cpuid_leaf::kThermalPower)
    detail::unavailable(f[Fact::kAperfMperf], "CPUID leaf 06H is absent");
  else if (!cpuid::kAperfMperf.in(in.thermal_power.ecx))
    add_cpuid_citation(f[Fact::kAperfMperf].add("unavailable: "), cpuid::kAperfMperf).add(" = 0: no IA32_APERF/IA32_MPERF");
  else if (in.undefined_msr_readable)
    detail::unavailable(f[Fact::kAperfMperf], detail::kUnknownMsrsIgnored);
  else if (!in.mperf_readable)
    detail::unavailable(f[Fact::kAperfMperf], "CPUID reports IA32_MPERF/IA32_APERF, but RDMSR E7H or E8H raised #GP");
  else if (!in.mperf_advances)
    detail::unavailable(f[Fact::kAperfMperf], "IA32_MPERF reads, but did not advance between two reads");
  else
    f[Fact::kAperfMperf].add("yes"), f.countable.aperf_mperf = true;

  if (!in.intel)
    detail::unavailable(f[Fact::kSmiCount], "MSR_SMI_COUNT is Intel's");
  else if (in.undefined_msr_readable)
    detail::unavailable(f[Fact::kSmiCount], detail::kUnknownMsrsIgnored);
  else if (!in.smi_count_readable)
    detail::unavailable(f[Fact::kSmiCount], "RDMSR 34H (MSR_SMI_COUNT) raised #GP");
  else
    f[Fact::kSmiCount].add("yes"), f.countable.smi_count = true;
}

// CPUID executes the same everywhere (it never faults); only RDMSR needs the
// platform's fixup.
inline CpuidLeaf execute_cpuid(u32 leaf) {
  CpuidLeaf r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(0));
  return r;
}

// The inputs, read with CPUID and the platform's fault-safe RDMSR: the same
// probes on every platform.
inline MeasurementInputs read_measurement_inputs(bool intel, MsrReader rdmsr, void* ctx) {
  MeasurementInputs in;
  in.intel = intel;
  in.max_basic = execute_cpuid(0).eax;
  in.max_extended = execute_cpuid(cpuid_leaf::kMaxExtended).eax;
  const auto leaf = [&](u32 n) {
    const bool present = n >= cpuid_leaf::kMaxExtended ? n <= in.max_extended : n <= in.max_basic;
    return present ? execute_cpuid(n) : CpuidLeaf{};
  };
  in.thermal_power = leaf(cpuid_leaf::kThermalPower);
  in.performance_monitoring = leaf(cpuid_leaf::kPerformanceMonitoring);
  in.tsc_crystal = leaf(cpuid_leaf::kTscCrystal);
  in.processor_frequency = leaf(cpuid_leaf::kProcessorFrequency);
  in.advanced_power = leaf(cpuid_leaf::kAdvancedPowerManagement);
  u64 ignored = 0;
  in.undefined_msr_readable = rdmsr(ctx, msr::kUndefinedProbe, &ignored);
  in.smi_count_readable = intel && rdmsr(ctx, msr::kSmiCount, &ignored);
  in.fixed_counter1_readable = rdmsr(ctx, msr::kFixedCounter1, &ignored);
  u64 mperf_before = 0, mperf_after = 0;
  in.mperf_readable = rdmsr(ctx, msr::kMperf, &mperf_before) && rdmsr(ctx, msr::kAperf, &ignored);
  if (in.mperf_readable) {
    // MPERF counts at the TSC's rate while the core is in C0: a CPUID (which
    // takes at least tens of cycles, thousands where it exits to a hypervisor)
    // between two reads must move it.
    execute_cpuid(0);
    in.mperf_advances = rdmsr(ctx, msr::kMperf, &mperf_after) && mperf_after != mperf_before;
  }
  return in;
}

}  // namespace vmxb::core
