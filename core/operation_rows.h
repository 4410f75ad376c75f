// The operations the measurement core can time, one row each. Everything else
// is derived from these rows: OpId, kOperations, the names, find_operation and
// nop_count (core/operations.h), the dispatch that runs each body between the
// TSC reads (core/run_operation.h), the module's op-table fingerprint
// (kernel/include/vmxbench_op_table.h), `vmxbctl list` and, through it, the
// kernel module's end-to-end checks. Adding an operation that uses an existing
// wrapper is one row here (harness/tests:operations_test then runs it under
// Bochs like every other row).
//
//   VMXB_OPERATION(Id, name, needs, what, body)
//     Id     the enumerator OpId::k<Id>: `name` in CamelCase (static_assert'ed)
//     name   snake_case, the name in plans, bench rows, vmxbctl and reports
//     needs  Requirement bits (core/operations.h), checked against the
//            capability MSRs before the body may execute
//     what   one line saying what is timed
//     body   an expression of type VmResult, timed once per sample. It is
//            expanded only inside run_operation.h's dispatch, where these
//            operands are locals (captured by copy, so the timed loop keeps
//            them in registers): eptp, vpid, linear_address, current_vmcs,
//            other_vmcs, vmxon_region, vmx_lost (bool*).
//
// Each VMX operation runs with VmxContext::vmcs current (VMCLEAR + VMPTRLD at
// every chunk start), except those marked kLeavesVmxOperation, which run with
// no active VMCS (run_operation.h, ChunkVmcs).
//
// No include guard: included once per derived table, each time with its own
// definition of VMXB_OPERATION.
#ifndef VMXB_OPERATION
#error "define VMXB_OPERATION(Id, name, needs, what, body) before including core/operation_rows.h"
#endif

// Calibration: nop_<N> executes exactly N NOPs (nop_count, harness/tests:calibration_test).
VMXB_OPERATION(Empty, empty, kNeedsNothing, "nothing between the TSC reads (timing overhead)", VmResult::succeed())
VMXB_OPERATION(Nop1, nop_1, kNeedsNothing, "1 NOP", nops<1>())
VMXB_OPERATION(Nop10, nop_10, kNeedsNothing, "10 NOPs", nops<10>())
VMXB_OPERATION(Nop100, nop_100, kNeedsNothing, "100 NOPs", nops<100>())

// INVEPT and INVVPID, one row per type (SDM Vol. 3C, 31.3).
VMXB_OPERATION(InveptSingleContext, invept_single_context, kNeedsVmxRoot | kNeedsInveptSingle,
               "INVEPT type 1 for one EPTP", invept_single_context(eptp))
VMXB_OPERATION(InveptGlobal, invept_global, kNeedsVmxRoot | kNeedsInveptGlobal, "INVEPT type 2 (all EPTPs)",
               invept_global())
VMXB_OPERATION(InvvpidIndividualAddress, invvpid_individual_address, kNeedsVmxRoot | kNeedsInvvpidIndividual,
               "INVVPID type 0 for one VPID and linear address",
               invvpid(InvvpidType::kIndividualAddress, vpid, linear_address))
VMXB_OPERATION(InvvpidSingleContext, invvpid_single_context, kNeedsVmxRoot | kNeedsInvvpidSingle,
               "INVVPID type 1 for one VPID", invvpid(InvvpidType::kSingleContext, vpid))
VMXB_OPERATION(InvvpidAllContext, invvpid_all_context, kNeedsVmxRoot | kNeedsInvvpidAll,
               "INVVPID type 2 (all VPIDs)", invvpid(InvvpidType::kAllContext, 0))
VMXB_OPERATION(InvvpidSingleContextRetainingGlobals, invvpid_single_context_retaining_globals,
               kNeedsVmxRoot | kNeedsInvvpidSingleRetaining,
               "INVVPID type 3 for one VPID, keeping global translations",
               invvpid(InvvpidType::kSingleContextRetainingGlobals, vpid))

// The VMCS instructions (31.3). Field encodings: Appendix B; guest RIP is a
// natural-width guest-state field (B.4.3), the VM-exit reason a 32-bit
// read-only data field (B.3.2): another field class and width.
VMXB_OPERATION(Vmread, vmread, kNeedsVmxRoot, "VMREAD guest RIP", vmread(vmcs::kGuestRip).status)
VMXB_OPERATION(VmreadExitReason, vmread_exit_reason, kNeedsVmxRoot,
               "VMREAD VM-exit reason (a 32-bit read-only data field, B.3.2)",
               vmread(vmcs::kExitReason).status)
VMXB_OPERATION(Vmwrite, vmwrite, kNeedsVmxRoot, "VMWRITE guest RIP", vmwrite(vmcs::kGuestRip, u64{0x1000}))
VMXB_OPERATION(Vmptrld, vmptrld, kNeedsVmxRoot, "VMPTRLD of the already-current VMCS", vmptrld(current_vmcs))
VMXB_OPERATION(Vmptrst, vmptrst, kNeedsVmxRoot, "VMPTRST", vmptrst().status)
VMXB_OPERATION(Vmclear, vmclear, kNeedsVmxRoot, "VMCLEAR of a second, non-current VMCS", vmclear(other_vmcs))
VMXB_OPERATION(VmxoffVmxon, vmxoff_vmxon, kNeedsVmxRoot | kLeavesVmxOperation,
               "VMXOFF then VMXON, with no active VMCS", vmxoff_then_vmxon(vmxon_region, vmx_lost))

// The same VMREAD under each status-capture strategy (primitives/capture.h).
VMXB_OPERATION(CaptureSeparatePushf, capture_separate_pushf, kNeedsVmxRoot,
               "VMREAD with status read by a separate pushfq (x86_vcpu)",
               vmread<CaptureStrategy::kSeparatePushf>(vmcs::kGuestRip).status)
VMXB_OPERATION(CapturePushfInAsm, capture_pushf_in_asm, kNeedsVmxRoot, "VMREAD with pushfq/popq in the same asm",
               vmread<CaptureStrategy::kPushfInAsm>(vmcs::kGuestRip).status)
VMXB_OPERATION(CaptureFlagOutputs, capture_flag_outputs, kNeedsVmxRoot, "VMREAD with flag output operands",
               vmread<CaptureStrategy::kFlagOutputs>(vmcs::kGuestRip).status)
VMXB_OPERATION(CaptureAsmGoto, capture_asm_goto, kNeedsVmxRoot, "VMREAD with asm goto",
               vmread<CaptureStrategy::kAsmGoto>(vmcs::kGuestRip).status)
VMXB_OPERATION(CaptureAsmGotoJna, capture_asm_goto_jna, kNeedsVmxRoot,
               "VMREAD with asm goto and one jna (the default, KVM style)",
               vmread<CaptureStrategy::kAsmGotoJna>(vmcs::kGuestRip).status)

// Throughput (nanoBench's n vs 2n differential): <row>_unrolled_<N> runs N
// copies back to back with no branch between them (instructions.h
// *_repeated), so (T(32) - T(16)) / 16 is the cost of one instruction with
// the TSC bracket and the status branch cancelled; bench reports it as
// `throughput_ticks` on <row>. unrolled_copies() reads N from the name.
VMXB_OPERATION(VmreadUnrolled16, vmread_unrolled_16, kNeedsVmxRoot, "16 VMREADs of guest RIP back to back", vmread_repeated<16>(vmcs::kGuestRip))
VMXB_OPERATION(VmreadUnrolled32, vmread_unrolled_32, kNeedsVmxRoot, "32 VMREADs of guest RIP back to back", vmread_repeated<32>(vmcs::kGuestRip))
VMXB_OPERATION(VmwriteUnrolled16, vmwrite_unrolled_16, kNeedsVmxRoot, "16 VMWRITEs of guest RIP back to back", vmwrite_repeated<16>(vmcs::kGuestRip, u64{0x1000}))
VMXB_OPERATION(VmwriteUnrolled32, vmwrite_unrolled_32, kNeedsVmxRoot, "32 VMWRITEs of guest RIP back to back", vmwrite_repeated<32>(vmcs::kGuestRip, u64{0x1000}))
VMXB_OPERATION(VmptrstUnrolled16, vmptrst_unrolled_16, kNeedsVmxRoot, "16 VMPTRSTs back to back", vmptrst_repeated<16>())
VMXB_OPERATION(VmptrstUnrolled32, vmptrst_unrolled_32, kNeedsVmxRoot, "32 VMPTRSTs back to back", vmptrst_repeated<32>())
VMXB_OPERATION(InveptSingleContextUnrolled16, invept_single_context_unrolled_16, kNeedsVmxRoot | kNeedsInveptSingle, "16 INVEPTs type 1 back to back", invept_repeated<16>(InveptType::kSingleContext, eptp))
VMXB_OPERATION(InveptSingleContextUnrolled32, invept_single_context_unrolled_32, kNeedsVmxRoot | kNeedsInveptSingle, "32 INVEPTs type 1 back to back", invept_repeated<32>(InveptType::kSingleContext, eptp))
VMXB_OPERATION(InveptGlobalUnrolled16, invept_global_unrolled_16, kNeedsVmxRoot | kNeedsInveptGlobal, "16 INVEPTs type 2 back to back", invept_repeated<16>(InveptType::kGlobal, Eptp{0}))
VMXB_OPERATION(InveptGlobalUnrolled32, invept_global_unrolled_32, kNeedsVmxRoot | kNeedsInveptGlobal, "32 INVEPTs type 2 back to back", invept_repeated<32>(InveptType::kGlobal, Eptp{0}))
VMXB_OPERATION(InvvpidIndividualAddressUnrolled16, invvpid_individual_address_unrolled_16, kNeedsVmxRoot | kNeedsInvvpidIndividual, "16 INVVPIDs type 0 back to back", invvpid_repeated<16>(InvvpidType::kIndividualAddress, vpid, linear_address))
VMXB_OPERATION(InvvpidIndividualAddressUnrolled32, invvpid_individual_address_unrolled_32, kNeedsVmxRoot | kNeedsInvvpidIndividual, "32 INVVPIDs type 0 back to back", invvpid_repeated<32>(InvvpidType::kIndividualAddress, vpid, linear_address))
VMXB_OPERATION(InvvpidSingleContextUnrolled16, invvpid_single_context_unrolled_16, kNeedsVmxRoot | kNeedsInvvpidSingle, "16 INVVPIDs type 1 back to back", invvpid_repeated<16>(InvvpidType::kSingleContext, vpid))
VMXB_OPERATION(InvvpidSingleContextUnrolled32, invvpid_single_context_unrolled_32, kNeedsVmxRoot | kNeedsInvvpidSingle, "32 INVVPIDs type 1 back to back", invvpid_repeated<32>(InvvpidType::kSingleContext, vpid))
VMXB_OPERATION(InvvpidAllContextUnrolled16, invvpid_all_context_unrolled_16, kNeedsVmxRoot | kNeedsInvvpidAll, "16 INVVPIDs type 2 back to back", invvpid_repeated<16>(InvvpidType::kAllContext, 0))
VMXB_OPERATION(InvvpidAllContextUnrolled32, invvpid_all_context_unrolled_32, kNeedsVmxRoot | kNeedsInvvpidAll, "32 INVVPIDs type 2 back to back", invvpid_repeated<32>(InvvpidType::kAllContext, 0))
VMXB_OPERATION(InvvpidSingleContextRetainingGlobalsUnrolled16, invvpid_single_context_retaining_globals_unrolled_16, kNeedsVmxRoot | kNeedsInvvpidSingleRetaining, "16 INVVPIDs type 3 back to back", invvpid_repeated<16>(InvvpidType::kSingleContextRetainingGlobals, vpid))
VMXB_OPERATION(InvvpidSingleContextRetainingGlobalsUnrolled32, invvpid_single_context_retaining_globals_unrolled_32, kNeedsVmxRoot | kNeedsInvvpidSingleRetaining, "32 INVVPIDs type 3 back to back", invvpid_repeated<32>(InvvpidType::kSingleContextRetainingGlobals, vpid))

// Guest rows (core/guest/): the body names a guest program, which runs in VMX
// non-root operation and times itself there with the same TSC bracket, so a
// round trip is everything between the guest's two TSC reads: the exit, the
// host's handler and the entry (exit reasons: Vol. 3D Appendix C).
VMXB_OPERATION(Vmcall, vmcall, kNeedsVmxRoot | kNeedsGuest,
               "VMCALL round trip (exit 18) through the minimal exit path (advance RIP, VMRESUME)",
               guest::guest_row(guest::GuestProgram::kVmcall))
VMXB_OPERATION(VmcallDispatched, vmcall_dispatched, kNeedsVmxRoot | kNeedsGuest,
               "VMCALL round trip (exit 18) through the full exit path and the C++ dispatcher",
               guest::guest_row(guest::GuestProgram::kVmcallDispatched))
VMXB_OPERATION(Cpuid, cpuid, kNeedsVmxRoot | kNeedsGuest, "CPUID leaf 0 round trip (exit 10), emulated by the host",
               guest::guest_row(guest::GuestProgram::kCpuid))
VMXB_OPERATION(EptViolation, ept_violation, kNeedsVmxRoot | kNeedsGuest | kNeedsEpt,
               "load from an unmapped GPA (exit 48), stepped over by the host as MMIO emulation would",
               guest::guest_row(guest::GuestProgram::kEptViolation))
VMXB_OPERATION(EptDemandPaging, ept_demand_paging, kNeedsVmxRoot | kNeedsGuest | kNeedsEpt | kNeedsInveptSingle,
               "load from a not-present GPA: exit 48, the host maps the page, INVEPT, the load retries",
               guest::guest_row(guest::GuestProgram::kEptDemand))
VMXB_OPERATION(EptMisconfig, ept_misconfig, kNeedsVmxRoot | kNeedsGuest | kNeedsEpt,
               "load through a misconfigured EPT entry (exit 49), stepped over (KVM's fast MMIO path)",
               guest::guest_row(guest::GuestProgram::kEptMisconfig))
VMXB_OPERATION(VmfuncEptpSwitch, vmfunc_eptp_switch, kNeedsVmxRoot | kNeedsGuest | kNeedsEpt | kNeedsEptpSwitching,
               "VMFUNC leaf 0: switch to the other EPTP without a VM exit",
               guest::guest_row(guest::GuestProgram::kVmfuncSwitch))
VMXB_OPERATION(EptpSwitchByExit, eptp_switch_by_exit, kNeedsVmxRoot | kNeedsGuest | kNeedsEpt,
               "VMCALL, the host VMWRITEs the other EPTP, VMRESUME (the exit-based switch)",
               guest::guest_row(guest::GuestProgram::kEptpSwitchByExit))

// Invalidation with live translations: context A touched `pages` guest pages
// and context B its own before the host's flush. Series: flush (host-side),
// warm, refill and collateral (guest-side re-touch times; guest_run.h).
VMXB_OPERATION(InveptSingleContextLive, invept_single_context_live,
               kNeedsVmxRoot | kNeedsGuest | kNeedsEpt | kNeedsInveptSingle | kWritesTouchSeries,
               "INVEPT type 1 of EPTP A after A and B touched their pages",
               guest::guest_row(guest::GuestProgram::kTouchFlush, guest::Flush::kInveptSingleContext))
VMXB_OPERATION(InveptGlobalLive, invept_global_live,
               kNeedsVmxRoot | kNeedsGuest | kNeedsEpt | kNeedsInveptGlobal | kWritesTouchSeries,
               "INVEPT type 2 after A and B touched their pages",
               guest::guest_row(guest::GuestProgram::kTouchFlush, guest::Flush::kInveptGlobal))
VMXB_OPERATION(InvvpidIndividualAddressLive, invvpid_individual_address_live,
               kNeedsVmxRoot | kNeedsGuest | kNeedsVpid | kNeedsInvvpidIndividual | kWritesTouchSeries,
               "INVVPID type 0 (VPID 1, A's first page) after A and B touched their pages",
               guest::guest_row(guest::GuestProgram::kTouchFlush, guest::Flush::kInvvpidIndividualAddress))
VMXB_OPERATION(InvvpidSingleContextLive, invvpid_single_context_live,
               kNeedsVmxRoot | kNeedsGuest | kNeedsVpid | kNeedsInvvpidSingle | kWritesTouchSeries,
               "INVVPID type 1 (VPID 1) after A and B touched their pages",
               guest::guest_row(guest::GuestProgram::kTouchFlush, guest::Flush::kInvvpidSingleContext))
VMXB_OPERATION(InvvpidAllContextLive, invvpid_all_context_live,
               kNeedsVmxRoot | kNeedsGuest | kNeedsVpid | kNeedsInvvpidAll | kWritesTouchSeries,
               "INVVPID type 2 after A and B touched their pages",
               guest::guest_row(guest::GuestProgram::kTouchFlush, guest::Flush::kInvvpidAllContext))
VMXB_OPERATION(InvvpidSingleContextRetainingGlobalsLive, invvpid_single_context_retaining_globals_live,
               kNeedsVmxRoot | kNeedsGuest | kNeedsVpid | kNeedsInvvpidSingleRetaining | kWritesTouchSeries,
               "INVVPID type 3 (VPID 1) after A and B touched their pages",
               guest::guest_row(guest::GuestProgram::kTouchFlush, guest::Flush::kInvvpidSingleContextRetainingGlobals))
