// Outcome of a VMX instruction (SDM Vol. 3C, 31.2 "Conventions").
//
// Every VMX instruction except VMFUNC reports through RFLAGS:
//   VMsucceed      CF=0 ZF=0
//   VMfailInvalid  CF=1        (no current VMCS, so no error number is stored)
//   VMfailValid    ZF=1        (error number stored in the current VMCS, field 0x4400)
#pragma once

#include "primitives/types.h"

namespace vmxb {

enum class VmFail : u8 {
  Invalid = 1,
  Valid = 2,
};

class [[nodiscard]] VmResult {
 public:
  static constexpr VmResult succeed() { return VmResult(0); }
  static constexpr VmResult failed(VmFail how) { return VmResult(static_cast<u8>(how)); }

  // The one place RFLAGS are interpreted. CF wins if both are set, which the SDM
  // never produces; VMfailInvalid is the safer reading (nothing valid to look at).
  static constexpr VmResult from_flags(bool cf, bool zf) {
    return cf ? failed(VmFail::Invalid) : zf ? failed(VmFail::Valid) : succeed();
  }
  static constexpr VmResult from_rflags(u64 rflags) {
    return from_flags((rflags & kRflagsCf) != 0, (rflags & kRflagsZf) != 0);
  }

  constexpr bool ok() const { return code_ == 0; }
  constexpr bool failed_invalid() const { return code_ == static_cast<u8>(VmFail::Invalid); }
  constexpr bool failed_valid() const { return code_ == static_cast<u8>(VmFail::Valid); }
  // Only meaningful when !ok().
  constexpr VmFail fail() const { return static_cast<VmFail>(code_); }

  constexpr const char* name() const {
    return ok() ? "VMsucceed" : failed_invalid() ? "VMfailInvalid" : "VMfailValid";
  }

  constexpr bool operator==(const VmResult&) const = default;

  static constexpr u64 kRflagsCf = u64{1} << 0;
  static constexpr u64 kRflagsZf = u64{1} << 6;

 private:
  explicit constexpr VmResult(u8 code) : code_(code) {}
  u8 code_;
};

// A value produced by a VMX instruction (VMREAD, VMPTRST) together with its status.
// `value` is only meaningful when `status.ok()`.
template <typename T>
struct [[nodiscard]] VmValue {
  T value;
  VmResult status;
};

}  // namespace vmxb
