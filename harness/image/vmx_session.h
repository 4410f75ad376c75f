// Bringing the image's CPU into VMX root operation and out again, following
// SDM Vol. 3C 24.7 "Enabling and Entering VMX Operation" and 24.8
// "Restrictions on VMX Operation" (24.x in older editions: 23.7/23.8).
#pragma once

#include "core/capabilities.h"
#include "core/run_operation.h"

namespace vmxb::image {

struct CpuIdentity {
  char vendor[13];
  u32 family, model, stepping;
  core::CpuFacts facts;
};

CpuIdentity identify_cpu();

// Physical (= identity-mapped virtual) 4-KiB pages the image owns.
struct VmxPages {
  u8* vmxon_region;
  u8* vmcs;
  u8* vmcs_other;
  u8* scratch;  // a VMCS-sized page for negative tests (wrong revision id, ...)
  u8* ept_root; // an empty EPT PML4: INVEPT needs a well-formed EPTP, not a walk
};
VmxPages vmx_pages();

inline PhysAddr phys(const void* p) { return PhysAddr{reinterpret_cast<u64>(p)}; }

struct VmxSession {
  CpuIdentity cpu;
  core::VmxCapabilities caps;
  core::VmxContext ctx;     // ctx.vmx_unusable == nullptr: in VMX root, ctx.vmcs current
  u64 cr0_before = 0, cr4_before = 0;
  bool cr4_vmxe_set = false;
};

// Reads the capabilities; if VMX is usable, enables it (feature control when
// unlocked, CR0/CR4 fixed bits, CR4.VMXE, VMXON, VMCLEAR + VMPTRLD).
// Never executes a VMX instruction the capabilities do not allow.
VmxSession vmx_prepare();
// Capabilities and CR setup only, without VMXON (for the semantics suite).
VmxSession vmx_prepare_without_vmxon(bool set_vmxe);
// Writes the revision identifier into a VMXON region or VMCS (24.2, 25.2).
void write_revision_id(u8* region, u64 vmx_basic);
// Leaves VMX operation and restores CR4.
void vmx_leave(VmxSession& s);

}  // namespace vmxb::image
