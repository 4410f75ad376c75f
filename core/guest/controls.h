// VM-execution, VM-exit and VM-entry control values built from the capability
// MSRs (A.2 "Reserved Controls and Default Settings", A.3-A.5): each control
// field is "required | wanted", checked against the allowed-0 settings (bits
// 31:0 of the MSR: a 1 there must be 1) and the allowed-1 settings (bits 63:32:
// a 0 there must be 0). The TRUE MSRs (0x48D-0x490) are used when
// IA32_VMX_BASIC bit 55 says they exist, so default1 controls vmxbench does
// not need (CR3-load exiting, ...) can be 0.
#pragma once

#include "core/capabilities.h"
#include "primitives/vmx_controls.h"

namespace vmxb::core::guest {

struct ControlValue {
  u32 value = 0;             // allowed-0 | required | (wanted & allowed-1)
  u32 missing_required = 0;  // required bits whose allowed-1 setting is 0
  constexpr bool ok() const { return missing_required == 0; }
};

constexpr u32 allowed0(u64 msr_value) { return static_cast<u32>(msr_value); }
constexpr u32 allowed1(u64 msr_value) { return static_cast<u32>(msr_value >> 32); }

constexpr ControlValue adjust_control(u64 msr_value, u32 required, u32 wanted) {
  const u32 may = allowed1(msr_value);
  return {allowed0(msr_value) | ((required | wanted) & may), required & ~may};
}

// Whether `value` is a legal setting of the control field described by `msr_value`.
constexpr bool control_allowed(u64 msr_value, u32 value) {
  return (value & allowed0(msr_value)) == allowed0(msr_value) && (value & ~allowed1(msr_value)) == 0;
}

enum class ControlField : u8 { kPinBased, kPrimaryProcBased, kSecondaryProcBased, kExit, kEntry };

// The MSR that bounds a control field on this CPU: the TRUE MSR where it exists.
constexpr u64 control_msr(const VmxCapabilities& c, ControlField f) {
  const bool true_msrs = c.has(basic::kTrueControls);
  switch (f) {
    case ControlField::kPinBased: return true_msrs ? c.true_pinbased : c.pinbased;
    case ControlField::kPrimaryProcBased: return true_msrs ? c.true_procbased : c.procbased;
    case ControlField::kSecondaryProcBased: return c.procbased2;
    case ControlField::kExit: return true_msrs ? c.true_exit : c.exit;
    case ControlField::kEntry: return true_msrs ? c.true_entry : c.entry;
  }
  return 0;
}

// A control handle's bit in its 32-bit VMCS field (the handle's mask() is its
// allowed-1 bit in the MSR).
constexpr u32 ctl(const CapBit& b) { return u32{1} << b.bit; }
static_assert(ctl(primary::kHltExiting) == 0x80 && ctl(secondary::kEnableEpt) == 0x2);

static_assert(adjust_control(0xFFFF'FFFF'0000'0016, 0, 0).value == 0x16, "allowed-0 bits are forced to 1");
static_assert(adjust_control(0x0000'00FF'0000'0000, 0x100, 0x3).value == 0x3 &&
              adjust_control(0x0000'00FF'0000'0000, 0x100, 0x3).missing_required == 0x100,
              "a required bit the CPU cannot set is reported, a wanted one is dropped");
static_assert(control_allowed(0x0000'00FF'0000'0001, 0x81) && !control_allowed(0x0000'00FF'0000'0001, 0x80) &&
              !control_allowed(0x0000'00FF'0000'0001, 0x101));

}  // namespace vmxb::core::guest
