// One guest entry at a time, for the semantics suite: the same controls, EPT
// and VMCS as the guest rows (guest_run.h), with a hook to change any field
// before the entry, and the first VM exit (or the failed entry) as data.
#pragma once

#include "core/guest/guest_run.h"

namespace vmxb::core::guest {

struct ProbeExit {
  u32 run_result = VMXB_RUN_EXITED;  // world_switch_abi.h VMXB_RUN_*
  u32 vm_error = 0;                  // after VMXB_RUN_FAIL_VALID
  ExitReason reason{0};
  u64 qualification = 0;
  u64 guest_physical_address = 0;
  u64 guest_linear_address = 0;
  u64 guest_rip = 0;
  u32 instruction_length = 0;
  u32 interruption_info = 0;
  constexpr bool exited() const { return run_result == VMXB_RUN_EXITED; }
};

// prepare()'s answer when the CPU could run the guest but writing its VMCS
// failed: a failure of the host, not a reason to skip.
inline constexpr const char* kProbeVmcsSetupFailed = "VMCS setup: a VMWRITE failed";

class GuestProbe {
 public:
  explicit GuestProbe(GuestEnvironment& env) : env_(env) {}

  // Builds context A for `program` (one iteration, no warm-up) and leaves its
  // VMCS current and clear. Call in VMX root operation. nullptr: ready;
  // otherwise why the guest cannot run on this CPU.
  //
  // Flattened: every function it calls is inlined into it. The wrappers' fault
  // stubs live in .text.unlikely and __ex_table, outside the COMDAT group of
  // the inline function that holds them, so an out-of-line copy of
  // write_guest_vmcs here and another one in the bench rows' translation unit
  // would leave ld a stub that points into the copy it discards.
  [[gnu::flatten]] const char* prepare(const VmxCapabilities& caps, const CpuFacts& cpu, PhysAddr vmcs,
                                       GuestProgram program) {
    row_ = guest_row(program);
    if (const char* why = detail::prepare(env_, caps, cpu, row_, false, setup_)) return why;
    env_.platform.read_host_state(env_.platform.ctx, &setup_.host);
    GuestJob& job = *setup_.job[0];
    job = GuestJob{};
    job.program = program;
    job.tsc_end = setup_.guest_tsc_end;
    job.iterations = 1;
    for (u64*& series : job.series) series = &scratch_;
    job.touch_base = setup_.touch_base[0];
    job.pages = 1;
    job.probe = setup_.probe;
    context_.vmcs = vmcs;
    context_.job = &job;
    loaded_ = true;
    const VmcsSetupResult v = detail::load_context(setup_, 0, context_, false);
    return v.ok() ? nullptr : kProbeVmcsSetupFailed;
  }

  // The guest's job, to change before the entry (kVmfuncOnce's operands, ...).
  GuestJob& job() { return *context_.job; }

  // The EPTP list (VMFUNC): entry 0 is EPTP A, entry 1 EPTP B.
  u64* eptp_list() { return setup_.eptp_list; }

  // VMLAUNCH (resume = false) or VMRESUME, whatever the VMCS's launch state.
  ProbeExit enter(bool resume) {
    ProbeExit e;
    e.run_result = vmxb_vmx_run(&context_.regs, resume ? VMXB_RUN_RESUME : 0);
    if (e.run_result == VMXB_RUN_FAIL_VALID) e.vm_error = vm_instruction_error().value;
    if (!e.exited()) return e;
    e.reason = ExitReason{vmread(vmcs::kExitReason).value};
    e.qualification = vmread(vmcs::kExitQualification).value;
    e.guest_physical_address = vmread(vmcs::kGuestPhysicalAddress).value;
    e.guest_linear_address = vmread(vmcs::kGuestLinearAddress).value;
    e.guest_rip = vmread(vmcs::kGuestRip).value;
    e.instruction_length = vmread(vmcs::kExitInstructionLength).value;
    e.interruption_info = vmread(vmcs::kExitInterruptionInfo).value;
    return e;
  }

  // Leaves nothing current (25.11.1) and restores what a VM exit changed.
  // Safe after a prepare() that stopped early: only a VMCS prepare() reached
  // is cleared (VMCLEAR writes to the region it is given).
  void finish() {
    if (loaded_) (void)vmclear(context_.vmcs);
    loaded_ = false;
    if (env_.platform.after_guest_run) env_.platform.after_guest_run(env_.platform.ctx);
  }

  const detail::GuestSetup& setup() const { return setup_; }

 private:
  GuestEnvironment& env_;
  GuestRow row_{};
  detail::GuestSetup setup_;
  detail::Context context_;
  u64 scratch_ = 0;
  bool loaded_ = false;
};

}  // namespace vmxb::core::guest
