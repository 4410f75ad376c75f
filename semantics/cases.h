// The suite's case groups, one file per instruction group; suite.cc runs them
// in the order that VMX operation allows (before VMXON, without and with a
// current VMCS, after VMXOFF).
#pragma once

#include "semantics/check.h"
#include "semantics/platform.h"

namespace vmxb::semantics {

struct CaseContext {
  const Environment* env;
  Suite* suite;
  // INVEPT/INVVPID are advertised; otherwise they must raise #UD (31.3).
  bool invept_exists;
  bool invvpid_exists;
};

// VMfailValid(Invalid operand to INVEPT/INVVPID): what INVEPT and INVVPID
// give for an unsupported type or a bad descriptor with a current VMCS (31.3).
inline constexpr Observation kInvalidOperand = fail_valid(VmInstructionError::kInvalidInveptInvvpidOperand);

// VMXON, VMCLEAR and VMPTRLD pointers must be 4-KiB aligned and set no bit at
// or above MAXPHYADDR (31.3 VMXON, VMCLEAR, VMPTRLD "Operation": "IF addr is
// not 4KB-aligned or addr sets any bits beyond the physical-address width").
inline constexpr u64 kMisalignment = 0x8;
inline PhysAddr misaligned(PhysAddr a) { return PhysAddr{a.value | kMisalignment}; }
inline PhysAddr beyond_maxphyaddr(PhysAddr a, const Environment& env) { return PhysAddr{a.value | bit(env.maxphyaddr)}; }

// vmx_operation_cases.cc: #UD outside VMX operation (31.3, each instruction's
// "#UD If not in VMX operation"), with CR4.VMXE clear or set.
void before_vmxon(CaseContext& c, bool cr4_vmxe);
void after_vmxoff(CaseContext& c);

// vmxon_cases.cc: VMXON's #GP and VMfailInvalid before VMX operation (CR4.VMXE set).
void vmxon_failures(CaseContext& c);

// vmcs_cases.cc: VMXON, VMPTRLD, VMPTRST, VMCLEAR, VMREAD, VMWRITE, VMCALL and
// VMFUNC without, then with, a current VMCS.
void without_current_vmcs(CaseContext& c);
void vmcs_errors(CaseContext& c);

// current_vmcs_cases.cc: VMCLEAR of the current VMCS, and VMXOFF + VMXON,
// leave no current VMCS; each case makes the VMCS current again.
void no_current_vmcs_after_clear(CaseContext& c);

// code_segment_cases.cc: #GP(0) at CPL 3 and #UD in compatibility mode.
void other_code_segments(CaseContext& c);

// operand_cases.cc: #UD for a LOCK prefix and register operands; #GP, #SS and
// #PF for a bad memory operand.
void operand_faults(CaseContext& c);

// invept_cases.cc
void invept_types(CaseContext& c, bool current_vmcs);
void invept_invalid_eptps(CaseContext& c);
void invept_invalid_types(CaseContext& c);
void invept_unadvertised(CaseContext& c);

// invvpid_cases.cc
void invvpid_types(CaseContext& c, bool current_vmcs);
void invvpid_invalid_descriptors(CaseContext& c);
void invvpid_unadvertised(CaseContext& c);

// guest_cases.cc: one guest entry per case (core/guest/guest_probe.h) on
// ctx.vmcs_other: VMLAUNCH/VMRESUME errors 4, 5, 7 and 8, entry failures due
// to invalid guest state, and exit reasons and qualifications. Leaves ctx.vmcs
// current again.
void guest_entries(CaseContext& c);

}  // namespace vmxb::semantics
