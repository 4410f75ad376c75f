// The order of the case groups: each needs the VMX state the previous one
// left (Vol. 3C 24.7: CR4.VMXE, then VMXON, then a current VMCS).
#include "semantics/suite.h"

#include "semantics/cases.h"

namespace vmxb::semantics {
namespace {

// The one line a CPU without usable VMX gets.
constexpr const char* kAllCases = "vmx_semantics";

}  // namespace

bool run_suite(const Environment& env) {
  Suite suite;
  if (env.ctx.vmx_unusable != nullptr) {
    suite.skip(kAllCases, env.ctx.vmx_unusable);
    return suite.summary();
  }
  CaseContext c{&env, &suite, core::ept_allowed(env.caps) && (env.caps.ept_vpid_cap & ept_vpid_cap::kInvept),
                core::vpid_allowed(env.caps) && (env.caps.ept_vpid_cap & ept_vpid_cap::kInvvpid)};

  before_vmxon(c, false);
  platform::set_cr4_vmxe();
  before_vmxon(c, true);
  vmxon_failures(c);

  VmResult on = VmResult::failed(VmFail::kInvalid);
  if (try_call([&] { on = vmxon(env.ctx.vmxon_region); }) != kNoFault || !on.ok()) {
    suite.fail_text("vmxon", "VMXON with a valid region failed; nothing else can run");
    platform::restore_cr4();
    return suite.summary();
  }
  suite.pass("vmxon");

  without_current_vmcs(c);
  invept_types(c, false);
  invvpid_types(c, false);

  if (!vmclear(env.ctx.vmcs).ok() || !vmptrld(env.ctx.vmcs).ok()) {
    suite.fail_text("vmptrld", "VMCLEAR + VMPTRLD of a fresh VMCS failed");
  } else {
    suite.pass("vmptrld");
    vmcs_errors(c);
    operand_faults(c);
    other_code_segments(c);
    no_current_vmcs_after_clear(c);
    invept_types(c, true);
    invept_invalid_eptps(c);
    invept_invalid_types(c);
    invvpid_types(c, true);
    invvpid_invalid_descriptors(c);
    invept_unadvertised(c);
    invvpid_unadvertised(c);
    guest_entries(c);
  }

  if (!vmxoff().ok()) suite.fail_text("vmxoff", "VMXOFF failed");
  else suite.pass("vmxoff");
  after_vmxoff(c);
  platform::restore_cr4();
  return suite.summary();
}

}  // namespace vmxb::semantics
