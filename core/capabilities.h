// What the processor allows, read from the capability MSRs, and the gate every
// operation passes before it executes (SDM Vol. 3D, Appendix A; INVEPT/INVVPID
// #UD conditions in 31.3).
#pragma once

#include "core/operations.h"
#include "primitives/cpuid_bits.h"
#include "primitives/fixed_text.h"
#include "primitives/inv_types.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::core {

// Reads one MSR; returns false if RDMSR faulted (#GP: the MSR does not exist).
using MsrReader = bool (*)(void* ctx, u32 index, u64* value);

struct CpuFacts {
  bool intel = false;
  bool vmx = false;        // cpuid::kVmx
  bool long_mode = false;  // cpuid::kLongMode
  bool rdtscp = false;     // cpuid::kRdtscp
  bool hypervisor = false; // cpuid::kHypervisor
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
  // IA32_VMX_TRUE_*_CTLS (A.2): present when IA32_VMX_BASIC bit 55 is set, 0 otherwise.
  u64 true_pinbased = 0, true_procbased = 0, true_exit = 0, true_entry = 0;
  u64 vmfunc = 0;  // IA32_VMX_VMFUNC (A.11): 0 when VM functions are not allowed
  bool read_ok = false;  // every MSR that must exist could be read

  // The value of the MSR a handle belongs to (0 for an MSR not kept here).
  constexpr u64 msr_value(u32 index) const {
    switch (index) {
      case msr::kFeatureControl: return feature_control;
      case msr::kVmxBasic: return basic;
      case msr::kVmxPinbasedCtls: return pinbased;
      case msr::kVmxProcbasedCtls: return procbased;
      case msr::kVmxExitCtls: return exit;
      case msr::kVmxEntryCtls: return entry;
      case msr::kVmxMisc: return misc;
      case msr::kVmxProcbasedCtls2: return procbased2;
      case msr::kVmxEptVpidCap: return ept_vpid_cap;
      case msr::kVmxTruePinbasedCtls: return true_pinbased;
      case msr::kVmxTrueProcbasedCtls: return true_procbased;
      case msr::kVmxTrueExitCtls: return true_exit;
      case msr::kVmxTrueEntryCtls: return true_entry;
      case msr::kVmxVmfunc: return vmfunc;
      default: return 0;
    }
  }
  // Whether the capability MSRs advertise `b` (a control: may be 1).
  constexpr bool has(const CapBit& b) const { return b.in(msr_value(b.msr)); }
};

// Reads the MSRs in the order the SDM makes them exist: PROCBASED_CTLS2 only
// if secondary controls may be 1, EPT_VPID_CAP only if EPT or VPID may be 1,
// the TRUE control MSRs only if IA32_VMX_BASIC bit 55 is set (A.1), VMFUNC
// only if "enable VM functions" may be 1 (A.11).
inline VmxCapabilities read_vmx_capabilities(MsrReader rdmsr, void* ctx) {
  VmxCapabilities c;
  bool ok = rdmsr(ctx, msr::kFeatureControl, &c.feature_control) && rdmsr(ctx, msr::kVmxBasic, &c.basic) &&
            rdmsr(ctx, msr::kVmxPinbasedCtls, &c.pinbased) && rdmsr(ctx, msr::kVmxProcbasedCtls, &c.procbased) &&
            rdmsr(ctx, msr::kVmxExitCtls, &c.exit) && rdmsr(ctx, msr::kVmxEntryCtls, &c.entry) &&
            rdmsr(ctx, msr::kVmxMisc, &c.misc) && rdmsr(ctx, msr::kVmxCr0Fixed0, &c.cr0_fixed0) &&
            rdmsr(ctx, msr::kVmxCr0Fixed1, &c.cr0_fixed1) && rdmsr(ctx, msr::kVmxCr4Fixed0, &c.cr4_fixed0) &&
            rdmsr(ctx, msr::kVmxCr4Fixed1, &c.cr4_fixed1);
  if (ok && c.has(primary::kActivateSecondaryControls)) ok = rdmsr(ctx, msr::kVmxProcbasedCtls2, &c.procbased2);
  if (ok && (c.has(secondary::kEnableEpt) || c.has(secondary::kEnableVpid)))
    ok = rdmsr(ctx, msr::kVmxEptVpidCap, &c.ept_vpid_cap);
  if (ok && c.has(basic::kTrueControls))
    ok = rdmsr(ctx, msr::kVmxTruePinbasedCtls, &c.true_pinbased) &&
         rdmsr(ctx, msr::kVmxTrueProcbasedCtls, &c.true_procbased) &&
         rdmsr(ctx, msr::kVmxTrueExitCtls, &c.true_exit) && rdmsr(ctx, msr::kVmxTrueEntryCtls, &c.true_entry);
  if (ok && c.has(secondary::kEnableVmFunctions)) ok = rdmsr(ctx, msr::kVmxVmfunc, &c.vmfunc);
  c.read_ok = ok;
  return c;
}

inline bool ept_allowed(const VmxCapabilities& c) { return c.has(secondary::kEnableEpt); }
inline bool vpid_allowed(const VmxCapabilities& c) { return c.has(secondary::kEnableVpid); }

// An INVEPT/INVVPID type may be executed when the instruction exists (its
// control may be 1 and its capability bit is set) and the type's own bit is
// set (31.3, INVEPT/INVVPID "#UD if ...", VMfailValid for an unsupported type).
inline bool inv_type_supported(const VmxCapabilities& c, const InvInstruction& inv, const InvType& type) {
  return c.has(inv.enable_control) && c.has(inv.instruction) && c.has(type.cap);
}

namespace detail {
// "CPUID.1:ECX.VMX[bit 5] = 0: ..." from the handle.
constexpr FixedText<96> no_vmx_reason() {
  FixedText<96> t;
  add_cpuid_citation(t, cpuid::kVmx, {.with_name = true, .bit_word = true});
  t.add(" = 0: this CPU (or its hypervisor) offers no VMX");
  return t;
}
inline constexpr FixedText<96> kNoVmxReason = no_vmx_reason();

constexpr FixedText<96> basic_bit31_reason() {
  FixedText<96> t;
  t.add(vmx_msr_name(msr::kVmxBasic)).add(" bit ").add_dec(basic::kBit31.lo);
  t.add(" is set (the SDM says it is always 0)");
  return t;
}
inline constexpr FixedText<96> kBasicBit31Reason = basic_bit31_reason();

// Which operation needs which INVEPT/INVVPID type.
struct TypeNeed {
  u32 need;
  const InvInstruction* inv;
  const InvType* type;
  const char* reason;
};
template <const InvInstruction& kInv, const InvType& kType>
constexpr TypeNeed type_need(u32 need) {
  return {need, &kInv, &kType, kUnsupportedReason<kInv, kType>.c_str()};
}
inline constexpr TypeNeed kTypeNeeds[] = {
    type_need<kInvept, invept_type::kSingleContext>(kNeedsInveptSingle),
    type_need<kInvept, invept_type::kAllContext>(kNeedsInveptGlobal),
    type_need<kInvvpid, invvpid_type::kIndividualAddress>(kNeedsInvvpidIndividual),
    type_need<kInvvpid, invvpid_type::kSingleContext>(kNeedsInvvpidSingle),
    type_need<kInvvpid, invvpid_type::kAllContext>(kNeedsInvvpidAll),
    type_need<kInvvpid, invvpid_type::kSingleContextRetainingGlobals>(kNeedsInvvpidSingleRetaining),
};
// Which guest row needs which control, with the reason built from its handle:
// "IA32_VMX_PROCBASED_CTLS2[33] = 0: Enable EPT not supported".
template <const CapBit& kBit>
inline constexpr FixedText<112> kNotAllowedReason = [] {
  FixedText<112> t;
  add_citation(t, kBit).add(" = 0: ").add(kBit.name).add(" not supported");
  return t;
}();
struct ControlNeed {
  u32 need;
  CapBit control;
  const char* reason;
};
template <const CapBit& kBit>
constexpr ControlNeed control_need(u32 need) {
  return {need, kBit, kNotAllowedReason<kBit>.c_str()};
}
inline constexpr ControlNeed kControlNeeds[] = {
    control_need<secondary::kEnableEpt>(kNeedsEpt),
    control_need<secondary::kEnableVpid>(kNeedsVpid),
    control_need<secondary::kEnableVmFunctions>(kNeedsEptpSwitching),
    control_need<vmfunc::kEptpSwitching>(kNeedsEptpSwitching),
};
}  // namespace detail

// Why VMX cannot be entered, or nullptr. IA32_FEATURE_CONTROL must be locked
// with "VMX outside SMX" set (or "inside SMX" inside a measured launch), or
// VMXON raises #GP (24.7 "Enabling and Entering VMX Operation"); an unlocked
// MSR is for the firmware (or us, bare metal) to set.
inline const char* vmx_unusable_reason(const CpuFacts& cpu, const VmxCapabilities& c) {
  if (!cpu.vmx) return detail::kNoVmxReason.c_str();
  if (!c.read_ok) return "a VMX capability MSR could not be read";
  const bool locked = c.has(feature_control::kLock);
  if (cpu.inside_smx) {
    if (locked && !c.has(feature_control::kVmxInsideSmx))
      return "IA32_FEATURE_CONTROL is locked with VMX inside SMX disabled (the kernel runs under tboot): "
             "enable VT-x with TXT in the firmware setup";
  } else if (locked && !c.has(feature_control::kVmxOutsideSmx)) {
    return "IA32_FEATURE_CONTROL is locked with VMX outside SMX disabled: enable VT-x in the firmware setup";
  }
  if (basic::kBit31.in(c.basic)) return detail::kBasicBit31Reason.c_str();
  return nullptr;
}

// Why an operation may not run on this CPU, or nullptr.
inline const char* missing_requirement(u32 needs, const VmxCapabilities& c) {
  for (const auto& n : detail::kControlNeeds)
    if ((needs & n.need) && !c.has(n.control)) return n.reason;
  for (const auto& n : detail::kTypeNeeds)
    if ((needs & n.need) && !inv_type_supported(c, *n.inv, *n.type)) return n.reason;
  return nullptr;
}

// CR0/CR4 values for VMX operation (24.8 "Restrictions on VMX Operation"):
// bits set in FIXED0 must be 1, bits clear in FIXED1 must be 0.
constexpr u64 apply_fixed_bits(u64 cr, u64 fixed0, u64 fixed1) { return (cr | fixed0) & fixed1; }
constexpr bool satisfies_fixed_bits(u64 cr, u64 fixed0, u64 fixed1) { return apply_fixed_bits(cr, fixed0, fixed1) == cr; }

}  // namespace vmxb::core
