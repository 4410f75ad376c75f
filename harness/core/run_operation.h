// The freestanding measurement core shared by the boot image and the kernel
// module: runs one operation `iterations` times after `warmup` untimed runs,
// one TSC-bracketed sample per execution, into a caller-provided buffer.
//
// The caller has entered VMX root operation (when the CPU allows it) with
// `VmxContext::vmcs` current and clear, and provides interrupt-off sections
// through ChunkHooks: the core never runs more than `chunk` samples without
// returning control to the host (no soft lockups or RCU stalls in the kernel).
#pragma once

#include "harness/core/capabilities.h"
#include "harness/core/operations.h"
#include "harness/core/timing.h"
#include "primitives/instructions.h"

namespace vmxb::core {

struct VmxContext {
  const char* vmx_unusable = nullptr;  // nullptr: in VMX root operation
  PhysAddr vmxon_region{0};
  PhysAddr vmcs{0};        // current VMCS, launch state clear
  PhysAddr vmcs_other{0};  // second VMCS region (revision id written) for VMCLEAR
  Eptp eptp{0};            // a valid EPTP for this CPU (make_eptp)
  u16 vpid = 1;            // non-zero
  u64 linear_address = 0;  // canonical
};

enum class OpStatus : u8 { kOk, kUnsupported, kVmFailInvalid, kVmFailValid, kBadArgument, kVmxLost };

inline constexpr const char* kOpStatusNames[] = {"ok",           "unsupported", "vmfail-invalid",
                                                 "vmfail-valid", "bad-argument", "vmx-lost"};
constexpr const char* op_status_name(OpStatus s) { return kOpStatusNames[static_cast<u8>(s)]; }

struct ChunkHooks {
  void (*enter)(void* ctx) = nullptr;  // e.g. disable interrupts
  void (*leave)(void* ctx) = nullptr;  // e.g. restore interrupts, reschedule
  void* ctx = nullptr;
  u32 chunk = 256;
};

struct RunRequest {
  OpId op;
  u32 iterations;
  u32 warmup;
};

struct RunOutcome {
  OpStatus status;
  u32 vm_error;      // VM-instruction error number after VMfailValid
  u32 samples;       // samples written
  const char* reason;
};

inline constexpr u32 kMaxIterations = 1u << 20;

namespace detail {

inline RunOutcome failed_with(VmResult r, u32 written) {
  if (r.failed_invalid()) return {OpStatus::kVmFailInvalid, 0, written, "VMfailInvalid"};
  const auto err = vm_instruction_error();
  return {OpStatus::kVmFailValid, err.status.ok() ? err.value : 0, written,
          err.status.ok() ? vm_instruction_error_description(err.value) : "VMfailValid (error unreadable)"};
}

template <TscEnd E, typename Body>
RunOutcome measure(Body body, const RunRequest& req, u64* samples, const ChunkHooks& hooks) {
  const u32 chunk = hooks.chunk == 0 ? 1 : hooks.chunk;
  // Warm-up also proves the operation succeeds before anything is timed.
  for (u32 done = 0; done < req.warmup;) {
    if (hooks.enter) hooks.enter(hooks.ctx);
    const u32 end = done + (req.warmup - done < chunk ? req.warmup - done : chunk);
    VmResult r = VmResult::succeed();
    for (; done < end && r.ok(); ++done) r = body();
    if (hooks.leave) hooks.leave(hooks.ctx);
    if (!r.ok()) return failed_with(r, 0);
  }
  for (u32 done = 0; done < req.iterations;) {
    if (hooks.enter) hooks.enter(hooks.ctx);
    const u32 end = done + (req.iterations - done < chunk ? req.iterations - done : chunk);
    VmResult r = VmResult::succeed();
    for (; done < end; ++done) {
      const u64 t0 = tsc_begin();
      r = body();
      const u64 t1 = tsc_end<E>();
      if (!r.ok()) break;
      samples[done] = t1 - t0;
    }
    if (hooks.leave) hooks.leave(hooks.ctx);
    if (!r.ok()) return failed_with(r, done);
  }
  return {OpStatus::kOk, 0, req.iterations, ""};
}

template <u32 N>
__attribute__((always_inline)) inline VmResult nops() {
  asm volatile(".rept %c0\n\tnop\n\t.endr" : : "i"(N) : "memory");
  return VmResult::succeed();
}

template <TscEnd E>
RunOutcome dispatch(const RunRequest& req, const VmxContext& ctx, u64* samples, const ChunkHooks& hooks,
                    bool& vmx_lost) {
  const auto run = [&](auto body) { return measure<E>(body, req, samples, hooks); };
  const Eptp eptp = ctx.eptp;
  const u16 vpid = ctx.vpid;
  const u64 la = ctx.linear_address;
  switch (req.op) {
    case OpId::kEmpty: return run([] { return VmResult::succeed(); });
    case OpId::kNop1: return run([] { return nops<1>(); });
    case OpId::kNop10: return run([] { return nops<10>(); });
    case OpId::kNop100: return run([] { return nops<100>(); });
    case OpId::kInveptSingleContext: return run([eptp] { return invept_single_context(eptp); });
    case OpId::kInveptGlobal: return run([] { return invept_global(); });
    case OpId::kInvvpidIndividualAddress:
      return run([vpid, la] { return invvpid(InvvpidType::kIndividualAddress, vpid, la); });
    case OpId::kInvvpidSingleContext: return run([vpid] { return invvpid(InvvpidType::kSingleContext, vpid); });
    case OpId::kInvvpidAllContext: return run([] { return invvpid(InvvpidType::kAllContext, 0); });
    case OpId::kInvvpidSingleContextRetainingGlobals:
      return run([vpid] { return invvpid(InvvpidType::kSingleContextRetainingGlobals, vpid); });
    case OpId::kVmread: return run([] { return vmread(vmcs::kGuestRip).status; });
    case OpId::kVmwrite: return run([] { return vmwrite(vmcs::kGuestRip, u64{0x1000}); });
    case OpId::kVmptrld: {
      const PhysAddr vmcs = ctx.vmcs;
      return run([vmcs] { return vmptrld(vmcs); });
    }
    case OpId::kVmptrst: return run([] { return vmptrst().status; });
    case OpId::kVmclear: {
      const PhysAddr other = ctx.vmcs_other;
      return run([other] { return vmclear(other); });
    }
    case OpId::kVmxoffVmxon: {
      const PhysAddr region = ctx.vmxon_region;
      return run([region, &vmx_lost] {
        const VmResult off = vmxoff();
        if (!off.ok()) return off;
        const VmResult on = vmxon(region);
        // Out of VMX operation now: report VMfailInvalid so nothing VMREADs the error.
        if (!on.ok()) vmx_lost = true;
        return on.ok() ? on : VmResult::failed(VmFail::Invalid);
      });
    }
    case OpId::kCaptureSeparatePushf:
      return run([] { return vmread<CaptureStrategy::kSeparatePushf>(vmcs::kGuestRip).status; });
    case OpId::kCapturePushfInAsm:
      return run([] { return vmread<CaptureStrategy::kPushfInAsm>(vmcs::kGuestRip).status; });
    case OpId::kCaptureFlagOutputs:
      return run([] { return vmread<CaptureStrategy::kFlagOutputs>(vmcs::kGuestRip).status; });
    case OpId::kCaptureAsmGoto:
      return run([] { return vmread<CaptureStrategy::kAsmGoto>(vmcs::kGuestRip).status; });
    case OpId::kCount: break;
  }
  return {OpStatus::kBadArgument, 0, 0, "unknown operation"};
}

}  // namespace detail

// Validates the request, gates it on the capabilities, then measures it.
inline RunOutcome run_operation(const RunRequest& req, const VmxContext& ctx, const VmxCapabilities& caps,
                                TscEnd tsc_end, u64* samples, u32 capacity, const ChunkHooks& hooks) {
  if (static_cast<u16>(req.op) >= static_cast<u16>(OpId::kCount))
    return {OpStatus::kBadArgument, 0, 0, "operation id out of range"};
  if (req.iterations == 0 || req.iterations > kMaxIterations)
    return {OpStatus::kBadArgument, 0, 0, "iterations must be 1..1048576"};
  if (req.warmup > kMaxIterations) return {OpStatus::kBadArgument, 0, 0, "warm-up must be 0..1048576"};
  if (samples == nullptr || req.iterations > capacity)
    return {OpStatus::kBadArgument, 0, 0, "sample buffer smaller than the iteration count"};
  const OperationInfo& info = operation_info(req.op);
  if ((info.needs & kNeedsVmxRoot) && ctx.vmx_unusable != nullptr)
    return {OpStatus::kUnsupported, 0, 0, ctx.vmx_unusable};
  if (const char* missing = missing_requirement(info.needs, caps)) return {OpStatus::kUnsupported, 0, 0, missing};

  // VMXOFF with an active VMCS leaves its data undefined (25.11.1): the pair
  // runs with the VMCS cleared, and VMXON leaves none current (31.3 VMXON).
  if (req.op == OpId::kVmxoffVmxon && !vmclear(ctx.vmcs).ok())
    return {OpStatus::kVmFailValid, 0, 0, "VMCLEAR before VMXOFF failed"};
  bool vmx_lost = false;
  RunOutcome out = tsc_end == TscEnd::kRdtscp
                       ? detail::dispatch<TscEnd::kRdtscp>(req, ctx, samples, hooks, vmx_lost)
                       : detail::dispatch<TscEnd::kFencedRdtsc>(req, ctx, samples, hooks, vmx_lost);
  if (vmx_lost) return {OpStatus::kVmxLost, 0, out.samples, "VMXON failed after VMXOFF: VMX operation was left"};
  // Restore the caller's state: ctx.vmcs current.
  if (req.op == OpId::kVmxoffVmxon && !vmptrld(ctx.vmcs).ok())
    return {OpStatus::kVmxLost, 0, out.samples, "could not reload the VMCS after VMXON"};
  return out;
}

}  // namespace vmxb::core
