// What the semantics suite needs from the host it runs on, and nothing more.
//
// The suite executes VMX instructions in ring 0 and prints one line per case;
// everything else belongs to the host: where the lines go, how exceptions are
// caught, how CR4 is changed and where the VMX regions live. The boot image
// implements this interface (harness/image/semantics_platform.cc); a host
// defines every function in `platform` and hands run_suite() an Environment.
#pragma once

#include "core/capabilities.h"
#include "core/run_operation.h"
#include "primitives/exception_vector.h"

namespace vmxb::semantics {

// What the host prepared, read once before the first case. VMX operation is
// off and CR4.VMXE is clear when run_suite() starts.
struct Environment {
  // ctx.vmx_unusable != nullptr: VMX cannot be entered and no case runs.
  // Otherwise ctx.vmxon_region, ctx.vmcs and ctx.vmcs_other hold this CPU's
  // revision identifier (SDM Vol. 3C 25.2) and are not in use, and ctx.eptp is
  // a valid EPTP when EPT is allowed.
  core::VmxContext ctx;
  core::VmxCapabilities caps;
  u8 maxphyaddr = 36;  // CPUID.80000008H:EAX[7:0]
  // A VMCS-sized region whose revision identifier is not this CPU's.
  PhysAddr vmcs_wrong_revision{0};
  // Bochs 2.7 runs the suite: cases that stop that emulator are not executed.
  bool emulator_is_bochs = false;
};

namespace platform {

// One output line (PASS:, FAIL:, SKIP:, KNOWN:, SUMMARY:) is written in pieces
// and completed by line_end(); lines are never interleaved.
void line_text(const char* text);
void line_dec(u64 value);
void line_hex16(u64 value);  // 16 digits, zero-padded, no 0x
void line_end();

// Runs fn(arg); returns kNoFault, or the vector of an exception fn raised that
// no VMX wrapper's exception-table fixup (primitives/extable.h) handled.
int try_call(void (*fn)(void*), void* arg);
// The vector the last wrapper fixup handled, or kNoFault; reading it resets it.
int take_fixup_vector();

// Sets CR4.VMXE (without VMXON) / puts CR4 back as the host had it.
void set_cr4_vmxe();
void restore_cr4();

}  // namespace platform

// platform::try_call for any callable.
template <typename F>
int try_call(F&& f) {
  return platform::try_call([](void* p) { (*static_cast<F*>(p))(); }, &f);
}

}  // namespace vmxb::semantics
