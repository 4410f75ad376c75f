// Ways to be left without a current VMCS (Vol. 3C 31.3): VMCLEAR of the
// current VMCS sets the current-VMCS pointer to FFFFFFFF_FFFFFFFFH (VMCLEAR
// "Operation"), and so does VMXON (VMXON "Operation"), so a VMXOFF + VMXON
// pair forgets the VMCS that was current. Without one, VMPTRST stores all
// ones and VMREAD and VMWRITE fail with VMfailInvalid (31.2).
#include "semantics/cases.h"

namespace vmxb::semantics {
namespace {

// Runs `leave` (which drops the current VMCS), then `observe_it`, then makes
// the suite's VMCS current again, whatever happened.
template <typename Leave, typename ObserveIt>
Observation without_the_vmcs(const Environment& env, Leave leave, ObserveIt observe_it) {
  leave();
  const Observation o = observe_it();
  (void)vmclear(env.ctx.vmcs);
  (void)vmptrld(env.ctx.vmcs);
  return o;
}

}  // namespace

void no_current_vmcs_after_clear(CaseContext& c) {
  Suite& t = *c.suite;
  const Environment& env = *c.env;
  const auto clear_current = [&]<CaptureStrategy S> { (void)vmclear<S>(env.ctx.vmcs); };
  t.check("vmclear_current_vmcs_then_vmptrst_all_ones", succeeds_with(kNoCurrentVmcs.value), [&]<CaptureStrategy S> {
    return without_the_vmcs(env, [&] { clear_current.template operator()<S>(); },
                            [] { return observe<S>([] { return vmptrst<S>(); }); });
  });
  t.check("vmclear_current_vmcs_then_vmread_fails_invalid", fail_invalid(), [&]<CaptureStrategy S> {
    return without_the_vmcs(env, [&] { clear_current.template operator()<S>(); },
                            [] { return observe<S>([] { return vmread<S>(vmcs::kGuestRip); }); });
  });
  t.check("vmclear_current_vmcs_then_vmwrite_fails_invalid", fail_invalid(), [&]<CaptureStrategy S> {
    return without_the_vmcs(env, [&] { clear_current.template operator()<S>(); },
                            [] { return observe<S>([] { return vmwrite<S>(vmcs::kGuestRip, u64{0}); }); });
  });
  t.check("vmxoff_vmxon_leaves_no_current_vmcs", succeeds_with(kNoCurrentVmcs.value), [&]<CaptureStrategy S> {
    return without_the_vmcs(
        env,
        [&] {
          (void)vmxoff<S>();
          (void)vmxon<S>(env.ctx.vmxon_region);
        },
        [] { return observe<S>([] { return vmptrst<S>(); }); });
  });
  // The suite's VMCS is current again after all of the above.
  t.check("current_vmcs_restored", succeeds_with(env.ctx.vmcs.value), []<CaptureStrategy S> {
    return observe<S>([] { return vmptrst<S>(); });
  });
}

}  // namespace vmxb::semantics
