// Whether VMCALL in VMX root operation has the outcome the suite checks.
//
// VMCALL fails with VMfail(VMCALL executed in VMX root operation) only while
// the dual-monitor treatment of SMIs and SMM cannot be active: the processor
// does not support it (IA32_VMX_BASIC[49], A.1) or the valid bit of
// IA32_SMM_MONITOR_CTL is clear. Otherwise VMCALL activates the SMM-transfer
// monitor, or with it active causes an SMM VM exit (31.3 VMCALL "Operation").
#pragma once

#include "semantics/citations.h"
#include "semantics/platform.h"

namespace vmxb::semantics {

// IA32_SMM_MONITOR_CTL bit 0: the valid bit (Vol. 4 Table 2-2).
inline constexpr u64 kSmmMonitorValid = 1;

inline constexpr CitedText kMonitorCtlUnreadable =
    cited("", basic::kDualMonitor, " = 1 and IA32_SMM_MONITOR_CTL is unreadable: an SMM-transfer monitor may be active");

// nullptr when VMCALL in VMX root must VMfail; otherwise the SKIP reason.
constexpr const char* vmcall_in_root_unchecked_reason(const Environment& env) {
  if (!basic::kDualMonitor.in(env.caps.basic)) return nullptr;
  if (!env.smm_monitor_ctl_readable) return kMonitorCtlUnreadable.c_str();
  if (env.smm_monitor_ctl & kSmmMonitorValid)
    return "IA32_SMM_MONITOR_CTL valid bit set: VMCALL activates or exits to the SMM-transfer monitor";
  return nullptr;
}

}  // namespace vmxb::semantics
