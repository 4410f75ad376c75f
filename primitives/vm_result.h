// Outcome of a VMX instruction (SDM Vol. 3C, 31.2 "Conventions").
//
// Every VMX instruction except VMFUNC reports through RFLAGS:
//   VMsucceed      CF=0 ZF=0
//   VMfailInvalid  CF=1        (no current VMCS, so no error number is stored)
//   VMfailValid    ZF=1        (error number stored in the current VMCS, field 0x4400)
// and, in ring-0 builds, a fourth outcome that is not the SDM's: the instruction
// raised an exception (#UD, #GP) and its exception-table fixup resumed the
// wrapper (capture.h).
#pragma once

#include "primitives/types.h"

namespace vmxb {

enum class VmFail : u8 {
  kInvalid = 1,
  kValid = 2,
  kFault = 3,  // the instruction raised an exception; nothing was executed
};

class [[nodiscard]] VmResult {
 public:
  static constexpr VmResult succeed() { return VmResult(0); }
  static constexpr VmResult failed(VmFail how) { return VmResult(static_cast<u8>(how)); }
  static constexpr VmResult fault() { return failed(VmFail::kFault); }

  // The one place RFLAGS are interpreted. CF=1 with ZF=1 is never produced by
  // a VMX instruction (31.2): it is the fault path's marker (capture.h).
  static constexpr VmResult from_flags(bool cf, bool zf) {
    return cf ? (zf ? fault() : failed(VmFail::kInvalid)) : zf ? failed(VmFail::kValid) : succeed();
  }
  static constexpr VmResult from_rflags(u64 rflags) {
    return from_flags((rflags & kRflagsCf) != 0, (rflags & kRflagsZf) != 0);
  }

  constexpr bool ok() const { return code_ == 0; }
  constexpr bool failed_invalid() const { return code_ == static_cast<u8>(VmFail::kInvalid); }
  constexpr bool failed_valid() const { return code_ == static_cast<u8>(VmFail::kValid); }
  constexpr bool faulted() const { return code_ == static_cast<u8>(VmFail::kFault); }
  // Only meaningful when !ok().
  constexpr VmFail fail() const { return static_cast<VmFail>(code_); }

  constexpr const char* name() const {
    return ok() ? "VMsucceed" : failed_invalid() ? "VMfailInvalid" : failed_valid() ? "VMfailValid" : "fault";
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
