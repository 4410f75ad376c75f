// A VM-execution, VM-exit or VM-entry control setting that VM entry must
// reject with error 7 (27.2.1 "Checks on VMX Controls": reserved bits must be
// set as the capability MSRs say), derived from the control's capability MSR:
// a bit its allowed-0 half says must be 1, cleared, or a bit its allowed-1
// half says must be 0, set (Vol. 3D A.2, A.3-A.5).
#pragma once

#include "core/guest/controls.h"

namespace vmxb::semantics {

struct ControlViolation {
  bool found = false;
  u32 value = 0;  // the control field with the one bit changed
  u32 bit = 0;    // which bit
};

constexpr ControlViolation flip_lowest(u32 candidates, u32 value) {
  if (candidates == 0) return {};
  const u32 bit = static_cast<u32>(__builtin_ctz(candidates));
  return {true, value ^ (u32{1} << bit), bit};
}

// `value` (a legal setting) with its lowest must-be-1 bit cleared.
constexpr ControlViolation clear_must_be_1_bit(u64 msr_value, u32 value) {
  return flip_lowest(core::guest::allowed0(msr_value) & value, value);
}

// `value` (a legal setting) with its lowest must-be-0 bit set.
constexpr ControlViolation set_must_be_0_bit(u64 msr_value, u32 value) {
  return flip_lowest(~core::guest::allowed1(msr_value) & ~value, value);
}

}  // namespace vmxb::semantics
