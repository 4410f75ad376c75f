// VM-instruction error numbers (SDM Vol. 3C, 31.4 "VM Instruction Error Numbers").
//
// After VMfailValid the processor stores one of these in the current VMCS,
// field 0x4400 (read with vmxb::vm_instruction_error()). Numbers 14, 21 and 27
// are not assigned by the SDM.
#pragma once

#include "primitives/types.h"

namespace vmxb {

enum class VmInstructionError : u32 {
  kVmcallInVmxRoot = 1,
  kVmclearInvalidAddress = 2,
  kVmclearVmxonPointer = 3,
  kVmlaunchNonClearVmcs = 4,
  kVmresumeNonLaunchedVmcs = 5,
  kVmresumeAfterVmxoff = 6,
  kEntryInvalidControlFields = 7,
  kEntryInvalidHostStateFields = 8,
  kVmptrldInvalidAddress = 9,
  kVmptrldVmxonPointer = 10,
  kVmptrldIncorrectRevisionId = 11,
  kUnsupportedVmcsComponent = 12,
  kVmwriteReadOnlyComponent = 13,
  kVmxonInVmxRoot = 15,
  kEntryInvalidExecutiveVmcsPointer = 16,
  kEntryNonLaunchedExecutiveVmcs = 17,
  kEntryExecutiveVmcsPointerNotVmxon = 18,
  kVmcallNonClearVmcs = 19,
  kVmcallInvalidVmExitControlFields = 20,
  kVmcallIncorrectMsegRevisionId = 22,
  kVmxoffUnderDualMonitor = 23,
  kVmcallInvalidSmmMonitorFeatures = 24,
  kEntryInvalidExecutionControlsInExecutiveVmcs = 25,
  kEntryEventsBlockedByMovSs = 26,
  kInvalidInveptInvvpidOperand = 28,
};

struct VmInstructionErrorInfo {
  u32 number;
  const char* id;           // stable snake_case id for JSON and test names
  const char* description;  // the SDM's wording
};

inline constexpr VmInstructionErrorInfo kVmInstructionErrors[] = {
    {1, "vmcall_in_vmx_root", "VMCALL executed in VMX root operation"},
    {2, "vmclear_invalid_address", "VMCLEAR with invalid physical address"},
    {3, "vmclear_vmxon_pointer", "VMCLEAR with VMXON pointer"},
    {4, "vmlaunch_non_clear_vmcs", "VMLAUNCH with non-clear VMCS"},
    {5, "vmresume_non_launched_vmcs", "VMRESUME with non-launched VMCS"},
    {6, "vmresume_after_vmxoff", "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)"},
    {7, "entry_invalid_control_fields", "VM entry with invalid control field(s)"},
    {8, "entry_invalid_host_state_fields", "VM entry with invalid host-state field(s)"},
    {9, "vmptrld_invalid_address", "VMPTRLD with invalid physical address"},
    {10, "vmptrld_vmxon_pointer", "VMPTRLD with VMXON pointer"},
    {11, "vmptrld_incorrect_revision_id", "VMPTRLD with incorrect VMCS revision identifier"},
    {12, "unsupported_vmcs_component", "VMREAD/VMWRITE from/to unsupported VMCS component"},
    {13, "vmwrite_read_only_component", "VMWRITE to read-only VMCS component"},
    {15, "vmxon_in_vmx_root", "VMXON executed in VMX root operation"},
    {16, "entry_invalid_executive_vmcs_pointer", "VM entry with invalid executive-VMCS pointer"},
    {17, "entry_non_launched_executive_vmcs", "VM entry with non-launched executive VMCS"},
    {18, "entry_executive_vmcs_pointer_not_vmxon",
     "VM entry with executive-VMCS pointer not VMXON pointer (when attempting to deactivate the dual-monitor treatment of SMIs and SMM)"},
    {19, "vmcall_non_clear_vmcs",
     "VMCALL with non-clear VMCS (when attempting to activate the dual-monitor treatment of SMIs and SMM)"},
    {20, "vmcall_invalid_vm_exit_control_fields", "VMCALL with invalid VM-exit control fields"},
    {22, "vmcall_incorrect_mseg_revision_id",
     "VMCALL with incorrect MSEG revision identifier (when attempting to activate the dual-monitor treatment of SMIs and SMM)"},
    {23, "vmxoff_under_dual_monitor", "VMXOFF under dual-monitor treatment of SMIs and SMM"},
    {24, "vmcall_invalid_smm_monitor_features",
     "VMCALL with invalid SMM-monitor features (when attempting to activate the dual-monitor treatment of SMIs and SMM)"},
    {25, "entry_invalid_execution_controls_in_executive_vmcs",
     "VM entry with invalid VM-execution control fields in executive VMCS (when attempting to return from SMM)"},
    {26, "entry_events_blocked_by_mov_ss", "VM entry with events blocked by MOV SS"},
    {28, "invalid_invept_invvpid_operand", "Invalid operand to INVEPT/INVVPID"},
};

inline constexpr u32 kMaxVmInstructionError = 28;

// nullptr for numbers the SDM does not assign (0, 14, 21, 27, > 28).
constexpr const VmInstructionErrorInfo* find_vm_instruction_error(u32 number) {
  for (const auto& info : kVmInstructionErrors)
    if (info.number == number) return &info;
  return nullptr;
}

constexpr const char* vm_instruction_error_description(u32 number) {
  const auto* info = find_vm_instruction_error(number);
  return info != nullptr ? info->description : "unassigned VM-instruction error number";
}

}  // namespace vmxb
