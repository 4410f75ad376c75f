// SPDX-License-Identifier: GPL-2.0
//
// What the module's two C++ sides (session.cc: RUN; semantics_platform.cc:
// SEMANTICS) share about VMX on a Linux CPU: why the module will not execute
// VMXON here, and the core's VMX hooks by kernel API. Defined in session.cc.
#pragma once

#include "core/vmx_operation.h"
#include "session.h"

namespace vmxb::module {

const vmxb_platform& kernel(void* ctx);

// The core's view of the C side's CPU facts.
inline core::CpuFacts core_cpu_facts(const vmxb_cpu_facts& f) {
  return {f.intel != 0, f.vmx != 0, f.long_mode != 0, f.rdtscp != 0, f.hypervisor != 0, f.maxphyaddr,
          f.inside_smx != 0};
}
// core::vmx_unusable_reason plus the kernel's verdict and a locked
// IA32_FEATURE_CONTROL (24.7), or nullptr.
const char* module_vmx_unusable(const vmxb_cpu_facts& facts, const core::CpuFacts& cpu,
                                const core::VmxCapabilities& caps);
// CR4.VMXE through the kernel's CR4 shadow, Intel PT through intel_pt_handle_vmx.
core::VmxPlatform vmx_platform(const vmxb_platform* pf);

}  // namespace vmxb::module
