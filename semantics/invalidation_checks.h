// What INVEPT and INVVPID cases have in common (Vol. 3C 31.3): a sweep over
// types 0-3, in which an advertised type succeeds and any other VMfails with
// error 28 (VMfailInvalid without a current VMCS), and the #UD where the
// instruction is not advertised at all.
#pragma once

#include "primitives/inv_types.h"
#include "semantics/cases.h"

namespace vmxb::semantics {

inline constexpr int kSweptTypes = 4;

struct TypeSweep {
  const InvInstruction& instruction;  // its types and their IA32_VMX_EPT_VPID_CAP bits (primitives/inv_types.h)
  const char* const (&with_current_vmcs)[kSweptTypes];
  const char* const (&without_current_vmcs)[kSweptTypes];
  bool exists;
  const char* not_advertised;  // the SKIP reason when the instruction does not exist
};

// `execute` is a template lambda: []<CaptureStrategy S>(u64 type) -> Observation.
template <typename Execute>
void check_types(CaseContext& c, const TypeSweep& sweep, bool current_vmcs, Execute execute) {
  for (u64 type = 0; type < kSweptTypes; ++type) {
    const char* name = current_vmcs ? sweep.with_current_vmcs[type] : sweep.without_current_vmcs[type];
    if (!sweep.exists) {
      c.suite->skip(name, sweep.not_advertised);
      continue;
    }
    const InvType* t = find_inv_type(sweep.instruction, type);
    const bool supported = t != nullptr && t->cap.in(c.env->caps.ept_vpid_cap);
    const Observation expected = supported ? succeeds() : current_vmcs ? kInvalidOperand : fail_invalid();
    c.suite->check(name, expected, [&]<CaptureStrategy S> { return execute.template operator()<S>(type); });
  }
}

// Types 4-7 are reserved for both instructions (31.3 INVEPT, INVVPID
// "Operation": "IF INVxxx_TYPE is not supported THEN VMfail"). One
// observation for the whole sweep: the first type that does not fail with
// error 28, or error 28. `execute` is a callable (u64 type) -> Observation.
inline constexpr u64 kFirstReservedType = 4;
inline constexpr u64 kLastReservedType = 7;

template <typename Execute>
Observation sweep_reserved_types(Execute execute) {
  for (u64 type = kFirstReservedType; type <= kLastReservedType; ++type) {
    const Observation o = execute(type);
    if (!(o == kInvalidOperand)) return o;
  }
  return kInvalidOperand;
}

// A type operand with bits 63:32 set over an advertised type: in 64-bit mode
// the type is the whole 64-bit register (31.3 INVEPT, INVVPID "Description").
inline constexpr u64 kTypeBit32 = 0x1'0000'0000;

// An instruction the CPU does not advertise must raise #UD; `deviation` is
// what an emulator that executes it anyway does instead.
template <typename Run>
void check_ud_unless_advertised(CaseContext& c, const char* name, bool advertised, const char* advertised_reason,
                                Run run, const Deviation& deviation) {
  if (advertised) c.suite->skip(name, advertised_reason);
  else c.suite->check(name, ud(), run, &deviation);
}

}  // namespace vmxb::semantics
