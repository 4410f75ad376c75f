// The guest platform of the module (core/guest/host_state.h,
// GuestEnvironment): the kernel's host state and repairs come from
// guest_host.c, the memory from guest_memory.c. Shared by the guest rows
// (session.cc) and the semantics suite's guest cases (semantics_platform.cc).
#pragma once

#include "core/guest/guest_run.h"
#include "core/run_types.h"
#include "core/vmx_operation.h"
#include "session.h"

namespace vmxb::module {

using namespace vmxb::core;

// The guest rows' platform (core/guest/host_state.h): the kernel's host state
// and repairs come from guest_host.c, the memory from guest_memory.c.
static_assert(sizeof(vmxb_page_addr) == sizeof(VmxPage) && __builtin_offsetof(vmxb_page_addr, va) == __builtin_offsetof(VmxPage, va) &&
              __builtin_offsetof(vmxb_page_addr, pa) == __builtin_offsetof(VmxPage, pa),
              "vmxb_page_addr arrays are used as VmxPage arrays");
static_assert(VMXB_GUEST_TOUCH_PAGES == guest::kMaxTouchPages);
static_assert(VMXB_GUEST_PROBE_PAGES == static_cast<u32>(guest::ProbePage::kCount));

struct ModuleGuest {
  const vmxb_platform* pf;
  vmxb_host_state saved{};  // the last chunk's, for after_guest_run
  guest::IdentityRange identity{};
  guest::GuestEnvironment env{};

  static void read_host_state(void* p, guest::HostState* h) {
    auto& g = *static_cast<ModuleGuest*>(p);
    g.pf->read_host_state(&g.saved);
    const vmxb_host_state& k = g.saved;
    *h = guest::HostState{
        .cr0 = k.cr0, .cr3 = k.cr3, .cr4 = k.cr4,
        .cs = k.cs, .ss = k.ss, .ds = k.ds, .es = k.es, .fs = k.fs, .gs = k.gs, .tr = k.tr,
        .fs_base = k.fs_base, .gs_base = k.gs_base, .tr_base = k.tr_base,
        .gdtr_base = k.gdtr_base, .idtr_base = k.idtr_base, .gdtr_limit = k.gdtr_limit, .idtr_limit = k.idtr_limit,
        .efer = k.efer, .pat = k.pat,
        .sysenter_cs = k.sysenter_cs, .sysenter_esp = k.sysenter_esp, .sysenter_eip = k.sysenter_eip,
    };
  }
  static void after_guest_run(void* p) {
    auto& g = *static_cast<ModuleGuest*>(p);
    g.pf->after_guest_run(&g.saved);
  }
  static void on_nmi_exit(void* p) { static_cast<ModuleGuest*>(p)->pf->nmi_exit(); }
  static void on_interrupt_exit(void* p) { static_cast<ModuleGuest*>(p)->pf->interrupt_exit(); }

  // Points ctx at this environment: the memory the C side allocated for this RUN.
  void attach(const vmxb_guest_memory& m, const VmxCapabilities& caps, VmxContext& ctx) {
    env.platform = {read_host_state, after_guest_run, on_nmi_exit, on_interrupt_exit, this};
    guest::GuestMemory& gm = env.memory;
    gm.vmcs_b = {m.vmcs_b.va, PhysAddr{m.vmcs_b.pa}};
    write_revision_id(gm.vmcs_b.va, caps.basic);
    gm.pool = {reinterpret_cast<VmxPage*>(m.pool), m.pool_pages, 0};
    for (u32 k = 0; k < 2; ++k) gm.touch[k] = reinterpret_cast<const VmxPage*>(m.touch[k]);
    for (u32 i = 0; i < VMXB_GUEST_PROBE_PAGES; ++i) gm.probe[i] = {m.probe[i].va, PhysAddr{m.probe[i].pa}};
    identity = {m.identity_base, m.identity_size};
    gm.identity = &identity;
    gm.identity_count = 1;
    ctx.guest = &env;
  }
};

}  // namespace vmxb::module
