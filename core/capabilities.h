// What the processor allows, read from the capability MSRs, and the gate every
// operation passes before it executes (SDM Vol. 3C, Appendix A; INVEPT/INVVPID
// #UD conditions in 31.3).
#pragma once

#include "core/operations.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::core {

// Reads one MSR; returns false if RDMSR faulted (#GP: the MSR does not exist).
using MsrReader = bool (*)(void* ctx, u32 index, u64* value);

struct CpuFacts {
  bool intel = false;
  bool vmx = false;        // CPUID.1:ECX[5]
  bool long_mode = false;  // CPUID.80000001H:EDX[29]
  bool rdtscp = false;     // CPUID.80000001H:EDX[27]
  bool hypervisor = false; // CPUID.1:ECX[31]
  u8 maxphyaddr = 36;      // CPUID.80000008H:EAX[7:0], 36 when the leaf is absent
  // Running inside a measured launch (GETSEC[SENTER], e.g. Linux under tboot):
  // VMXON then needs "VMX inside SMX" instead of "outside" (24.7).
  bool inside_smx = false;
};

struct VmxCapabilities {
  u64 feature_control = 0;
  u64 basic = 0;
  u64 pinbased = 0;
  u64 procbased = 0;
  u64 exit = 0;
  u64 entry = 0;
  u64 misc = 0;
  u64 cr0_fixed0 = 0, cr0_fixed1 = 0, cr4_fixed0 = 0, cr4_fixed1 = 0;
  u64 procbased2 = 0;    // 0 when secondary controls are not allowed
  u64 ept_vpid_cap = 0;  // 0 when neither EPT nor VPID is allowed
  bool read_ok = false;  // every MSR that must exist could be read
};

// Reads the MSRs in the order the SDM makes them exist: PROCBASED_CTLS2 only
// if secondary controls may be 1, EPT_VPID_CAP only if EPT or VPID may be 1.
inline VmxCapabilities read_vmx_capabilities(MsrReader rdmsr, void* ctx) {
  VmxCapabilities c;
  bool ok = rdmsr(ctx, msr::kFeatureControl, &c.feature_control) && rdmsr(ctx, msr::kVmxBasic, &c.basic) &&
            rdmsr(ctx, msr::kVmxPinbasedCtls, &c.pinbased) && rdmsr(ctx, msr::kVmxProcbasedCtls, &c.procbased) &&
            rdmsr(ctx, msr::kVmxExitCtls, &c.exit) && rdmsr(ctx, msr::kVmxEntryCtls, &c.entry) &&
            rdmsr(ctx, msr::kVmxMisc, &c.misc) && rdmsr(ctx, msr::kVmxCr0Fixed0, &c.cr0_fixed0) &&
            rdmsr(ctx, msr::kVmxCr0Fixed1, &c.cr0_fixed1) && rdmsr(ctx, msr::kVmxCr4Fixed0, &c.cr4_fixed0) &&
            rdmsr(ctx, msr::kVmxCr4Fixed1, &c.cr4_fixed1);
  if (ok && control_allowed1(c.procbased, 31)) ok = rdmsr(ctx, msr::kVmxProcbasedCtls2, &c.procbased2);
  if (ok && (control_allowed1(c.procbased2, secondary::kEnableEpt) ||
             control_allowed1(c.procbased2, secondary::kEnableVpid)))
    ok = rdmsr(ctx, msr::kVmxEptVpidCap, &c.ept_vpid_cap);
  c.read_ok = ok;
  return c;
}

inline bool ept_allowed(const VmxCapabilities& c) { return control_allowed1(c.procbased2, secondary::kEnableEpt); }
inline bool vpid_allowed(const VmxCapabilities& c) { return control_allowed1(c.procbased2, secondary::kEnableVpid); }

// INVEPT exists only with EPT and IA32_VMX_EPT_VPID_CAP[20]; INVVPID only with
// VPID and bit 32 (31.3, INVEPT/INVVPID "#UD if ..."). Each type has its own bit.
inline bool invept_type_supported(const VmxCapabilities& c, u64 type_bit) {
  return ept_allowed(c) && (c.ept_vpid_cap & ept_vpid_cap::kInvept) && (c.ept_vpid_cap & type_bit);
}
inline bool invvpid_type_supported(const VmxCapabilities& c, u64 type_bit) {
  return vpid_allowed(c) && (c.ept_vpid_cap & ept_vpid_cap::kInvvpid) && (c.ept_vpid_cap & type_bit);
}

// Why VMX cannot be entered, or nullptr. IA32_FEATURE_CONTROL must be locked
// with "VMX outside SMX" set (or "inside SMX" inside a measured launch), or
// VMXON raises #GP (24.7 "Enabling and Entering VMX Operation"); an unlocked
// MSR is for the firmware (or us, bare metal) to set.
inline const char* vmx_unusable_reason(const CpuFacts& cpu, const VmxCapabilities& c) {
  if (!cpu.vmx) return "CPUID.1:ECX.VMX[bit 5] = 0: this CPU (or its hypervisor) offers no VMX";
  if (!c.read_ok) return "a VMX capability MSR could not be read";
  if (cpu.inside_smx) {
    if ((c.feature_control & feature_control::kLock) && !(c.feature_control & feature_control::kVmxInsideSmx))
      return "IA32_FEATURE_CONTROL is locked with VMX inside SMX disabled (the kernel runs under tboot): "
             "enable VT-x with TXT in the firmware setup";
  } else if ((c.feature_control & feature_control::kLock) && !(c.feature_control & feature_control::kVmxOutsideSmx)) {
    return "IA32_FEATURE_CONTROL is locked with VMX outside SMX disabled: enable VT-x in the firmware setup";
  }
  if (c.basic & basic::kReservedBit31) return "IA32_VMX_BASIC bit 31 is set (the SDM says it is always 0)";
  return nullptr;
}

// Why an operation may not run on this CPU, or nullptr.
inline const char* missing_requirement(u32 needs, const VmxCapabilities& c) {
  using namespace ept_vpid_cap;
  if ((needs & kNeedsInveptSingle) && !invept_type_supported(c, kInveptSingleContext))
    return "single-context INVEPT not supported (IA32_VMX_PROCBASED_CTLS2 EPT, IA32_VMX_EPT_VPID_CAP bits 20/25)";
  if ((needs & kNeedsInveptGlobal) && !invept_type_supported(c, kInveptAllContext))
    return "all-context INVEPT not supported (IA32_VMX_PROCBASED_CTLS2 EPT, IA32_VMX_EPT_VPID_CAP bits 20/26)";
  if ((needs & kNeedsInvvpidIndividual) && !invvpid_type_supported(c, kInvvpidIndividualAddress))
    return "individual-address INVVPID not supported (IA32_VMX_PROCBASED_CTLS2 VPID, IA32_VMX_EPT_VPID_CAP bits 32/40)";
  if ((needs & kNeedsInvvpidSingle) && !invvpid_type_supported(c, kInvvpidSingleContext))
    return "single-context INVVPID not supported (IA32_VMX_PROCBASED_CTLS2 VPID, IA32_VMX_EPT_VPID_CAP bits 32/41)";
  if ((needs & kNeedsInvvpidAll) && !invvpid_type_supported(c, kInvvpidAllContext))
    return "all-context INVVPID not supported (IA32_VMX_PROCBASED_CTLS2 VPID, IA32_VMX_EPT_VPID_CAP bits 32/42)";
  if ((needs & kNeedsInvvpidSingleRetaining) && !invvpid_type_supported(c, kInvvpidSingleContextRetainingGlobals))
    return "single-context-retaining-globals INVVPID not supported (IA32_VMX_EPT_VPID_CAP bits 32/43)";
  return nullptr;
}

// CR0/CR4 values for VMX operation (23.8 "Restrictions on VMX Operation"):
// bits set in FIXED0 must be 1, bits clear in FIXED1 must be 0.
constexpr u64 apply_fixed_bits(u64 cr, u64 fixed0, u64 fixed1) { return (cr | fixed0) & fixed1; }
constexpr bool satisfies_fixed_bits(u64 cr, u64 fixed0, u64 fixed1) { return apply_fixed_bits(cr, fixed0, fixed1) == cr; }

}  // namespace vmxb::core
