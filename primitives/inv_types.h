// INVEPT and INVVPID types and the IA32_VMX_EPT_VPID_CAP bit that advertises
// each (SDM Vol. 3C 31.3 "INVEPT", "INVVPID"; A.10): one table per
// instruction, used for gating (core/capabilities.h), by the semantics suite
// and by diag. A type not in its table is reserved and VMfailValid(28).
#pragma once

#include "primitives/descriptors.h"
#include "primitives/fixed_text.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb {

struct InvType {
  u64 type;          // the type operand (InveptType, InvvpidType)
  CapBit cap;        // its IA32_VMX_EPT_VPID_CAP bit
  const char* name;  // "single-context": the operation (INVEPT/INVVPID) says the rest
};

namespace invept_type {
constexpr u64 operand(InveptType t) { return static_cast<u64>(t); }
inline constexpr InvType kSingleContext{operand(InveptType::kSingleContext), ept_vpid_cap::kInveptSingleContext,
                                        "single-context"};
inline constexpr InvType kAllContext{operand(InveptType::kGlobal), ept_vpid_cap::kInveptAllContext, "all-context"};
}  // namespace invept_type

namespace invvpid_type {
constexpr u64 operand(InvvpidType t) { return static_cast<u64>(t); }
inline constexpr InvType kIndividualAddress{operand(InvvpidType::kIndividualAddress),
                                            ept_vpid_cap::kInvvpidIndividualAddress, "individual-address"};
inline constexpr InvType kSingleContext{operand(InvvpidType::kSingleContext), ept_vpid_cap::kInvvpidSingleContext,
                                        "single-context"};
inline constexpr InvType kAllContext{operand(InvvpidType::kAllContext), ept_vpid_cap::kInvvpidAllContext,
                                     "all-context"};
inline constexpr InvType kSingleContextRetainingGlobals{operand(InvvpidType::kSingleContextRetainingGlobals),
                                                        ept_vpid_cap::kInvvpidSingleContextRetainingGlobals,
                                                        "single-context-retaining-globals"};
}  // namespace invvpid_type

inline constexpr InvType kInveptTypes[] = {invept_type::kSingleContext, invept_type::kAllContext};
inline constexpr InvType kInvvpidTypes[] = {invvpid_type::kIndividualAddress, invvpid_type::kSingleContext,
                                            invvpid_type::kAllContext, invvpid_type::kSingleContextRetainingGlobals};

// An instruction exists only when its secondary control may be 1 and the
// capability MSR advertises it (31.3: "#UD if ... IA32_VMX_PROCBASED_CTLS2[33]
// = 0 or IA32_VMX_EPT_VPID_CAP[20] = 0", and the same for INVVPID).
struct InvInstruction {
  const char* mnemonic;     // "INVEPT"
  CapBit enable_control;    // secondary::kEnableEpt
  const char* control_tag;  // "EPT", how messages name the control
  CapBit instruction;       // ept_vpid_cap::kInvept
  Span<InvType> types;
};

inline constexpr InvInstruction kInvept{"INVEPT", secondary::kEnableEpt, "EPT", ept_vpid_cap::kInvept,
                                        table(kInveptTypes)};
inline constexpr InvInstruction kInvvpid{"INVVPID", secondary::kEnableVpid, "VPID", ept_vpid_cap::kInvvpid,
                                         table(kInvvpidTypes)};

// The table entry of a type operand, or nullptr for a reserved type.
constexpr const InvType* find_inv_type(const InvInstruction& inv, u64 type) {
  for (const auto& t : inv.types)
    if (t.type == type) return &t;
  return nullptr;
}

// "IA32_VMX_EPT_VPID_CAP[25]", "IA32_VMX_PROCBASED_CTLS2[33]": a bit cited as
// the SDM does, from its handle.
template <usize N>
constexpr FixedText<N>& add_citation(FixedText<N>& t, const CapBit& b) {
  return t.add(msr_name_of(b)).add("[").add_dec(b.msr_bit()).add("]");
}

// Why an operation of type `type` may not run, from the handles:
// "single-context INVEPT not supported (IA32_VMX_PROCBASED_CTLS2 EPT,
// IA32_VMX_EPT_VPID_CAP bits 20/25)".
inline constexpr usize kInvReasonLength = 128;
constexpr FixedText<kInvReasonLength> unsupported_reason(const InvInstruction& inv, const InvType& type) {
  FixedText<kInvReasonLength> t;
  t.add(type.name).add(" ").add(inv.mnemonic).add(" not supported (").add(msr_name_of(inv.enable_control));
  t.add(" ").add(inv.control_tag).add(", ").add(msr_name_of(inv.instruction)).add(" bits ");
  t.add_dec(inv.instruction.msr_bit()).add("/").add_dec(type.cap.msr_bit()).add(")");
  return t;
}

// The reason as a string with static storage, one per (instruction, type).
template <const InvInstruction& kInv, const InvType& kType>
inline constexpr FixedText<kInvReasonLength> kUnsupportedReason = unsupported_reason(kInv, kType);

}  // namespace vmxb
