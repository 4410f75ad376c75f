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

// Bit 31 of a VMCS region's first 32 bits: the shadow-VMCS indicator (25.2).
inline constexpr u32 kShadowVmcsIndicator = u32{1} << 31;
// IA32_SMM_MONITOR_CTL (Vol. 4 Table 2-2), read by the host for the VMCALL cases.
inline constexpr u32 kSmmMonitorCtlMsr = 0x9B;

// What the host prepared, read once before the first case. VMX operation is
// off and CR4.VMXE is clear when run_suite() starts.
struct Environment {
  // ctx.vmx_unusable != nullptr: VMX cannot be entered and no case runs.
  // Otherwise ctx.vmxon_region, ctx.vmcs and ctx.vmcs_other hold this CPU's
  // revision identifier (SDM Vol. 3C 25.2) and are not in use, and ctx.eptp is
  // a valid EPTP when EPT is allowed. ctx.guest is the memory and hooks the
  // guest cases (guest_cases.cc) enter a guest with; nullptr: this host runs
  // no guest and those cases SKIP.
  core::VmxContext ctx;
  core::VmxCapabilities caps;
  u8 maxphyaddr = 36;  // CPUID.80000008H:EAX[7:0]
  u8 linear_address_width = 48;  // CPUID.80000008H:EAX[15:8] (semantics/linear_address.h)
  // A VMCS-sized region whose revision identifier is not this CPU's.
  PhysAddr vmcs_wrong_revision{0};
  // A VMCS-sized region with this CPU's revision identifier and bit 31, the
  // shadow-VMCS indicator, set (25.2).
  PhysAddr vmcs_shadow_indicator{0};
  // IA32_SMM_MONITOR_CTL (kSmmMonitorCtlMsr), when RDMSR could read it.
  bool smm_monitor_ctl_readable = false;
  u64 smm_monitor_ctl = 0;
  // A canonical linear address that no page maps (a memory operand there
  // raises #PF); 0 when the host has none to offer.
  u64 unmapped_address = 0;
  // Instructions that share an opcode with a register-operand VMX form:
  // 0F C7 /6 is RDRAND (CPUID.01H:ECX[30]), 0F C7 /7 is RDSEED
  // (CPUID.(EAX=07H,ECX=0):EBX[18]), F3 0F C7 /6 is SENDUIPI
  // (CPUID.(EAX=07H,ECX=0):EDX[5]) (Vol. 2D Table A-6, group 9).
  bool rdrand = false;
  bool rdseed = false;
  bool senduipi = false;
  // The host can run code at CPL 3 and in compatibility mode
  // (platform::run_at_cpl3, platform::run_in_compatibility_mode).
  bool other_code_segments = false;
  // The host may flip one CR0 or CR4 bit by MOV so that it violates the VMX
  // fixed bits (24.8) for the VMXON #GP cases (platform::write_cr0/write_cr4).
  // A live kernel may not: an NMI handler would run with the flipped bit.
  bool control_register_flips = false;
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

// CR0 and CR4 by MOV, for the fixed-bit cases (24.8). A write may raise #GP;
// the suite runs it under try_call and puts the old value back. Written only
// when Environment::control_register_flips is set.
u64 read_cr0();
u64 read_cr4();
void write_cr0(u64 value);
void write_cr4(u64 value);

// Runs `code` in ring 3 (a 64-bit code segment with DPL 3), or in ring 0 in
// compatibility mode (a 32-bit code segment), on a stack of its own. `code`
// never returns: it ends in an exception, whose vector this returns.
int run_at_cpl3(void (*code)());
int run_in_compatibility_mode(void (*code)());

}  // namespace platform

// platform::try_call for any callable.
template <typename F>
int try_call(F&& f) {
  return platform::try_call([](void* p) { (*static_cast<F*>(p))(); }, &f);
}

}  // namespace vmxb::semantics
