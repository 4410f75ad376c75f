// The indices of IA32_FEATURE_CONTROL and the VMX capability MSRs (SDM Vol. 4
// Table 2-2; Vol. 3D Appendix A).
#pragma once

#include "primitives/types.h"

namespace vmxb::msr {
inline constexpr u32 kFeatureControl = 0x3A;
inline constexpr u32 kVmxBasic = 0x480;
inline constexpr u32 kVmxPinbasedCtls = 0x481;
inline constexpr u32 kVmxProcbasedCtls = 0x482;
inline constexpr u32 kVmxExitCtls = 0x483;
inline constexpr u32 kVmxEntryCtls = 0x484;
inline constexpr u32 kVmxMisc = 0x485;
inline constexpr u32 kVmxCr0Fixed0 = 0x486;
inline constexpr u32 kVmxCr0Fixed1 = 0x487;
inline constexpr u32 kVmxCr4Fixed0 = 0x488;
inline constexpr u32 kVmxCr4Fixed1 = 0x489;
inline constexpr u32 kVmxVmcsEnum = 0x48A;
inline constexpr u32 kVmxProcbasedCtls2 = 0x48B;
inline constexpr u32 kVmxEptVpidCap = 0x48C;
inline constexpr u32 kVmxTruePinbasedCtls = 0x48D;
inline constexpr u32 kVmxTrueProcbasedCtls = 0x48E;
inline constexpr u32 kVmxTrueExitCtls = 0x48F;
inline constexpr u32 kVmxTrueEntryCtls = 0x490;
inline constexpr u32 kVmxVmfunc = 0x491;
inline constexpr u32 kVmxProcbasedCtls3 = 0x492;
inline constexpr u32 kVmxExitCtls2 = 0x493;
// Host state a VM exit loads (Vol. 4 Table 2-2; 28.5).
inline constexpr u32 kSysenterCs = 0x174;
inline constexpr u32 kSysenterEsp = 0x175;
inline constexpr u32 kSysenterEip = 0x176;
inline constexpr u32 kPat = 0x277;
inline constexpr u32 kEfer = 0xC0000080;
// The clock and performance-monitoring MSRs of core/chunk_counters.h (Vol. 4
// Table 2-2; Vol. 3B, chapter "Performance Monitoring", section "Architectural
// Performance Monitoring").
inline constexpr u32 kSmiCount = 0x34;             // MSR_SMI_COUNT, bits 31:0 (Intel, Nehalem on)
inline constexpr u32 kMperf = 0xE7;                // IA32_MPERF: C0 cycles at a fixed (TSC) rate
inline constexpr u32 kAperf = 0xE8;                // IA32_APERF: C0 cycles at the actual rate
inline constexpr u32 kFixedCounter0 = 0x309;       // IA32_FIXED_CTR0: instructions retired
inline constexpr u32 kFixedCounter1 = 0x30A;       // IA32_FIXED_CTR1: unhalted core cycles
inline constexpr u32 kFixedCounterCtrl = 0x38D;    // IA32_FIXED_CTR_CTRL: 4 bits per counter
inline constexpr u32 kPerfGlobalCtrl = 0x38F;      // IA32_PERF_GLOBAL_CTRL: bit 32+i enables fixed counter i
// An index outside every range a CPU or hypervisor defines (architectural
// 0-1FFFH, the hypervisors' 40000000H-400000FFH, KVM's 4B564Dxx, AMD's
// C0000000H-C001FFFFH): RDMSR of it must raise #GP. Where it reads instead,
// the platform ignores unknown MSRs (Bochs ignore_bad_msrs, KVM ignore_msrs)
// and no other RDMSR success proves an MSR exists.
inline constexpr u32 kUndefinedProbe = 0x5F5F5F5F;
inline constexpr u32 kFsBase = 0xC0000100;
inline constexpr u32 kGsBase = 0xC0000101;
}  // namespace vmxb::msr
