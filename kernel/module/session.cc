// SPDX-License-Identifier: GPL-2.0
//
// The C++ side of the module: enters VMX root operation on the current CPU,
// runs the shared measurement core (harness/core/run_operation.h) and leaves
// VMX again, restoring CR4 exactly, on every path. Freestanding: built with
// the kernel's own flags (kernel/module/Kbuild), no kernel headers, no runtime.
// Kernel services come in through struct vmxb_platform (platform.c).
//
// SDM references are to Vol. 3C (VMX): 24.7 "Enabling and Entering VMX
// Operation", 24.8 "Restrictions on VMX Operation", 25.2 "Format of the VMCS
// Region", 25.11 "Software Use of the VMCS", 31.3 "VMX Instructions".
#include "session.h"

#include "harness/core/run_operation.h"
#include "vmxbench_op_table.h"

namespace {

using namespace vmxb;
using namespace vmxb::core;

static_assert(VMXB_SESSION_OK == static_cast<int>(OpStatus::kOk));
static_assert(VMXB_SESSION_UNSUPPORTED == static_cast<int>(OpStatus::kUnsupported));
static_assert(VMXB_SESSION_VMFAIL_INVALID == static_cast<int>(OpStatus::kVmFailInvalid));
static_assert(VMXB_SESSION_VMFAIL_VALID == static_cast<int>(OpStatus::kVmFailValid));
static_assert(VMXB_SESSION_BAD_ARGUMENT == static_cast<int>(OpStatus::kBadArgument));
static_assert(VMXB_SESSION_VMX_LOST == static_cast<int>(OpStatus::kVmxLost));

constexpr u64 kCr4Vmxe = bit(13);           // CR4.VMXE (Vol. 3A, 2.5)
constexpr u64 kBasicAddresses32 = bit(48);  // IA32_VMX_BASIC[48] (A.1)

bool platform_rdmsr(void* ctx, u32 index, u64* value) {
  return static_cast<const vmxb_platform*>(ctx)->rdmsr(index, value) == 0;
}

// Why this module will not execute VMXON here, beyond core::vmx_unusable_reason.
const char* module_vmx_unusable(const CpuFacts& cpu, const VmxCapabilities& caps) {
  if (const char* why = vmx_unusable_reason(cpu, caps)) return why;
  // Linux locks IA32_FEATURE_CONTROL at boot (init_ia32_feat_ctl); unlocked,
  // VMXON raises #GP (24.7), and writing the MSR is the firmware's business.
  if (!(caps.feature_control & feature_control::kLock))
    return "IA32_FEATURE_CONTROL is not locked: VMXON would #GP; enable VT-x in the firmware setup";
  if (caps.basic & kBasicAddresses32)
    return "IA32_VMX_BASIC[48]: VMX regions limited to 32-bit addresses (not supported by vmxbench)";
  if (basic::vmcs_size(caps.basic) > 4096 || basic::vmcs_size(caps.basic) == 0)
    return "IA32_VMX_BASIC reports a VMCS region size outside 1..4096 bytes";
  return nullptr;
}

// VMXON region and VMCS regions start with the revision identifier, bit 31
// clear (not a shadow VMCS) (25.2, 24.11.5).
void write_revision_id(void* region, u64 basic) {
  *static_cast<volatile u32*>(region) = static_cast<u32>(basic & basic::kRevisionIdMask);
}

void set_outcome(vmxb_session_out* out, const RunOutcome& r) {
  out->status = static_cast<u32>(r.status);
  out->vm_error = r.vm_error;
  out->samples_written = r.samples;
  out->reason = r.reason != nullptr ? r.reason : "";
}

void set_failure(vmxb_session_out* out, OpStatus status, const char* reason) {
  set_outcome(out, RunOutcome{status, 0, 0, reason});
}

u32 measure_overhead(const vmxb_session_in* in, const VmxContext& ctx, const VmxCapabilities& caps,
                     TscEnd end, const ChunkHooks& hooks) {
  if (in->overhead == nullptr || in->overhead_n == 0) return 0;
  const RunOutcome r =
      run_operation(RunRequest{OpId::kEmpty, in->overhead_n, 16}, ctx, caps, end, in->overhead, in->overhead_n, hooks);
  if (r.status != OpStatus::kOk || r.samples == 0) return 0;
  u64 min = ~u64{0};
  for (u32 i = 0; i < r.samples; ++i) min = in->overhead[i] < min ? in->overhead[i] : min;
  return min > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<u32>(min);
}

void measure(const vmxb_session_in* in, vmxb_session_out* out, const VmxContext& ctx, const VmxCapabilities& caps,
             TscEnd end, const ChunkHooks& hooks) {
  out->overhead_min = measure_overhead(in, ctx, caps, end, hooks);
  set_outcome(out, run_operation(RunRequest{static_cast<OpId>(in->op), in->iterations, in->warmup}, ctx, caps, end,
                                 in->samples, in->iterations, hooks));
}

}  // namespace

extern "C" int vmxb_session_run(const vmxb_platform* pf, const vmxb_session_in* in, vmxb_session_out* out) {
  *out = vmxb_session_out{};
  out->reason = "";
  if (in->op >= static_cast<u16>(OpId::kCount)) {
    set_failure(out, OpStatus::kBadArgument, "operation id out of range");
    return 0;
  }
  const CpuFacts cpu{in->cpu.intel != 0, in->cpu.vmx != 0,        in->cpu.long_mode != 0,
                     in->cpu.rdtscp != 0, in->cpu.hypervisor != 0, in->cpu.maxphyaddr};
  const TscEnd end = cpu.rdtscp ? TscEnd::kRdtscp : TscEnd::kFencedRdtsc;
  const ChunkHooks hooks{pf->chunk_enter, pf->chunk_leave, pf->chunk_ctx, in->chunk};
  // The capability MSRs exist only with CPUID.1:ECX.VMX = 1 (A.1).
  const VmxCapabilities caps =
      cpu.vmx ? read_vmx_capabilities(platform_rdmsr, const_cast<vmxb_platform*>(pf)) : VmxCapabilities{};

  VmxContext ctx;
  ctx.vpid = in->vpid;
  ctx.linear_address = in->linear_address;
  out->cr4_before = out->cr4_after = pf->read_cr4();

  if (!(operation_info(static_cast<OpId>(in->op)).needs & kNeedsVmxRoot)) {
    ctx.vmx_unusable = "VMX not entered: the operation does not need it";
    measure(in, out, ctx, caps, end, hooks);
    out->cr4_after = pf->read_cr4();
    return 0;
  }
  if (const char* why = module_vmx_unusable(cpu, caps)) {
    ctx.vmx_unusable = why;
    measure(in, out, ctx, caps, end, hooks);  // the core reports kUnsupported with `why`
    return 0;
  }

  // --- enter VMX root operation, interrupts off -------------------------------
  unsigned long flags = pf->irq_save();
  const u64 cr4 = pf->read_cr4();
  out->cr4_before = out->cr4_after = cr4;
  // Checked here, with interrupts off on this very CPU: KVM enables VMX from an
  // IPI or CPU-hotplug callback (also with interrupts off), so it cannot slip in
  // between this test and our VMXON. KVM in turn refuses to enable VMX while
  // CR4.VMXE is set (Linux 6.1 arch/x86/kvm/vmx/vmx.c hardware_enable: EBUSY).
  if (cr4 & kCr4Vmxe) {
    pf->irq_restore(flags);
    return VMXB_SESSION_BUSY;
  }
  const u64 cr0 = pf->read_cr0();
  if (!satisfies_fixed_bits(cr0, caps.cr0_fixed0, caps.cr0_fixed1)) {
    pf->irq_restore(flags);
    set_failure(out, OpStatus::kUnsupported, "CR0 violates IA32_VMX_CR0_FIXED0/FIXED1 (SDM 24.8)");
    return 0;
  }
  if (!satisfies_fixed_bits(cr4 | kCr4Vmxe, caps.cr4_fixed0, caps.cr4_fixed1)) {
    pf->irq_restore(flags);
    set_failure(out, OpStatus::kUnsupported, "CR4 violates IA32_VMX_CR4_FIXED0/FIXED1 (SDM 24.8)");
    return 0;
  }
  write_revision_id(in->vmxon_va, caps.basic);
  write_revision_id(in->vmcs_va, caps.basic);
  write_revision_id(in->vmcs_other_va, caps.basic);
  pf->cr4_set_vmxe();
  const int on = pf->vmxon(in->vmxon_pa);
  if (on != 0) {
    pf->cr4_clear_vmxe();
    out->cr4_after = pf->read_cr4();
    pf->irq_restore(flags);
    set_failure(out, OpStatus::kUnsupported,
                on < 0 ? "VMXON raised an exception (#GP/#UD): VMX unusable on this CPU"
                       : "VMXON failed (VMfailInvalid): bad VMXON region or revision id");
    return 0;
  }
  out->vmx_entered = 1;
  const PhysAddr vmcs{in->vmcs_pa};
  const PhysAddr other{in->vmcs_other_pa};
  // A fresh VMCS must be VMCLEARed before VMPTRLD (25.11.3). (The core clears
  // it again around its VMXOFF/VMXON pair: VMXOFF with an active VMCS leaves
  // its data undefined, 25.11.1.)
  VmResult setup = vmclear(vmcs);
  if (setup.ok()) setup = vmclear(other);
  if (setup.ok()) setup = vmptrld(vmcs);
  pf->irq_restore(flags);

  if (!setup.ok()) {
    set_failure(out, setup.failed_invalid() ? OpStatus::kVmFailInvalid : OpStatus::kVmFailValid,
                "VMCLEAR/VMPTRLD of a fresh VMCS failed");
  } else {
    ctx.vmxon_region = PhysAddr{in->vmxon_pa};
    ctx.vmcs = vmcs;
    ctx.vmcs_other = other;
    if (ept_allowed(caps)) {
      const auto eptp = make_eptp(
          EptpConfig{in->ept_root_pa,
                     (caps.ept_vpid_cap & ept_vpid_cap::kMemoryTypeWb) ? EptMemoryType::kWriteBack
                                                                        : EptMemoryType::kUncacheable},
          caps.ept_vpid_cap, cpu.maxphyaddr);
      if (eptp.ok()) ctx.eptp = eptp.eptp;
      out->eptp = ctx.eptp.value;
    }
    // Preemptible between chunks: VMX stays on and the task stays on this CPU
    // (bound kworker + migrate_disable, see ioctl.c); CR4.VMXE=1 keeps KVM off it.
    measure(in, out, ctx, caps, end, hooks);
  }

  // --- leave VMX root operation, interrupts off -------------------------------
  flags = pf->irq_save();
  // Write back the VMCS data before VMXOFF frees them to the page allocator
  // (25.11.1). After kVmxLost we may be outside VMX, where VMCLEAR is #UD.
  if (out->status != VMXB_SESSION_VMX_LOST) {
    (void)vmclear(vmcs);
    (void)vmclear(other);
  }
  (void)pf->vmxoff();  // fault-safe: after kVmxLost it may raise #UD, which is fine
  pf->cr4_clear_vmxe();
  out->cr4_after = pf->read_cr4();
  pf->irq_restore(flags);
  return 0;
}

extern "C" vmxb_u32 vmxb_op_count(void) { return static_cast<vmxb_u32>(OpId::kCount); }

extern "C" vmxb_u32 vmxb_op_table_hash(void) { return op_table_hash(); }

extern "C" int vmxb_op_needs_vmx_root(unsigned int op) {
  return op < static_cast<unsigned>(OpId::kCount) && (operation_info(static_cast<OpId>(op)).needs & kNeedsVmxRoot);
}

extern "C" const char* vmxb_op_name(unsigned int op) {
  return op < static_cast<unsigned>(OpId::kCount) ? operation_info(static_cast<OpId>(op)).name : "?";
}
