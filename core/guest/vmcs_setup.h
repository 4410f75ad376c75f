// Writes a complete VMCS for vmxbench's guest: controls from the capability
// MSRs (controls.h), the host-state area from the platform (host_state.h),
// and a guest that is a copy of the host's own 64-bit ring-0 context with its
// own stack, RIP and TSS. Everything a VM entry checks (27.2 "Checks on VMX
// Controls and Host-State Area", 27.3.1 "Checks on the Guest State Area") is
// written here explicitly: VMCLEAR leaves field contents undefined (25.11.3).
#pragma once

#include "core/guest/controls.h"
#include "core/guest/host_state.h"
#include "core/guest/world_switch_abi.h"
#include "primitives/control_registers.h"
#include "primitives/guest_state.h"
#include "primitives/instructions.h"

namespace vmxb::core::guest {

// The control values one guest context runs with.
struct GuestControls {
  u32 pin = 0, primary = 0, secondary = 0, exit = 0, entry = 0;
  u32 exception_bitmap = ~u32{0};  // every guest exception exits: the guest owns no IDT
  u64 vm_function_controls = 0;
};

// Which field a setup stopped at and why.
struct VmcsSetupResult {
  u32 failed_field = 0;  // encoding of the first VMWRITE that failed (0: none)
  VmResult status = VmResult::succeed();
  constexpr bool ok() const { return failed_field == 0; }
};

struct GuestContextState {
  u64 rip, rsp;
  u64 tr_base;        // the guest's own TSS
  u64 eptp = 0;       // 0: EPT off
  u16 vpid = 0;       // 0: VPID off
  u64 eptp_list = 0;  // physical address of the EPTP list (VMFUNC EPTP switching)
  u64 host_rip;       // vmxb_vm_exit or vmxb_vm_exit_fast
};

namespace detail {
class VmcsWriter {
 public:
  template <VmcsFieldType Field, typename T>
  void put(Field f, T value) {
    if (!result_.ok()) return;
    const VmResult r = vmwrite(f, static_cast<typename Field::value_type>(value));
    if (!r.ok()) result_ = {Field::kEncoding, r};
  }
  VmcsSetupResult result() const { return result_; }

 private:
  VmcsSetupResult result_;
};
}  // namespace detail

// Writes every field of the current VMCS that vmxbench's guest depends on.
inline VmcsSetupResult write_guest_vmcs(const GuestControls& c, const HostState& h, const GuestContextState& g) {
  detail::VmcsWriter w;
  // Controls (25.6-25.8).
  w.put(vmcs::kPinBasedControls, c.pin);
  w.put(vmcs::kPrimaryProcBasedControls, c.primary);
  if (c.primary & ctl(primary::kActivateSecondaryControls)) w.put(vmcs::kSecondaryProcBasedControls, c.secondary);
  w.put(vmcs::kExitControls, c.exit);
  w.put(vmcs::kEntryControls, c.entry);
  w.put(vmcs::kExceptionBitmap, c.exception_bitmap);
  w.put(vmcs::kPageFaultErrorCodeMask, 0u);
  w.put(vmcs::kPageFaultErrorCodeMatch, 0u);
  w.put(vmcs::kCr3TargetCount, 0u);
  w.put(vmcs::kExitMsrStoreCount, 0u);
  w.put(vmcs::kExitMsrLoadCount, 0u);
  w.put(vmcs::kEntryMsrLoadCount, 0u);
  w.put(vmcs::kEntryInterruptionInfo, 0u);
  w.put(vmcs::kCr0GuestHostMask, u64{0});
  w.put(vmcs::kCr4GuestHostMask, u64{0});
  w.put(vmcs::kCr0ReadShadow, h.cr0);
  w.put(vmcs::kCr4ReadShadow, h.cr4);
  w.put(vmcs::kVmcsLinkPointer, kVmcsLinkPointerNone);
  if (c.secondary & ctl(secondary::kEnableEpt)) w.put(vmcs::kEptPointer, g.eptp);
  if (c.secondary & ctl(secondary::kEnableVpid)) w.put(vmcs::kVirtualProcessorId, g.vpid);
  if (c.secondary & ctl(secondary::kEnableVmFunctions)) {
    w.put(vmcs::kVmFunctionControls, c.vm_function_controls);
    w.put(vmcs::kEptpListAddress, g.eptp_list);
  }

  // Host state (25.5): what every VM exit loads.
  w.put(vmcs::kHostCr0, h.cr0);
  w.put(vmcs::kHostCr3, h.cr3);
  w.put(vmcs::kHostCr4, h.cr4);
  w.put(vmcs::kHostCsSelector, h.cs);
  w.put(vmcs::kHostSsSelector, h.ss);
  w.put(vmcs::kHostDsSelector, h.ds);
  w.put(vmcs::kHostEsSelector, h.es);
  w.put(vmcs::kHostFsSelector, h.fs);
  w.put(vmcs::kHostGsSelector, h.gs);
  w.put(vmcs::kHostTrSelector, h.tr);
  w.put(vmcs::kHostFsBase, h.fs_base);
  w.put(vmcs::kHostGsBase, h.gs_base);
  w.put(vmcs::kHostTrBase, h.tr_base);
  w.put(vmcs::kHostGdtrBase, h.gdtr_base);
  w.put(vmcs::kHostIdtrBase, h.idtr_base);
  w.put(vmcs::kHostSysenterCs, h.sysenter_cs);
  w.put(vmcs::kHostSysenterEsp, h.sysenter_esp);
  w.put(vmcs::kHostSysenterEip, h.sysenter_eip);
  if (c.exit & ctl(exit_ctls::kLoadEfer)) w.put(vmcs::kHostEfer, h.efer);
  if (c.exit & ctl(exit_ctls::kLoadPat)) w.put(vmcs::kHostPat, h.pat);
  w.put(vmcs::kHostRip, g.host_rip);
  // HOST_RSP is written by vmxb_vmx_run before every entry.

  // Guest state (25.4): the host's 64-bit ring-0 context, its own RSP, RIP and TSS.
  w.put(vmcs::kGuestCr0, h.cr0);
  w.put(vmcs::kGuestCr3, h.cr3);
  w.put(vmcs::kGuestCr4, h.cr4);
  w.put(vmcs::kGuestDr7, kDr7Default);
  w.put(vmcs::kGuestRsp, g.rsp);
  w.put(vmcs::kGuestRip, g.rip);
  w.put(vmcs::kGuestRflags, kRflagsReserved1);  // IF = 0: the guest takes no interrupts
  w.put(vmcs::kGuestCsSelector, h.cs);
  w.put(vmcs::kGuestCsBase, u64{0});
  w.put(vmcs::kGuestCsLimit, ~u32{0});
  w.put(vmcs::kGuestCsAccessRights, access_rights::kCode64);
  w.put(vmcs::kGuestSsSelector, h.ss);
  w.put(vmcs::kGuestSsBase, u64{0});
  w.put(vmcs::kGuestSsLimit, ~u32{0});
  w.put(vmcs::kGuestSsAccessRights, h.ss == 0 ? access_rights::kUnusable : access_rights::kData);
  w.put(vmcs::kGuestDsSelector, h.ds);
  w.put(vmcs::kGuestDsBase, u64{0});
  w.put(vmcs::kGuestDsLimit, ~u32{0});
  w.put(vmcs::kGuestDsAccessRights, h.ds == 0 ? access_rights::kUnusable : access_rights::kData);
  w.put(vmcs::kGuestEsSelector, h.es);
  w.put(vmcs::kGuestEsBase, u64{0});
  w.put(vmcs::kGuestEsLimit, ~u32{0});
  w.put(vmcs::kGuestEsAccessRights, h.es == 0 ? access_rights::kUnusable : access_rights::kData);
  w.put(vmcs::kGuestFsSelector, u16{0});
  w.put(vmcs::kGuestFsBase, h.fs_base);
  w.put(vmcs::kGuestFsLimit, 0u);
  w.put(vmcs::kGuestFsAccessRights, access_rights::kUnusable);
  w.put(vmcs::kGuestGsSelector, u16{0});
  w.put(vmcs::kGuestGsBase, h.gs_base);
  w.put(vmcs::kGuestGsLimit, 0u);
  w.put(vmcs::kGuestGsAccessRights, access_rights::kUnusable);
  w.put(vmcs::kGuestLdtrSelector, u16{0});
  w.put(vmcs::kGuestLdtrBase, u64{0});
  w.put(vmcs::kGuestLdtrLimit, 0u);
  w.put(vmcs::kGuestLdtrAccessRights, access_rights::kUnusable);
  w.put(vmcs::kGuestTrSelector, h.tr);
  w.put(vmcs::kGuestTrBase, g.tr_base);
  w.put(vmcs::kGuestTrLimit, u32{kTssLimit});
  w.put(vmcs::kGuestTrAccessRights, access_rights::kBusyTss64);
  w.put(vmcs::kGuestGdtrBase, h.gdtr_base);
  w.put(vmcs::kGuestGdtrLimit, u32{h.gdtr_limit});
  w.put(vmcs::kGuestIdtrBase, h.idtr_base);
  w.put(vmcs::kGuestIdtrLimit, u32{h.idtr_limit});
  w.put(vmcs::kGuestDebugctl, u64{0});
  w.put(vmcs::kGuestSysenterCs, 0u);
  w.put(vmcs::kGuestSysenterEsp, u64{0});
  w.put(vmcs::kGuestSysenterEip, u64{0});
  if (c.entry & ctl(entry_ctls::kLoadEfer)) w.put(vmcs::kGuestEfer, h.efer);
  if (c.entry & ctl(entry_ctls::kLoadPat)) w.put(vmcs::kGuestPat, h.pat);
  w.put(vmcs::kGuestInterruptibility, 0u);
  w.put(vmcs::kGuestActivityState, 0u);  // active
  w.put(vmcs::kGuestPendingDebugExceptions, u64{0});
  return w.result();
}

}  // namespace vmxb::core::guest
