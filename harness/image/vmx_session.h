// The boot image's side of VMX: identifying the CPU, reading the capabilities,
// doing the firmware's part (IA32_FEATURE_CONTROL, CR0/CR4 fixed bits), and
// the hooks through which the shared core (core/vmx_operation.h) enters and
// leaves VMX root operation, exactly as the kernel module does.
#pragma once

#include "core/capabilities.h"
#include "core/run_operation.h"
#include "core/vmx_operation.h"

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
  core::VmxContext ctx;  // ctx.vmx_unusable == nullptr: core::VmxOperation may enter VMX
  u64 cr0_before = 0, cr4_before = 0;
};

// Reads the capabilities and, if VMX is usable, prepares everything but VMX
// itself: IA32_FEATURE_CONTROL when unlocked, the CR0 and CR4 fixed bits
// (CR4.VMXE left clear), the VMXON region, VMCSs and EPTP (the core's
// prepare_vmx_context). Never executes a VMX instruction.
VmxSession vmx_prepare();
// CR access by MOV: the image has no CR4 shadow and no tracer to tell.
const core::VmxPlatform& vmx_platform();
// Zeroes a page and writes a revision identifier into it (25.2).
void write_revision_id(u8* region, u64 vmx_basic);
// Restores CR4 as vmx_prepare found it.
void vmx_restore(const VmxSession& s);

}  // namespace vmxb::image
