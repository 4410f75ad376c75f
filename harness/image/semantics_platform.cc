// The boot image as the semantics suite's host (semantics/platform.h): lines go
// to COM1, exceptions through the image's IDT, and the VMX regions, the
// capabilities and CR4 come from the image's VMX bring-up (vmx_session.h).
#include "harness/image/arch.h"
#include "harness/image/exceptions.h"
#include "harness/image/modes.h"
#include "harness/image/serial.h"
#include "harness/image/vmx_session.h"
#include "semantics/platform.h"
#include "semantics/suite.h"

namespace vmxb {
namespace {

u64 g_cr4_before = 0;

// The line the suite is writing; a function-local static needs no global
// constructors, which the image does not run.
image::Line& current_line() {
  static image::Line line("");
  return line;
}

}  // namespace

namespace semantics::platform {

void line_text(const char* text) { current_line().text(text); }
void line_dec(u64 value) { current_line().dec(value); }
void line_hex16(u64 value) { current_line().hex16(value); }
void line_end() { current_line().end(); }

int try_call(void (*fn)(void*), void* arg) { return vmxb_try(fn, arg); }
int take_fixup_vector() { return image::take_fixup_vector(); }

void set_cr4_vmxe() { image::write_cr4(image::read_cr4() | cr4::kVmxe.mask()); }
void restore_cr4() { image::write_cr4(g_cr4_before); }

}  // namespace semantics::platform

namespace image {

bool run_semantics(const Plan& plan) {
  const VmxSession s = vmx_prepare();
  print_cpu_line(s.cpu);
  g_cr4_before = s.cr4_before;
  semantics::Environment env;
  env.ctx = s.ctx;
  env.caps = s.caps;
  env.maxphyaddr = s.cpu.facts.maxphyaddr;
  env.emulator_is_bochs = plan.emulator_bochs;
  if (s.ctx.vmx_unusable == nullptr) {
    u8* const scratch = vmx_pages().scratch;
    write_revision_id(scratch, s.caps.basic + 1);  // a revision identifier that is not this CPU's
    env.vmcs_wrong_revision = phys(scratch);
  }
  return semantics::run_suite(env);
}

}  // namespace image
}  // namespace vmxb
