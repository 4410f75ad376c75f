// The operations the measurement core can time, written once: the boot image,
// the kernel module, //bench and the tests all iterate this table.
#pragma once

#include "primitives/types.h"

namespace vmxb::core {

enum class OpId : u16 {
  kEmpty,  // the timing overhead itself
  kNop1,
  kNop10,
  kNop100,
  kInveptSingleContext,
  kInveptGlobal,
  kInvvpidIndividualAddress,
  kInvvpidSingleContext,
  kInvvpidAllContext,
  kInvvpidSingleContextRetainingGlobals,
  kVmread,
  kVmwrite,
  kVmptrld,
  kVmptrst,
  kVmclear,
  kVmxoffVmxon,
  kCaptureSeparatePushf,
  kCapturePushfInAsm,
  kCaptureFlagOutputs,
  kCaptureAsmGoto,
  kCount,
};

// What an operation needs before it may execute. Checked against the
// capability MSRs (capabilities.h), never against "it did not fault": Bochs
// executes INVEPT on models that do not advertise EPT.
enum Requirement : u32 {
  kNeedsNothing = 0,
  kNeedsVmxRoot = 1u << 0,
  kNeedsCurrentVmcs = 1u << 1,
  kNeedsInveptSingle = 1u << 2,
  kNeedsInveptGlobal = 1u << 3,
  kNeedsInvvpidIndividual = 1u << 4,
  kNeedsInvvpidSingle = 1u << 5,
  kNeedsInvvpidAll = 1u << 6,
  kNeedsInvvpidSingleRetaining = 1u << 7,
  // The body leaves and re-enters VMX operation: each chunk starts with no
  // active VMCS (VMXOFF with one active leaves its data undefined, 25.11.1).
  kLeavesVmxOperation = 1u << 8,
};

enum class OpFamily : u8 { kCalibration, kInvept, kInvvpid, kVmcs, kVmxOperation, kCapture };

struct OperationInfo {
  OpId id;
  const char* name;
  OpFamily family;
  u32 needs;
  const char* what;
};

inline constexpr OperationInfo kOperations[] = {
    {OpId::kEmpty, "empty", OpFamily::kCalibration, kNeedsNothing, "nothing between the TSC reads (timing overhead)"},
    {OpId::kNop1, "nop_1", OpFamily::kCalibration, kNeedsNothing, "1 NOP"},
    {OpId::kNop10, "nop_10", OpFamily::kCalibration, kNeedsNothing, "10 NOPs"},
    {OpId::kNop100, "nop_100", OpFamily::kCalibration, kNeedsNothing, "100 NOPs"},
    {OpId::kInveptSingleContext, "invept_single_context", OpFamily::kInvept,
     kNeedsVmxRoot | kNeedsInveptSingle, "INVEPT type 1 for one EPTP"},
    {OpId::kInveptGlobal, "invept_global", OpFamily::kInvept, kNeedsVmxRoot | kNeedsInveptGlobal,
     "INVEPT type 2 (all EPTPs)"},
    {OpId::kInvvpidIndividualAddress, "invvpid_individual_address", OpFamily::kInvvpid,
     kNeedsVmxRoot | kNeedsInvvpidIndividual, "INVVPID type 0 for one VPID and linear address"},
    {OpId::kInvvpidSingleContext, "invvpid_single_context", OpFamily::kInvvpid,
     kNeedsVmxRoot | kNeedsInvvpidSingle, "INVVPID type 1 for one VPID"},
    {OpId::kInvvpidAllContext, "invvpid_all_context", OpFamily::kInvvpid, kNeedsVmxRoot | kNeedsInvvpidAll,
     "INVVPID type 2 (all VPIDs)"},
    {OpId::kInvvpidSingleContextRetainingGlobals, "invvpid_single_context_retaining_globals",
     OpFamily::kInvvpid, kNeedsVmxRoot | kNeedsInvvpidSingleRetaining,
     "INVVPID type 3 for one VPID, keeping global translations"},
    {OpId::kVmread, "vmread", OpFamily::kVmcs, kNeedsVmxRoot | kNeedsCurrentVmcs, "VMREAD guest RIP"},
    {OpId::kVmwrite, "vmwrite", OpFamily::kVmcs, kNeedsVmxRoot | kNeedsCurrentVmcs, "VMWRITE guest RIP"},
    {OpId::kVmptrld, "vmptrld", OpFamily::kVmcs, kNeedsVmxRoot, "VMPTRLD of the already-current VMCS"},
    {OpId::kVmptrst, "vmptrst", OpFamily::kVmcs, kNeedsVmxRoot | kNeedsCurrentVmcs, "VMPTRST"},
    {OpId::kVmclear, "vmclear", OpFamily::kVmcs, kNeedsVmxRoot, "VMCLEAR of a second, non-current VMCS"},
    {OpId::kVmxoffVmxon, "vmxoff_vmxon", OpFamily::kVmxOperation, kNeedsVmxRoot | kLeavesVmxOperation,
     "VMXOFF then VMXON, with no active VMCS"},
    {OpId::kCaptureSeparatePushf, "capture_separate_pushf", OpFamily::kCapture,
     kNeedsVmxRoot | kNeedsCurrentVmcs, "VMREAD with status read by a separate pushfq (x86_vcpu)"},
    {OpId::kCapturePushfInAsm, "capture_pushf_in_asm", OpFamily::kCapture, kNeedsVmxRoot | kNeedsCurrentVmcs,
     "VMREAD with pushfq/popq in the same asm"},
    {OpId::kCaptureFlagOutputs, "capture_flag_outputs", OpFamily::kCapture,
     kNeedsVmxRoot | kNeedsCurrentVmcs, "VMREAD with flag output operands"},
    {OpId::kCaptureAsmGoto, "capture_asm_goto", OpFamily::kCapture, kNeedsVmxRoot | kNeedsCurrentVmcs,
     "VMREAD with asm goto"},
};

static_assert(array_size(kOperations) == static_cast<usize>(OpId::kCount));
static_assert([] {
  for (usize i = 0; i < array_size(kOperations); ++i)
    if (static_cast<usize>(kOperations[i].id) != i) return false;
  return true;
}(), "kOperations is indexed by OpId");

constexpr const OperationInfo& operation_info(OpId id) { return kOperations[static_cast<u16>(id)]; }

// nullptr when no operation has that name.
constexpr const OperationInfo* find_operation(const char* name) {
  for (const auto& op : kOperations)
    if (streq(op.name, name)) return &op;
  return nullptr;
}

// The calibration bodies and their exact instruction counts.
constexpr u32 nop_count(OpId id) {
  return id == OpId::kNop1 ? 1 : id == OpId::kNop10 ? 10 : id == OpId::kNop100 ? 100 : 0;
}

}  // namespace vmxb::core
