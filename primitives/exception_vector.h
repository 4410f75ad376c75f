// Architectural exception vectors (SDM Vol. 3A, 6.3.1 "IA-32 Exceptions and
// Interrupts", Table 6-1 "Exceptions and Interrupts"), as the VMX instructions
// raise them (Vol. 3C 31.3, each instruction's "Protected Mode Exceptions").
//
// A vector is an int so that "no exception" can be a value next to them: the
// boot image's exception paths and the semantics suite report one or the other.
#pragma once

#include "primitives/types.h"

namespace vmxb {

// No exception was raised (vectors are 0..255).
inline constexpr int kNoFault = -1;

namespace exception_vector {
inline constexpr int kDivideError = 0;         // #DE: the semantics suite's "the instruction did not fault" marker
inline constexpr int kInvalidOpcode = 6;        // #UD: VMX instruction outside VMX operation, unsupported INVEPT
inline constexpr int kStackFault = 12;         // #SS: a non-canonical memory operand in the SS segment
inline constexpr int kGeneralProtection = 13;  // #GP: absent MSR, CPL > 0, VMXON with bad CR0/CR4
inline constexpr int kPageFault = 14;          // #PF: a memory operand no page maps
}  // namespace exception_vector

struct ExceptionVectorInfo {
  int vector;
  const char* mnemonic;  // the SDM's short name
};

// The vectors vmxbench expects VMX instructions and MSR accesses to raise;
// any other vector is reported by number.
inline constexpr ExceptionVectorInfo kExpectedExceptionVectors[] = {
    {exception_vector::kDivideError, "#DE"},
    {exception_vector::kInvalidOpcode, "#UD"},
    {exception_vector::kStackFault, "#SS"},
    {exception_vector::kGeneralProtection, "#GP"},
    {exception_vector::kPageFault, "#PF"},
};

// "#UD", "#GP", or nullptr for a vector not in the table above.
constexpr const char* exception_mnemonic(int vector) {
  for (const auto& info : kExpectedExceptionVectors)
    if (info.vector == vector) return info.mnemonic;
  return nullptr;
}

static_assert(streq(exception_mnemonic(exception_vector::kInvalidOpcode), "#UD"));
static_assert(exception_mnemonic(kNoFault) == nullptr);

}  // namespace vmxb
