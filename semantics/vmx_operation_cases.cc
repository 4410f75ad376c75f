// Outside VMX operation every VMX instruction but VMXON raises #UD, and VMXON
// itself does while CR4.VMXE = 0 (Vol. 3C 31.3, "#UD If not in VMX operation";
// VMXON: "#UD If CR4.VMXE = 0").
#include "semantics/cases.h"

namespace vmxb::semantics {

// Executes only what a CPU without VMX operation must reject with #UD.
void before_vmxon(CaseContext& c, bool cr4_vmxe) {
  Suite& t = *c.suite;
  const PhysAddr region = c.env->ctx.vmxon_region;
  if (!cr4_vmxe) {
    t.check("vmxon_ud_with_cr4_vmxe_clear", ud(), [&]<CaptureStrategy S> {
      return observe<S>([&] { return vmxon<S>(region); });
    });
  }
  t.check(cr4_vmxe ? "invept_ud_before_vmxon_cr4_vmxe_set" : "invept_ud_before_vmxon", ud(), []<CaptureStrategy S> {
    return observe<S>([] { return invept_global<S>(); });
  });
  t.check(cr4_vmxe ? "vmread_ud_before_vmxon_cr4_vmxe_set" : "vmread_ud_before_vmxon", ud(), []<CaptureStrategy S> {
    return observe<S>([] { return vmread<S>(vmcs::kGuestRip); });
  });
  t.check(cr4_vmxe ? "vmptrst_ud_before_vmxon_cr4_vmxe_set" : "vmptrst_ud_before_vmxon", ud(), []<CaptureStrategy S> {
    return observe<S>([] { return vmptrst<S>(); });
  });
  // VMCALL: "IF not in VMX operation THEN #UD" (31.3 VMCALL "Operation").
  t.check(cr4_vmxe ? "vmcall_ud_before_vmxon_cr4_vmxe_set" : "vmcall_ud_before_vmxon", ud(), []<CaptureStrategy S> {
    return observe<S>([] { return vmcall<S>(); });
  });
}

void after_vmxoff(CaseContext& c) {
  Suite& t = *c.suite;
  t.check("invept_ud_after_vmxoff", ud(), []<CaptureStrategy S> { return observe<S>([] { return invept_global<S>(); }); });
  t.check("vmread_ud_after_vmxoff", ud(), []<CaptureStrategy S> {
    return observe<S>([] { return vmread<S>(vmcs::kGuestRip); });
  });
  t.check("vmxoff_ud_after_vmxoff", ud(), []<CaptureStrategy S> { return observe<S>([] { return vmxoff<S>(); }); });
}

}  // namespace vmxb::semantics
