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
// The guest rows run here too (core/guest/guest_run.h, with the world switch
// linked in: VMXB_GUEST_WORLD_SWITCH); ModuleGuest is their platform.
#include "session.h"

#include "core/run_operation.h"
#include "core/vmx_operation.h"
#include "module_guest.h"
#include "module_vmx.h"
#include "vmxbench_op_table.h"

namespace vmxb::module {

using namespace vmxb::core;

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
  return vmx_regions_unusable_reason(caps);
}

const vmxb_platform& kernel(void* ctx) { return *static_cast<const vmxb_platform*>(ctx); }

// The kernel's CR4 helpers keep its per-CPU CR4 shadow right (interrupts are
// off); intel_pt_handle_vmx checks IA32_VMX_MISC itself.
VmxPlatform vmx_platform(const vmxb_platform* pf) {
  return {.read_cr0 = [](void* c) { return kernel(c).read_cr0(); },
          .read_cr4 = [](void* c) { return kernel(c).read_cr4(); },
          .set_cr4_vmxe = [](void* c) { kernel(c).cr4_set_vmxe(); },
          .clear_cr4_vmxe = [](void* c) { kernel(c).cr4_clear_vmxe(); },
          .pt_handle_vmx = [](void* c, bool entering) { kernel(c).pt_handle_vmx(entering ? 1 : 0); },
          .ctx = const_cast<vmxb_platform*>(pf)};
}

}  // namespace vmxb::module

namespace {

using namespace vmxb;
using namespace vmxb::core;
using module::kernel;
using module::module_vmx_unusable;
using module::vmx_platform;
using module::ModuleGuest;

bool platform_rdmsr(void* ctx, u32 index, u64* value) {
  return static_cast<const vmxb_platform*>(ctx)->rdmsr(index, value) == 0;
}

bool platform_wrmsr(void* ctx, u32 index, u64 value) {
  return static_cast<const vmxb_platform*>(ctx)->wrmsr(index, value) == 0;
}

static_assert(VMXB_SESSION_CHUNK_FIELDS == static_cast<int>(ChunkField::kCount));
static_assert(VMXB_SESSION_COUNTER_SOURCES == static_cast<int>(CounterSource::kCount));
static_assert(VMXB_SESSION_FACTS == static_cast<int>(Fact::kCount));
static_assert(VMXB_SESSION_FACT_LEN == kFactTextSize);

// Out of line and by pointer: the facts' text (560 bytes) stays out of the
// RUN's frame, which must fit the kernel's 2048-byte frame limit.
__attribute__((noinline)) void measurement_facts(const vmxb_platform* pf, bool intel, MeasurementFacts* facts) {
  derive_measurement_facts(read_measurement_inputs(intel, platform_rdmsr, const_cast<vmxb_platform*>(pf)), *facts);
}

__attribute__((noinline)) CountableSources countable_sources(const vmxb_platform* pf, bool intel) {
  MeasurementFacts facts;
  measurement_facts(pf, intel, &facts);
  return facts.countable;
}

// One RUN's chunk hooks: interrupts off and the stop checks, then (for VMX
// operations) the shared core's VMX entry, and the reverse at the end. VMX is
// entered afresh per chunk, and CR4.VMXE is tested afresh with interrupts off
// on this very CPU: Linux 6.12's KVM enables VMX per CPU from its preemptible
// cpuhp thread, testing the CR4 shadow and then executing VMXON without
// checking the result, so a test made once at the start of a long RUN would
// not keep it out.
struct ModuleChunk {
  const vmxb_platform* pf;
  VmxOperation* vmx;  // nullptr: the operation runs no VMX instruction
  unsigned long flags = 0;
  int stop = 0;  // should_stop's errno

  static const char* enter(void* p) {
    auto& c = *static_cast<ModuleChunk*>(p);
    c.flags = c.pf->irq_save();
    const char* why = nullptr;
    if ((c.stop = c.pf->should_stop(c.pf->stop_ctx)) != 0) why = "stopped by the host";
    else if (c.vmx != nullptr) why = c.vmx->enter();
    if (why != nullptr) c.pf->irq_restore(c.flags);
    return why;
  }

  static void leave(void* p) {
    auto& c = *static_cast<ModuleChunk*>(p);
    if (c.vmx != nullptr) c.vmx->leave();
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

// What one RUN observed across its chunks.
struct RunState {
  bool busy = false;         // CR4.VMXE was set at a chunk start
  bool vmx_entered = false;  // some chunk reached VMX root operation
  int stop = 0;              // should_stop's errno
};

struct Session {
  const vmxb_platform* pf;
  const vmxb_session_in* in;
  const VmxCapabilities& caps;
  const VmxContext& ctx;
  const CpuFacts& cpu;
  TscEnd end;

  // `counters`: read around the timed chunks (nullptr: not counted).
  RunOutcome run(OpId op, u32 iterations, u32 warmup, u32 pages, u64* samples, u32 capacity, RunState& state,
                 ChunkCounters* counters) const {
    const VmxPlatform platform = vmx_platform(pf);
    VmxOperation vmx(platform, caps, ctx.vmxon_region,
                     in->without_vmxon ? VmxOperation::Entry::kCheckOnly : VmxOperation::Entry::kVmxon);
    const bool needs_vmx = (operation_info(op).needs & kNeedsVmxRoot) != 0;
    ModuleChunk chunk{pf, needs_vmx ? &vmx : nullptr};
    const ChunkHooks hooks{ModuleChunk::enter, ModuleChunk::leave, &chunk, in->chunk, counters};
    const RunOutcome r =
        run_operation(RunRequest{op, iterations, warmup, pages}, ctx, caps, cpu, end, samples, capacity, hooks);
    state.busy = vmx.busy();
    state.vmx_entered = state.vmx_entered || vmx.entered();
    state.stop = chunk.stop;
    return vmx.outcome(r);
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
  const CpuFacts cpu = module::core_cpu_facts(in->cpu);
  // The capability MSRs exist only with CPUID.1:ECX.VMX = 1 (A.1).
  const VmxCapabilities caps =
      cpu.vmx ? read_vmx_capabilities(platform_rdmsr, const_cast<vmxb_platform*>(pf)) : VmxCapabilities{};

  VmxContext ctx;
  ctx.vpid = in->vpid;
  ctx.linear_address = in->linear_address;
  ctx.vmx_unusable = module_vmx_unusable(in->cpu, cpu, caps);
  if (ctx.vmx_unusable == nullptr) {
    const VmxRegions regions{{in->vmxon_va, PhysAddr{in->vmxon_pa}},
                             {in->vmcs_va, PhysAddr{in->vmcs_pa}},
                             {in->vmcs_other_va, PhysAddr{in->vmcs_other_pa}},
                             {in->ept_root_va, PhysAddr{in->ept_root_pa}}};
    prepare_vmx_context(ctx, regions, caps, cpu);
    out->eptp = ctx.eptp.value;
  }
  ModuleGuest guest{pf};
  if (in->guest != nullptr && ctx.vmx_unusable == nullptr) guest.attach(*in->guest, caps, ctx);
  out->cr4_before = pf->read_cr4();
  const Session session{pf, in, caps, ctx, cpu, cpu.rdtscp ? TscEnd::kRdtscp : TscEnd::kFencedRdtsc};
  RunState state;

  // The timing overhead: the empty body needs no VMX.
  if (in->overhead != nullptr && in->overhead_n != 0) {
    const RunOutcome r =
        session.run(OpId::kEmpty, in->overhead_n, 16, 0, in->overhead, in->overhead_n, state, nullptr);
    if (r.status == OpStatus::kOk) {
      u64 min = ~u64{0};
      for (u32 i = 0; i < r.samples; ++i) min = in->overhead[i] < min ? in->overhead[i] : min;
      out->overhead_min = min > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<u32>(min);
    } else if (state.stop != 0) {
      out->stop_errno = state.stop;
      return VMXB_SESSION_STOPPED;
    }
  }

  ChunkCounters counters(MsrAccess{platform_rdmsr, platform_wrmsr, const_cast<vmxb_platform*>(pf)},
                         countable_sources(pf, cpu.intel));
  const RunOutcome r = session.run(static_cast<OpId>(in->op), in->iterations, in->warmup, in->pages, in->samples,
                                   in->samples_capacity, state, &counters);
  const ChunkTotals totals = counters.totals();
  for (usize i = 0; i < array_size(totals.value); ++i) out->chunk_totals[i] = totals.value[i];
  for (usize i = 0; i < array_size(totals.state); ++i) out->counter_states[i] = static_cast<u8>(totals.state[i]);
  out->cr4_after = pf->read_cr4();
  out->vmx_entered = state.vmx_entered;
  if (state.busy) return VMXB_SESSION_BUSY;
  if (state.stop != 0) {
    out->stop_errno = state.stop;
    return VMXB_SESSION_STOPPED;
  }
  set_outcome(out, r);
  return 0;
}

extern "C" void vmxb_measurement_facts(const vmxb_platform* pf, int intel,
                                       char out[VMXB_SESSION_FACTS][VMXB_SESSION_FACT_LEN]) {
  MeasurementFacts facts;
  measurement_facts(pf, intel != 0, &facts);
  for (usize f = 0; f < array_size(facts.text); ++f) {
    const char* text = facts.text[f].c_str();
    usize i = 0;
    for (; i + 1 < VMXB_SESSION_FACT_LEN && text[i] != '\0'; ++i) out[f][i] = text[i];
    out[f][i] = '\0';
  }
}

extern "C" vmxb_u32 vmxb_op_count(void) { return static_cast<vmxb_u32>(OpId::kCount); }

extern "C" vmxb_u32 vmxb_op_table_hash(void) { return op_table_hash(); }

extern "C" int vmxb_op_needs_vmx_root(unsigned int op) {
  return op < static_cast<unsigned>(OpId::kCount) && (operation_info(static_cast<OpId>(op)).needs & kNeedsVmxRoot);
}

extern "C" int vmxb_op_needs_guest(unsigned int op) {
  return op < static_cast<unsigned>(OpId::kCount) && (operation_info(static_cast<OpId>(op)).needs & kNeedsGuest);
}

extern "C" vmxb_u32 vmxb_op_sample_series(unsigned int op) {
  return op < static_cast<unsigned>(OpId::kCount) ? sample_series(operation_info(static_cast<OpId>(op))) : 1;
}

extern "C" const char* vmxb_op_name(unsigned int op) {
  return op < static_cast<unsigned>(OpId::kCount) ? operation_info(static_cast<OpId>(op)).name : "?";
}
