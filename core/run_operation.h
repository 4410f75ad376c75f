// The freestanding measurement core shared by the boot image and the kernel
// module: runs one operation `iterations` times after `warmup` untimed runs,
// one TSC-bracketed sample per execution, into a caller-provided buffer.
//
// The work is cut into chunks of at most `ChunkHooks::chunk` executions, and
// each chunk is bracketed by the host's hooks: the kernel module disables
// interrupts and enters VMX operation in `enter` and leaves both in `leave`, so
// VMX is never on while Linux can schedule; the boot image, which runs with
// interrupts off and VMX on throughout, passes no hooks. Inside a chunk the core
// owns the VMCS state: it makes `VmxContext::vmcs` current at the start of a
// chunk and VMCLEARs it at the end (25.11.1, 25.11.3), so `leave` may VMXOFF.
#pragma once

#include "core/capabilities.h"
#include "core/chunk_counters.h"
#include "core/guest/guest_run.h"
#include "core/operations.h"
#include "core/run_types.h"
#include "core/timing.h"
#include "primitives/instructions.h"

namespace vmxb::core {

namespace detail {

// The VMCS state an operation's chunk runs in (see the file comment).
struct ChunkVmcs {
  bool vmx;        // the operation runs in VMX root operation
  bool leaves_vmx; // ... and leaves it: no VMCS may be active
  PhysAddr vmcs;

  // A VMCS must be VMCLEARed before its first VMPTRLD (25.11.3); after that,
  // each chunk's VMCLEAR writes it back and the next VMPTRLD loads it again.
  VmResult begin() const {
    if (!vmx) return VmResult::succeed();
    const VmResult cleared = vmclear(vmcs);
    return leaves_vmx || !cleared.ok() ? cleared : vmptrld(vmcs);
  }
  // Nothing may stay active across the host's VMXOFF (25.11.1). After a lost
  // VMXON (vmxoff_vmxon) VMCLEAR would #UD: that body leaves nothing active.
  void end() const {
    if (vmx && !leaves_vmx) (void)vmclear(vmcs);
  }
};

// One chunk: the hooks' section, the VMCS state, then `work`. A timed chunk
// (counted != nullptr) is bracketed by the clock counters inside the hooks;
// *counted says whether its samples stand (false: an SMI, run it again).
template <typename Work>
RunOutcome in_chunk(const ChunkHooks& hooks, const ChunkVmcs& vmcs, u32 written, Work work, u32 executions = 0,
                    bool* counted = nullptr) {
  if (hooks.enter) {
    if (const char* stop = hooks.enter(hooks.ctx)) return {OpStatus::kAborted, 0, written, stop};
  }
  ChunkCounters* const counters = counted != nullptr ? hooks.counters : nullptr;
  if (counters) counters->begin();
  const VmResult begun = vmcs.begin();
  const RunOutcome out = begun.ok() ? work() : failed_with(begun, written);
  vmcs.end();
  if (counters) *counted = counters->end(executions);
  if (hooks.leave) hooks.leave(hooks.ctx);
  return out;
}

template <TscEnd E, typename Body>
RunOutcome measure(Body body, const RunRequest& req, u64* samples, const ChunkHooks& hooks,
                   const ChunkVmcs& vmcs) {
  const u32 chunk = hooks.chunk == 0 ? 1 : hooks.chunk;
  const RunOutcome more{OpStatus::kOk, 0, 0, ""};
  // Warm-up also proves the operation succeeds before anything is timed.
  for (u32 done = 0; done < req.warmup;) {
    const u32 end = done + (req.warmup - done < chunk ? req.warmup - done : chunk);
    const RunOutcome out = in_chunk(hooks, vmcs, 0, [&] {
      VmResult r = VmResult::succeed();
      for (; done < end && r.ok(); ++done) r = body();
      return r.ok() ? more : failed_with(r, 0);
    });
    if (out.status != OpStatus::kOk) return out;
  }
  for (u32 done = 0; done < req.iterations;) {
    const u32 first = done;
    const u32 end = done + (req.iterations - done < chunk ? req.iterations - done : chunk);
    bool counted = true;
    RunOutcome out = in_chunk(hooks, vmcs, done, [&] {
      // Locals only inside the timed loop: state reached through the closure
      // would be reloaded after every body with a "memory" clobber, inside the
      // TSC bracket (harness/tests:calibration_test sees each instruction).
      const Body timed = body;
      u64* const dst = samples;
      const u32 stop = end;
      for (u32 i = done; i < stop; ++i) {
        const u64 t0 = tsc_begin();
        const VmResult r = timed();
        const u64 t1 = tsc_end<E>();
        if (!r.ok()) return failed_with(r, i);
        dst[i] = t1 - t0;
      }
      done = stop;
      return more;
    }, end - first, &counted);
    if (out.status != OpStatus::kOk) return out;
    if (!counted) {  // an SMI took time from this chunk: its samples go again
      done = first;
      if (smi_bound_hit(hooks, first, out)) return out;
    }
  }
  return {OpStatus::kOk, 0, req.iterations, ""};
}

template <u32 N>
__attribute__((always_inline)) inline VmResult nops() {
  asm volatile(".rept %c0\n\tnop\n\t.endr" : : "i"(N) : "memory");
  return VmResult::succeed();
}

// VMXOFF then VMXON (row vmxoff_vmxon). After a failed VMXON the CPU is out
// of VMX operation: say so through *vmx_lost and report VMfailInvalid, so that
// nothing VMREADs the VM-instruction error.
__attribute__((always_inline)) inline VmResult vmxoff_then_vmxon(PhysAddr vmxon_region, bool* vmx_lost) {
  const VmResult off = vmxoff();
  if (!off.ok()) return off;
  const VmResult on = vmxon(vmxon_region);
  if (!on.ok()) *vmx_lost = true;
  return on.ok() ? on : VmResult::failed(VmFail::kInvalid);
}

// One case per row of core/operation_rows.h. Each body becomes a lambda that
// copies the operands it names, so measure() inlines it into the timed loop.
template <TscEnd E>
RunOutcome dispatch(const RunRequest& req, const VmxContext& ctx, [[maybe_unused]] const VmxCapabilities& caps,
                    [[maybe_unused]] const CpuFacts& cpu, u64* samples, const ChunkHooks& hooks, const ChunkVmcs& vmcs,
                    bool& vmx_lost_flag) {
  // A row's body is a VmResult expression (timed here, in VMX root operation)
  // or a guest::GuestRow (timed inside the guest, guest/guest_run.h).
  const auto run = [&](auto body) {
    if constexpr (kSameType<decltype(body()), guest::GuestRow>) {
#ifdef VMXB_GUEST_WORLD_SWITCH
      return guest::run_guest_row<E>(body(), req, ctx, caps, cpu, samples, hooks);
#else
      // Only builds that link core/guest/world_switch.S define VMXB_GUEST_WORLD_SWITCH.
      return RunOutcome{OpStatus::kUnsupported, 0, 0, "this build has no world switch (core/guest/world_switch.S)"};
#endif
    } else
      return measure<E>(body, req, samples, hooks, vmcs);
  };
  // The operands the bodies may name (operation_rows.h).
  [[maybe_unused]] const Eptp eptp = ctx.eptp;
  [[maybe_unused]] const u16 vpid = ctx.vpid;
  [[maybe_unused]] const u64 linear_address = ctx.linear_address;
  [[maybe_unused]] const PhysAddr current_vmcs = ctx.vmcs;
  [[maybe_unused]] const PhysAddr other_vmcs = ctx.vmcs_other;
  [[maybe_unused]] const PhysAddr vmxon_region = ctx.vmxon_region;
  [[maybe_unused]] bool* const vmx_lost = &vmx_lost_flag;
  switch (req.op) {
#define VMXB_OPERATION(Id, name, needs, what, ...) \
  case OpId::k##Id:                                \
    return run([=] { return __VA_ARGS__; });
#include "core/operation_rows.h"
#undef VMXB_OPERATION
    case OpId::kCount: break;
  }
  return {OpStatus::kBadArgument, 0, 0, "unknown operation"};
}

}  // namespace detail

// Validates the request, gates it on the capabilities, then measures it.
inline RunOutcome run_operation(const RunRequest& req, const VmxContext& ctx, const VmxCapabilities& caps,
                                const CpuFacts& cpu, TscEnd tsc_end, u64* samples, u32 capacity,
                                const ChunkHooks& hooks) {
  if (static_cast<u16>(req.op) >= static_cast<u16>(OpId::kCount))
    return {OpStatus::kBadArgument, 0, 0, "operation id out of range"};
  if (req.iterations == 0 || req.iterations > kMaxIterations)
    return {OpStatus::kBadArgument, 0, 0, "iterations must be 1..1048576"};
  if (req.warmup > kMaxIterations) return {OpStatus::kBadArgument, 0, 0, "warm-up must be 0..1048576"};
  const OperationInfo& info = operation_info(req.op);
  if (req.pages > guest::kMaxTouchPages) return {OpStatus::kBadArgument, 0, 0, "pages must be 0..512"};
  if ((info.needs & kNeedsVmxRoot) && ctx.vmx_unusable != nullptr)
    return {OpStatus::kUnsupported, 0, 0, ctx.vmx_unusable};
  if (const char* missing = missing_requirement(info.needs, caps)) return {OpStatus::kUnsupported, 0, 0, missing};
  if (info.needs & kNeedsGuest) {
    if (ctx.guest == nullptr)
      return {OpStatus::kUnsupported, 0, 0, "this platform provides no guest memory (the boot image runs guest rows)"};
    if (!cpu.long_mode) return {OpStatus::kUnsupported, 0, 0, "no long mode: the guest is a 64-bit ring-0 guest"};
  }
  // After the gates: a row this CPU or platform cannot run is unsupported,
  // whatever buffer came with it.
  if (samples == nullptr || u64{req.iterations} * sample_series(info) > capacity)
    return {OpStatus::kBadArgument, 0, 0, "sample buffer smaller than the iteration count times the series"};

  const detail::ChunkVmcs vmcs{(info.needs & kNeedsVmxRoot) != 0, (info.needs & kLeavesVmxOperation) != 0, ctx.vmcs};
  bool vmx_lost = false;
  RunOutcome out = tsc_end == TscEnd::kRdtscp
                       ? detail::dispatch<TscEnd::kRdtscp>(req, ctx, caps, cpu, samples, hooks, vmcs, vmx_lost)
                       : detail::dispatch<TscEnd::kFencedRdtsc>(req, ctx, caps, cpu, samples, hooks, vmcs, vmx_lost);
  if (vmx_lost) return {OpStatus::kVmxLost, 0, out.samples, "VMXON failed after VMXOFF: VMX operation was left"};
  return out;
}

}  // namespace vmxb::core
