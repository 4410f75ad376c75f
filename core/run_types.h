// The types every platform and the core share for one run: what to run, the
// context it runs in, the chunk hooks around it and what came out
// (run_operation.h measures; guest/guest_run.h runs the guest rows).
#pragma once

#include "core/operations.h"
#include "primitives/instructions.h"

namespace vmxb::core {

namespace guest {
struct GuestEnvironment;
}
class ChunkCounters;  // core/chunk_counters.h

struct VmxContext {
  const char* vmx_unusable = nullptr;  // nullptr: VMX root operation is available in every chunk
  PhysAddr vmxon_region{0};
  PhysAddr vmcs{0};        // the VMCS the core makes current in each chunk
  PhysAddr vmcs_other{0};  // second VMCS region (revision id written) for VMCLEAR
  Eptp eptp{0};            // a valid EPTP for this CPU (make_eptp)
  u16 vpid = 1;            // non-zero
  u64 linear_address = 0;  // canonical
  // Memory and hooks for the guest rows (guest/guest_run.h); nullptr: this
  // platform cannot run a guest, and those rows report unsupported.
  guest::GuestEnvironment* guest = nullptr;
};

// kFault: a VMX instruction raised an exception and its fixup resumed the
// wrapper (capture.h); kAborted: a chunk's `enter` hook refused to start it;
// kGuestFailed: a guest row's VM entry failed after the checks of the
// controls and host state (exit reason 33 or 34, 27.8) or the guest exited
// for a reason its row does not expect. The reason text names which.
// kSmiBound: MSR_SMI_COUNT moved in more chunks than core/chunk_counters.h's
// re-run bound.
enum class OpStatus : u8 {
  kOk, kUnsupported, kVmFailInvalid, kVmFailValid, kBadArgument, kVmxLost, kFault, kAborted, kGuestFailed,
  kSmiBound
};

inline constexpr const char* kOpStatusNames[] = {"ok",           "unsupported", "vmfail-invalid", "vmfail-valid",
                                                 "bad-argument", "vmx-lost",    "fault",          "aborted",
                                                 "guest-failed", "smi-bound"};
static_assert(array_size(kOpStatusNames) == static_cast<usize>(OpStatus::kSmiBound) + 1);
constexpr const char* op_status_name(OpStatus s) { return kOpStatusNames[static_cast<u8>(s)]; }

inline constexpr u32 kDefaultChunk = 256;  // executions per interrupts-off section

struct ChunkHooks {
  // Starts a chunk (e.g. interrupts off, VMXON). nullptr: go on; otherwise the
  // reason the run stops, and the hook has undone what it did (no `leave`).
  const char* (*enter)(void* ctx) = nullptr;
  void (*leave)(void* ctx) = nullptr;  // e.g. VMXOFF, interrupts on, reschedule
  void* ctx = nullptr;
  u32 chunk = kDefaultChunk;
  // Read around every timed chunk, inside enter/leave; nullptr: no counting.
  ChunkCounters* counters = nullptr;
};

struct RunRequest {
  OpId op;
  u32 iterations;
  u32 warmup;
  u32 pages = 0;  // rows that touch guest pages: how many (0: kDefaultTouchPages)
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
  if (r.faulted())
    return {OpStatus::kFault, 0, written, "a VMX instruction raised an exception (#UD/#GP): it was fixed up"};
  if (r.failed_invalid()) return {OpStatus::kVmFailInvalid, 0, written, "VMfailInvalid"};
  const auto err = vm_instruction_error();
  return {OpStatus::kVmFailValid, err.status.ok() ? err.value : 0, written,
          err.status.ok() ? vm_instruction_error_description(err.value) : "VMfailValid (error unreadable)"};
}

}  // namespace detail

}  // namespace vmxb::core
