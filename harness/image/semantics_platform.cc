// The boot image as the semantics suite's host (semantics/platform.h): lines go
// to COM1, exceptions through the image's IDT, and the VMX regions, the
// capabilities and CR4 come from the image's VMX bring-up (vmx_session.h), the
// guest's memory from guest_platform.h.
#include "harness/image/arch.h"
#include "harness/image/exceptions.h"
#include "harness/image/guest_platform.h"
#include "harness/image/modes.h"
#include "harness/image/serial.h"
#include "harness/image/vmx_session.h"
#include "semantics/dual_monitor.h"
#include "semantics/linear_address.h"
#include "semantics/platform.h"
#include "semantics/suite.h"

namespace vmxb {
namespace {

u64 g_cr4_before = 0;

// boot.S maps linear 0..1 GiB and nothing above it.
constexpr u64 kFirstUnmappedAddress = u64{1} << 30;

// A region for the shadow-VMCS indicator cases (VMXON, VMPTRLD).
alignas(4096) u8 g_shadow_indicator_region[4096];

// CPUID facts the suite needs beyond the image's CPU line.
void read_cpuid_facts(semantics::Environment& env) {
  const u32 max_ext = image::cpuid(cpuid_leaf::kMaxExtended).eax;
  env.linear_address_width = max_ext >= cpuid_leaf::kAddressSizes
                                 ? semantics::linear_address_width(image::cpuid(cpuid_leaf::kAddressSizes).eax)
                                 : semantics::kDefaultLinearAddressWidth;
  env.rdrand = cpuid::kRdrand.in(image::cpuid(cpuid_leaf::kFeatures).ecx);
  if (image::cpuid(0).eax >= cpuid_leaf::kStructuredExtendedFeatures) {
    const image::CpuidRegs l7 = image::cpuid(cpuid_leaf::kStructuredExtendedFeatures, 0);
    env.rdseed = cpuid::kRdseed.in(l7.ebx);
    env.senduipi = cpuid::kUintr.in(l7.edx);
  }
}

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

u64 read_cr0() { return image::read_cr0(); }
u64 read_cr4() { return image::read_cr4(); }
void write_cr0(u64 value) { image::write_cr0(value); }
void write_cr4(u64 value) { image::write_cr4(value); }

int run_at_cpl3(void (*code)()) { return image::run_in_code_segment(code, image::CodeSegment::kCpl3); }
int run_in_compatibility_mode(void (*code)()) {
  return image::run_in_code_segment(code, image::CodeSegment::kCompatibility);
}

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
  env.unmapped_address = kFirstUnmappedAddress;
  env.other_code_segments = true;
  env.control_register_flips = true;
  read_cpuid_facts(env);
  env.smm_monitor_ctl_readable = rdmsr_safe(semantics::kSmmMonitorCtlMsr, &env.smm_monitor_ctl);
  if (s.ctx.vmx_unusable == nullptr) {
    u8* const scratch = vmx_pages().scratch;
    write_revision_id(scratch, s.caps.basic + 1);  // a revision identifier that is not this CPU's
    env.vmcs_wrong_revision = phys(scratch);
    write_revision_id(g_shadow_indicator_region, s.caps.basic);
    volatile u32* const revision = reinterpret_cast<volatile u32*>(g_shadow_indicator_region);
    *revision = *revision | semantics::kShadowVmcsIndicator;
    env.vmcs_shadow_indicator = phys(g_shadow_indicator_region);
    // The guest cases' memory and hooks, the bench's guest rows' own.
    if (s.cpu.facts.long_mode) env.ctx.guest = guest_environment(s.caps.basic);
  }
  return semantics::run_suite(env);
}

}  // namespace image
}  // namespace vmxb
