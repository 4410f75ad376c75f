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
// GDT and the TSS limit the same way), and one with NMIs enabled re-raises an
// NMI that exited. nullptr: nothing to restore.
struct GuestPlatform {
  void (*read_host_state)(void* ctx, HostState* out) = nullptr;
  void (*after_guest_run)(void* ctx) = nullptr;
  void* ctx = nullptr;
};

}  // namespace vmxb::core::guest
