// SPDX-License-Identifier: GPL-2.0
//
// The C++ side of the module: runs the shared measurement core
// (core/run_operation.h) on the current CPU, entering VMX root
// operation at the start of each interrupts-off chunk and leaving it at the
// end, so VMX is never on while Linux can schedule, take a reboot or hand the
// CPU to KVM. Freestanding: built with the kernel's own flags
// (kernel/module/Kbuild), no kernel headers, no runtime. Kernel services come
// in through struct vmxb_platform (platform.c).
//
// SDM references are to Vol. 3C (VMX): 24.7 "Enabling and Entering VMX
// Operation", 24.8 "Restrictions on VMX Operation", 25.2 "Format of the VMCS
// Region", 25.11 "Software Use of the VMCS", 31.3 "VMX Instructions".
#include "session.h"

#include "core/run_operation.h"
#include "vmxbench_op_table.h"

namespace {

using namespace vmxb;
using namespace vmxb::core;

constexpr u64 kCr4Vmxe = bit(13);           // CR4.VMXE (Vol. 3A, 2.5)
constexpr u64 kBasicAddresses32 = bit(48);  // IA32_VMX_BASIC[48] (A.1)
constexpr u32 kMemoryTypeWriteBack = 6;     // IA32_VMX_BASIC[53:50] (A.1)

bool platform_rdmsr(void* ctx, u32 index, u64* value) {
  return static_cast<const vmxb_platform*>(ctx)->rdmsr(index, value) == 0;
}

// Why this module will not execute VMXON here, beyond core::vmx_unusable_reason.
const char* module_vmx_unusable(const vmxb_cpu_facts& facts, const CpuFacts& cpu, const VmxCapabilities& caps) {
  if (const char* why = vmx_unusable_reason(cpu, caps)) return why;
  // The kernel clears X86_FEATURE_VMX when the firmware disabled VMX for the
  // mode it runs in (init_ia32_feat_ctl, "VMX ... disabled by BIOS" in dmesg).
  if (!facts.kernel_vmx) return "the kernel reports VMX disabled (X86_FEATURE_VMX clear; see dmesg for the reason)";
  // Linux locks IA32_FEATURE_CONTROL at boot (init_ia32_feat_ctl); unlocked,
  // VMXON raises #GP (24.7), and writing the MSR is the firmware's business.
  if (!(caps.feature_control & feature_control::kLock))
    return "IA32_FEATURE_CONTROL is not locked: VMXON would #GP; enable VT-x in the firmware setup";
  if (caps.basic & kBasicAddresses32)
    return "IA32_VMX_BASIC[48]: VMX regions limited to 32-bit addresses (not supported by vmxbench)";
  if (basic::vmcs_size(caps.basic) > 4096 || basic::vmcs_size(caps.basic) == 0)
    return "IA32_VMX_BASIC reports a VMCS region size outside 1..4096 bytes";
  // Our regions are ordinary write-back kernel pages; KVM refuses other types too.
  if (basic::memory_type(caps.basic) != kMemoryTypeWriteBack)
    return "IA32_VMX_BASIC[53:50]: the VMCS memory type is not write-back (not supported by vmxbench)";
  return nullptr;
}

// VMXON region and VMCS regions start with the revision identifier, bit 31
// clear (not a shadow VMCS) (25.2, 24.11.5).
void write_revision_id(void* region, u64 basic) {
  *static_cast<volatile u32*>(region) = static_cast<u32>(basic & basic::kRevisionIdMask);
}

// One RUN's chunk hooks: interrupts off, then (for VMX operations) CR4.VMXE
// and VMXON, and the reverse at the end. VMX is entered afresh per chunk, and
// CR4.VMXE is tested afresh with interrupts off on this very CPU: Linux 6.12's
// KVM enables VMX per CPU from its preemptible cpuhp thread, testing the CR4
// shadow and then executing VMXON without checking the result, so a test made
// once at the start of a long RUN would not keep it out.
struct ModuleChunk {
  const vmxb_platform* pf;
  const VmxCapabilities* caps;
  PhysAddr vmxon_region;
  bool vmx;    // the operation runs VMX instructions: CR4.VMXE must be clear (ours)
  bool do_vmxon;  // ... and VMXON comes first (not in the fault test)
  unsigned long flags = 0;
  bool vmx_entered = false;  // some chunk's VMXON succeeded
  bool busy = false;         // CR4.VMXE was already set
  bool vmxon_failed = false;
  int stop = 0;              // should_stop's errno

  const char* enter_vmx() {
    const u64 cr4 = pf->read_cr4();
    if (cr4 & kCr4Vmxe) {
      busy = true;
      return "CR4.VMXE is set: another hypervisor holds VMX on this CPU";
    }
    if (!do_vmxon) return nullptr;  // the fault test: every VMX instruction raises #UD
    if (!satisfies_fixed_bits(pf->read_cr0(), caps->cr0_fixed0, caps->cr0_fixed1)) {
      vmxon_failed = true;
      return "CR0 violates IA32_VMX_CR0_FIXED0/FIXED1 (SDM 24.8)";
    }
    if (!satisfies_fixed_bits(cr4 | kCr4Vmxe, caps->cr4_fixed0, caps->cr4_fixed1)) {
      vmxon_failed = true;
      return "CR4 violates IA32_VMX_CR4_FIXED0/FIXED1 (SDM 24.8)";
    }
    pf->cr4_set_vmxe();
    pf->pt_handle_vmx(1);
    const VmResult on = vmxon(vmxon_region);
    if (on.ok()) {
      vmx_entered = true;
      return nullptr;
    }
    pf->pt_handle_vmx(0);
    pf->cr4_clear_vmxe();
    vmxon_failed = true;
    return on.faulted() ? "VMXON raised an exception (#GP/#UD): VMX unusable on this CPU"
                        : "VMXON failed (VMfailInvalid): bad VMXON region or revision id";
  }

  static const char* enter(void* p) {
    auto& c = *static_cast<ModuleChunk*>(p);
    c.flags = c.pf->irq_save();
    const char* why = nullptr;
    if ((c.stop = c.pf->should_stop(c.pf->stop_ctx)) != 0) why = "stopped by the host";
    else if (c.vmx) why = c.enter_vmx();
    if (why != nullptr) c.pf->irq_restore(c.flags);
    return why;
  }

  static void leave(void* p) {
    auto& c = *static_cast<ModuleChunk*>(p);
    if (c.do_vmxon) {
      // The core left no VMCS active (25.11.1). After a lost VMXON
      // (vmxoff_vmxon) VMXOFF raises #UD, which its fixup absorbs.
      (void)vmxoff();
      c.pf->pt_handle_vmx(0);
      c.pf->cr4_clear_vmxe();
    }
    c.pf->irq_restore(c.flags);
    c.pf->resched();
  }
};

void set_outcome(vmxb_session_out* out, const RunOutcome& r) {
  out->status = static_cast<u32>(r.status);
  out->vm_error = r.vm_error;
  out->samples_written = r.samples;
  out->reason = r.reason != nullptr ? r.reason : "";
}

struct Session {
  const vmxb_platform* pf;
  const vmxb_session_in* in;
  const VmxCapabilities& caps;
  const VmxContext& ctx;
  TscEnd end;

  RunOutcome run(OpId op, u32 iterations, u32 warmup, u64* samples, ModuleChunk& chunk) const {
    const bool vmx = (operation_info(op).needs & kNeedsVmxRoot) != 0;
    chunk = ModuleChunk{pf, &caps, ctx.vmxon_region, vmx, vmx && !in->without_vmxon};
    const ChunkHooks hooks{ModuleChunk::enter, ModuleChunk::leave, &chunk, in->chunk};
    return run_operation(RunRequest{op, iterations, warmup}, ctx, caps, end, samples, iterations, hooks);
  }
};

}  // namespace

extern "C" int vmxb_session_run(const vmxb_platform* pf, const vmxb_session_in* in, vmxb_session_out* out) {
  *out = vmxb_session_out{};
  out->reason = "";
  if (in->op >= static_cast<u16>(OpId::kCount)) {
    set_outcome(out, RunOutcome{OpStatus::kBadArgument, 0, 0, "operation id out of range"});
    return 0;
  }
  const CpuFacts cpu{in->cpu.intel != 0,      in->cpu.vmx != 0,        in->cpu.long_mode != 0,
                     in->cpu.rdtscp != 0,     in->cpu.hypervisor != 0, in->cpu.maxphyaddr,
                     in->cpu.inside_smx != 0};
  // The capability MSRs exist only with CPUID.1:ECX.VMX = 1 (A.1).
  const VmxCapabilities caps =
      cpu.vmx ? read_vmx_capabilities(platform_rdmsr, const_cast<vmxb_platform*>(pf)) : VmxCapabilities{};

  VmxContext ctx;
  ctx.vpid = in->vpid;
  ctx.linear_address = in->linear_address;
  ctx.vmx_unusable = module_vmx_unusable(in->cpu, cpu, caps);
  if (ctx.vmx_unusable == nullptr) {
    write_revision_id(in->vmxon_va, caps.basic);
    write_revision_id(in->vmcs_va, caps.basic);
    write_revision_id(in->vmcs_other_va, caps.basic);
    ctx.vmxon_region = PhysAddr{in->vmxon_pa};
    ctx.vmcs = PhysAddr{in->vmcs_pa};
    ctx.vmcs_other = PhysAddr{in->vmcs_other_pa};
    if (ept_allowed(caps)) {
      const auto eptp = make_eptp(
          EptpConfig{in->ept_root_pa,
                     (caps.ept_vpid_cap & ept_vpid_cap::kMemoryTypeWb) ? EptMemoryType::kWriteBack
                                                                        : EptMemoryType::kUncacheable},
          caps.ept_vpid_cap, cpu.maxphyaddr);
      if (eptp.ok()) ctx.eptp = eptp.eptp;
      out->eptp = ctx.eptp.value;
    }
  }
  out->cr4_before = pf->read_cr4();
  const Session session{pf, in, caps, ctx, cpu.rdtscp ? TscEnd::kRdtscp : TscEnd::kFencedRdtsc};
  ModuleChunk chunk{};

  // The timing overhead: the empty body needs no VMX.
  if (in->overhead != nullptr && in->overhead_n != 0) {
    const RunOutcome r = session.run(OpId::kEmpty, in->overhead_n, 16, in->overhead, chunk);
    if (r.status == OpStatus::kOk) {
      u64 min = ~u64{0};
      for (u32 i = 0; i < r.samples; ++i) min = in->overhead[i] < min ? in->overhead[i] : min;
      out->overhead_min = min > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<u32>(min);
    } else if (chunk.stop != 0) {
      out->stop_errno = chunk.stop;
      return VMXB_SESSION_STOPPED;
    }
  }

  RunOutcome r = session.run(static_cast<OpId>(in->op), in->iterations, in->warmup, in->samples, chunk);
  out->cr4_after = pf->read_cr4();
  out->vmx_entered = chunk.vmx_entered;
  if (chunk.busy) return VMXB_SESSION_BUSY;
  if (chunk.stop != 0) {
    out->stop_errno = chunk.stop;
    return VMXB_SESSION_STOPPED;
  }
  if (chunk.vmxon_failed) r.status = OpStatus::kUnsupported;  // VMXON itself refused: VMX unusable here
  set_outcome(out, r);
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
