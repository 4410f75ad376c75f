// What the platform tells the guest core about the host: the state a VM exit
// must restore (28.5 "Loading Host State"), read by the platform because only
// it knows where its GDT, TSS and per-CPU bases are (the boot image reads its
// own registers; the kernel module asks Linux).
#pragma once

#include "primitives/types.h"

namespace vmxb::core::guest {

struct HostState {
  u64 cr0, cr3, cr4;
  u16 cs, ss, ds, es, fs, gs, tr;  // selectors, RPL 0 and TI 0 (27.2.3)
  u64 fs_base, gs_base, tr_base, gdtr_base, idtr_base;
  u16 gdtr_limit, idtr_limit;      // the guest shares the host's tables
  u64 efer, pat;
  u32 sysenter_cs;
  u64 sysenter_esp, sysenter_eip;
};

// A VM exit leaves the GDTR and IDTR limits at FFFFH and the TR limit at 67H
// (28.5.2 "Loading Host Segment and Descriptor-Table Registers"): a platform
// whose limits differ restores them after each guest run (KVM reloads the
// GDT and the TSS limit the same way). nullptr: nothing to restore.
//
// The guest runs with NMI exiting (25.6.1), so an NMI that arrives while it
// runs is not delivered through the host's IDT: it ends in a VM exit with
// reason 0 and interruption type NMI (25.9.2). A platform whose kernel
// handles NMIs (perf, the NMI watchdog) hands it over in on_nmi_exit, still
// in VMX root operation with interrupts off, as KVM does; the guest then
// resumes where it was. nullptr: no NMI source (the boot image), and such an
// exit is ignored.
//
// External interrupts exit too (external-interrupt exiting), and the host's
// RFLAGS.IF = 0 does not keep them out: with that control set, RFLAGS.IF does
// not block interrupts in non-root operation (25.6.1), so a timer tick that
// arrives while the guest runs ends in exit reason 1 with the interrupt still
// pending (no "acknowledge interrupt on exit"). A platform that takes
// interrupts lets it be delivered in on_external_interrupt_exit (open and
// close the host's interrupt window, as KVM did before it acknowledged on
// exit); the guest then resumes. nullptr: no interrupt source, and such an
// exit is a failure (resuming would exit again at once).
struct GuestPlatform {
  void (*read_host_state)(void* ctx, HostState* out) = nullptr;
  void (*after_guest_run)(void* ctx) = nullptr;
  void (*on_nmi_exit)(void* ctx) = nullptr;
  void (*on_external_interrupt_exit)(void* ctx) = nullptr;
  void* ctx = nullptr;
};

// Basic exit reason 1 (Vol. 3D Appendix C).
inline constexpr u16 kExitExternalInterrupt = 1;

// VM-exit interruption information (25.9.2): valid bit 31, type in bits 10:8.
inline constexpr u32 kInterruptionInfoValid = u32{1} << 31;
inline constexpr u32 kInterruptionTypeShift = 8;
inline constexpr u32 kInterruptionTypeMask = 0x7;
inline constexpr u32 kInterruptionTypeNmi = 2;
constexpr bool exit_is_nmi(u32 interruption_info) {
  return (interruption_info & kInterruptionInfoValid) &&
         ((interruption_info >> kInterruptionTypeShift) & kInterruptionTypeMask) == kInterruptionTypeNmi;
}
static_assert(exit_is_nmi(0x80000202) && !exit_is_nmi(0x80000b0e) && !exit_is_nmi(0x202));

}  // namespace vmxb::core::guest
