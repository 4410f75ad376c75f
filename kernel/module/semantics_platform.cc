// SPDX-License-Identifier: GPL-2.0
//
// The kernel module as the semantics suite's host (semantics/platform.h),
// for the SEMANTICS ioctl (semantics.c). The whole suite runs on the bound CPU
// in one interrupts-off section: CR4.VMXE is tested free first (the check of
// core::VmxOperation: set means KVM or another hypervisor holds VMX here), the
// suite enters and leaves VMX operation itself (it tests VMXON and VMXOFF),
// and a last core::VmxOperation entry VMCLEARs both VMCSs before VMXOFF, so no
// VMCS is left active (25.11.1) and VMX is off when Linux runs again.
//
// What a live kernel cannot offer, and the suite then SKIPs with the reason:
// code at CPL 3 or in compatibility mode (the image's own GDT, TSS and IDT),
// MOV to CR0/CR4 bits that violate the VMX fixed bits (24.8: NMI handlers
// would run with them), a memory operand no page maps (a kernel #PF on an
// address SMAP protects oopses despite a fixup). The guest cases run on the
// guest rows' platform (module_guest.h) over memory semantics.c allocated for
// the request (vmxb_semantics_in.guest_memory).
//
// Faults: every instruction the suite expects to fault is a VMX wrapper or a
// VMXB_CAPTURE statement with an exception-table entry (primitives/extable.h),
// so the kernel's fixup_exception() resumes it and try_call() itself never
// sees an exception. The kernel does not say which vector it fixed up; its
// die notifier does for the traps it announces before fixing them up
// (DIE_TRAP: #UD, #SS, #DE...), which semantics.c records for this CPU. A
// fixed-up fault it did not announce is #GP (exc_general_protection fixes up
// first and notifies only an unfixed one) or #PF, and the suite here runs no
// case that may raise #PF.
#include "core/guest/guest_run.h"
#include "module_guest.h"
#include "module_vmx.h"
#include "semantics/linear_address.h"
#include "semantics/platform.h"
#include "semantics/suite.h"
#include "semantics_session.h"

namespace vmxb::module {
namespace {

using namespace vmxb::core;

// Longer than any line the suite writes; a longer one is cut, never overflows.
inline constexpr u32 kLineCapacity = 1024;

// The guest cases' environment: one SEMANTICS request at a time runs (the
// RUN lock), so one object, constant-initialized (no constructors run here).
constinit ModuleGuest g_semantics_guest{};

// The request the suite is running. One at a time: ioctl.c's run lock.
struct SemanticsRun {
  const vmxb_platform* pf;
  const vmxb_semantics_in* in;
  u64 cr4_before;
  u32 written;  // bytes of whole lines in in->output
  u32 needed;   // bytes of every line so far
  u32 line_length;
  char line[kLineCapacity];
};

SemanticsRun* g_run = nullptr;

void append(const char* text) {
  SemanticsRun& r = *g_run;
  for (; *text != '\0'; ++text)
    if (r.line_length < kLineCapacity - 1) r.line[r.line_length++] = *text;
}

// A line goes out whole or not at all, so a short buffer holds whole lines.
void end_line() {
  SemanticsRun& r = *g_run;
  r.line[r.line_length++] = '\n';
  if (r.in->capacity - r.written >= r.line_length) {
    for (u32 i = 0; i < r.line_length; ++i) r.in->output[r.written + i] = r.line[i];
    r.written += r.line_length;
  }
  r.needed += r.line_length;
  r.line_length = 0;
}

bool platform_rdmsr(void* ctx, u32 index, u64* value) {
  return static_cast<const vmxb_platform*>(ctx)->rdmsr(index, value) == 0;
}

void read_cpuid_facts(semantics::Environment& env, const vmxb_semantics_in& in) {
  env.linear_address_width = in.cpuid_80000008_eax != 0 ? semantics::linear_address_width(in.cpuid_80000008_eax)
                                                        : semantics::kDefaultLinearAddressWidth;
  env.rdrand = cpuid::kRdrand.in(in.cpuid_1_ecx);
  env.rdseed = cpuid::kRdseed.in(in.cpuid_7_ebx);
  env.senduipi = cpuid::kUintr.in(in.cpuid_7_edx);
}

VmxPage page(const vmxb_semantics_in& in, vmxb_semantics_page which) {
  return {in.page_va[which], PhysAddr{in.page_pa[which]}};
}

// The regions the suite needs beyond the core's: a wrong revision identifier,
// and this CPU's with the shadow-VMCS indicator set (25.2).
void prepare_regions(semantics::Environment& env, const vmxb_semantics_in& in) {
  const VmxRegions regions{page(in, VMXB_SEM_PAGE_VMXON), page(in, VMXB_SEM_PAGE_VMCS),
                           page(in, VMXB_SEM_PAGE_VMCS_OTHER), page(in, VMXB_SEM_PAGE_EPT_ROOT)};
  prepare_vmx_context(env.ctx, regions, env.caps, core_cpu_facts(in.cpu));
  const VmxPage wrong = page(in, VMXB_SEM_PAGE_WRONG_REVISION);
  write_revision_id(wrong.va, env.caps.basic + 1);
  env.vmcs_wrong_revision = wrong.pa;
  const VmxPage shadow = page(in, VMXB_SEM_PAGE_SHADOW_INDICATOR);
  write_revision_id(shadow.va, env.caps.basic);
  volatile u32* const revision = static_cast<volatile u32*>(shadow.va);
  *revision = *revision | semantics::kShadowVmcsIndicator;
  env.vmcs_shadow_indicator = shadow.pa;
}

// After the suite: VMX off and CR4.VMXE as before even if a failed case left
// them otherwise, then VMXON once more to VMCLEAR both VMCSs, so neither stays
// active on this CPU (25.11.1) while the pages go back to Linux. True when the
// suite had left nothing behind.
bool leave_nothing_active(const vmxb_platform* pf, const VmxCapabilities& caps, const VmxContext& ctx,
                          vmxb_semantics_out* out) {
  bool clean = true;
  if (pf->read_cr4() & cr4::kVmxe) {
    clean = false;
    (void)vmxoff();  // #UD outside VMX operation, absorbed by its fixup
    pf->cr4_clear_vmxe();
  }
  const VmxPlatform platform = vmx_platform(pf);
  VmxOperation vmx(platform, caps, ctx.vmxon_region, VmxOperation::Entry::kVmxon);
  if (vmx.enter() == nullptr) {
    (void)vmclear(ctx.vmcs);
    (void)vmclear(ctx.vmcs_other);
    vmx.leave();
    out->vmx_entered = 1;
  }
  return clean;
}

}  // namespace
}  // namespace vmxb::module


namespace vmxb::semantics::platform {

using module::g_run;

void line_text(const char* text) { module::append(text); }

void line_dec(u64 value) {
  char digits[21];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  char text[21];
  for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
  text[n] = '\0';
  module::append(text);
}

void line_hex16(u64 value) {
  char text[17];
  for (int i = 15; i >= 0; --i, value >>= 4) text[i] = "0123456789abcdef"[value & 0xF];
  text[16] = '\0';
  module::append(text);
}

void line_end() { module::end_line(); }

// Nothing to catch here: an exception the kernel cannot fix up is an oops, and
// every one the suite provokes has a fixup (see the top of this file).
int try_call(void (*fn)(void*), void* arg) {
  g_run->in->clear_trap_vector();
  fn(arg);
  return kNoFault;
}

int take_fixup_vector() {
  const int announced = g_run->in->take_trap_vector();
  return announced >= 0 ? announced : exception_vector::kGeneralProtection;
}

void set_cr4_vmxe() { g_run->pf->cr4_set_vmxe(); }
void restore_cr4() {
  if (!(g_run->cr4_before & cr4::kVmxe)) g_run->pf->cr4_clear_vmxe();
}

u64 read_cr0() { return g_run->pf->read_cr0(); }
u64 read_cr4() { return g_run->pf->read_cr4(); }
// Environment::control_register_flips is false here: the suite writes neither.
void write_cr0(u64) {}
void write_cr4(u64) {}

// Environment::other_code_segments is false here: the suite calls neither.
int run_at_cpl3(void (*)()) { return kNoFault; }
int run_in_compatibility_mode(void (*)()) { return kNoFault; }

}  // namespace vmxb::semantics::platform

extern "C" int vmxb_semantics_run(const vmxb_platform* pf, const vmxb_semantics_in* in, vmxb_semantics_out* out) {
  using namespace vmxb;
  using namespace vmxb::core;
  *out = vmxb_semantics_out{};
  const CpuFacts cpu = module::core_cpu_facts(in->cpu);
  // The capability MSRs exist only with CPUID.1:ECX.VMX = 1 (A.1).
  const VmxCapabilities caps =
      cpu.vmx ? read_vmx_capabilities(module::platform_rdmsr, const_cast<vmxb_platform*>(pf)) : VmxCapabilities{};

  semantics::Environment env;
  env.caps = caps;
  env.maxphyaddr = cpu.maxphyaddr;
  env.emulator_is_bochs = in->emulator_bochs != 0;
  module::read_cpuid_facts(env, *in);
  env.smm_monitor_ctl_readable = pf->rdmsr(semantics::kSmmMonitorCtlMsr, &env.smm_monitor_ctl) == 0;
  env.ctx.vmx_unusable = module::module_vmx_unusable(in->cpu, cpu, caps);
  const bool usable = env.ctx.vmx_unusable == nullptr;
  if (usable) {
    module::prepare_regions(env, *in);
    if (in->guest_memory != nullptr) {
      module::g_semantics_guest = module::ModuleGuest{pf};
      module::g_semantics_guest.attach(*in->guest_memory, caps, env.ctx);
    }
  }

  module::SemanticsRun run{pf, in, 0, 0, 0, 0, {}};
  module::g_run = &run;
  const unsigned long flags = pf->irq_save();
  if ((out->stop_errno = pf->should_stop(pf->stop_ctx)) != 0) {
    pf->irq_restore(flags);
    module::g_run = nullptr;
    return VMXB_SESSION_STOPPED;
  }
  run.cr4_before = out->cr4_before = pf->read_cr4();
  if (usable) {
    const VmxPlatform platform = module::vmx_platform(pf);
    VmxOperation vmx(platform, caps, env.ctx.vmxon_region, VmxOperation::Entry::kCheckOnly);
    if (vmx.enter() != nullptr) {  // CR4.VMXE set: never VMXON on top of another hypervisor
      pf->irq_restore(flags);
      module::g_run = nullptr;
      return VMXB_SESSION_BUSY;
    }
    pf->pt_handle_vmx(1);
  }
  bool passed = semantics::run_suite(env);
  if (usable) {
    if (!module::leave_nothing_active(pf, caps, env.ctx, out)) {
      semantics::platform::line_text("FAIL: module_vmx_left_off: the suite left CR4.VMXE set; VMXOFF and CR4 restored");
      semantics::platform::line_end();
      passed = false;
    }
    pf->pt_handle_vmx(0);
  }
  out->cr4_after = pf->read_cr4();
  pf->irq_restore(flags);
  out->written = run.written;
  out->needed = run.needed;
  out->passed = passed ? 1 : 0;
  module::g_run = nullptr;
  return 0;
}
