// The handle types for named bits: one constexpr value per bit or field says
// which MSR it belongs to, its position and its name. The tables diag decodes
// with list these handles, and the gating logic tests the same handles, so a
// bit number is written once (in the handle's definition).
#pragma once

#include "primitives/types.h"

namespace vmxb {

// A read-only view of a constexpr table.
template <typename T>
struct Span {
  const T* data = nullptr;
  usize size = 0;
  constexpr const T* begin() const { return data; }
  constexpr const T* end() const { return data + size; }
  constexpr bool empty() const { return size == 0; }
};

template <typename T, usize N>
constexpr Span<T> table(const T (&entries)[N]) {
  return {entries, N};
}

// Allowed-1 settings are the high half of a control MSR (SDM Vol. 3C A.3).
inline constexpr unsigned kAllowed1Shift = 32;

enum class BitKind : u8 {
  kValue,    // a bit of the MSR value itself
  kControl,  // a VM-execution/exit/entry control: allowed-0 in bit N, allowed-1 in bit 32 + N (A.3)
};

// One named bit of a VMX capability MSR (or IA32_FEATURE_CONTROL).
struct CapBit {
  u32 msr;           // the MSR index (for controls: the legacy MSR; the TRUE MSR has the same layout)
  u8 bit;            // the bit number (for controls: the control number, 0..31)
  const char* name;  // the SDM's name, vmxcap style
  BitKind kind = BitKind::kValue;

  // The bit of the 64-bit MSR value that advertises the capability: the bit
  // itself, or a control's allowed-1 bit.
  constexpr unsigned msr_bit() const { return kind == BitKind::kControl ? bit + kAllowed1Shift : bit; }
  constexpr u64 mask() const { return u64{1} << msr_bit(); }
  constexpr bool in(u64 msr_value) const { return (msr_value & mask()) != 0; }
  // A control must be 1 when its allowed-0 bit is set (A.3).
  constexpr bool forced_in(u64 msr_value) const { return kind == BitKind::kControl && ((msr_value >> bit) & 1); }
  // The mask, so that `value & handle` reads as the bit test it is.
  constexpr operator u64() const { return mask(); }
  // The same bit of the same MSR (names are not compared: the same literal
  // may have different addresses in different translation units).
  constexpr bool operator==(const CapBit& o) const { return msr == o.msr && bit == o.bit && kind == o.kind; }
};

constexpr CapBit control_bit(u32 msr, u8 bit, const char* name) { return {msr, bit, name, BitKind::kControl}; }

// A control may be 1 when its allowed-1 bit is set (A.3).
constexpr bool control_allowed1(u64 msr_value, const CapBit& control) { return control.in(msr_value); }

// A multi-bit field, bits hi..lo.
struct FieldName {
  u8 hi;
  u8 lo;
  const char* name;
  constexpr u64 mask() const { return bit_range(hi, lo); }
  constexpr u64 value(u64 msr_value) const { return (msr_value & mask()) >> lo; }
  constexpr bool operator==(const FieldName& o) const { return hi == o.hi && lo == o.lo; }
};

// Why the SDM gives a bit no name.
enum class ReservedKind : u8 {
  kReserved,    // reserved: the SDM assigns no function
  kDefault1,    // a reserved control of the default1 class (A.2): 1 in the legacy MSR
  kAlwaysZero,  // reserved and stated to be always 0 (IA32_VMX_BASIC[31], A.1)
};

constexpr const char* reserved_kind_name(ReservedKind k) {
  switch (k) {
    case ReservedKind::kReserved: return "reserved";
    case ReservedKind::kDefault1: return "reserved, default1 class (A.2)";
    case ReservedKind::kAlwaysZero: return "reserved, always 0";
  }
  return "?";
}

// Bits hi..lo that the SDM reserves, and why.
struct ReservedBits {
  u8 hi;
  u8 lo;
  ReservedKind kind = ReservedKind::kReserved;
  constexpr u64 mask() const { return bit_range(hi, lo); }
  constexpr bool in(u64 value) const { return (value & mask()) != 0; }
};

// A named bit of a control register (CR0, CR4), for the fixed-bit MSRs.
struct CrBit {
  u8 bit;
  const char* name;
  constexpr u64 mask() const { return u64{1} << bit; }
  constexpr operator u64() const { return mask(); }
};

}  // namespace vmxb
