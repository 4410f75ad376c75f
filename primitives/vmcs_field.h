// Typed VMCS field encodings (SDM Vol. 3C, 25.11.2 "VMREAD, VMWRITE, and
// Encodings of VMCS Fields", and Appendix B "Field Encoding in VMCS").
//
// Encoding bits: 0 access type (1 = high 32 bits of a 64-bit field),
// 9:1 index, 11:10 type, 12 reserved (0), 14:13 width, 31:15 reserved (0).
// Each field is its own type whose value_type follows from the width bits, so
// vmread/vmwrite with a value of the wrong width do not compile (the same
// check Linux KVM's vmcs_check16/32/64/l makes with BUILD_BUG_ON).
#pragma once

#include "primitives/types.h"

namespace vmxb {

enum class VmcsWidth : u8 { k16 = 0, k64 = 1, k32 = 2, kNatural = 3 };
enum class VmcsFieldKind : u8 { kControl = 0, kExitInformation = 1, kGuestState = 2, kHostState = 3 };

constexpr VmcsWidth vmcs_width(u32 encoding) { return static_cast<VmcsWidth>((encoding >> 13) & 3); }
constexpr VmcsFieldKind vmcs_kind(u32 encoding) { return static_cast<VmcsFieldKind>((encoding >> 10) & 3); }
constexpr bool vmcs_high_access(u32 encoding) { return (encoding & 1) != 0; }

// Bits the SDM reserves in an encoding; a field we name must leave them clear,
// and only 64-bit fields have a high-access form.
constexpr bool vmcs_encoding_well_formed(u32 encoding) {
  return (encoding & 0xFFFF9000u) == 0 &&
         (!vmcs_high_access(encoding) || vmcs_width(encoding) == VmcsWidth::k64);
}

namespace detail {
template <VmcsWidth W, bool High>
struct VmcsValueType;
template <> struct VmcsValueType<VmcsWidth::k16, false> { using type = u16; };
template <> struct VmcsValueType<VmcsWidth::k32, false> { using type = u32; };
template <> struct VmcsValueType<VmcsWidth::k64, false> { using type = u64; };
template <> struct VmcsValueType<VmcsWidth::k64, true> { using type = u32; };
// vmxbench targets x86-64 only: natural width is 64 bits.
template <> struct VmcsValueType<VmcsWidth::kNatural, false> { using type = u64; };
}  // namespace detail

template <u32 Encoding>
struct VmcsField {
  static_assert(vmcs_encoding_well_formed(Encoding), "malformed VMCS field encoding");
  static constexpr u32 kEncoding = Encoding;
  static constexpr VmcsWidth kWidth = vmcs_width(Encoding);
  using value_type = typename detail::VmcsValueType<kWidth, vmcs_high_access(Encoding)>::type;
};

template <typename T>
inline constexpr bool kIsVmcsField = false;
template <u32 Encoding>
inline constexpr bool kIsVmcsField<VmcsField<Encoding>> = true;

template <typename F>
concept VmcsFieldType = kIsVmcsField<F>;

// A small set of fields: the ones the harness and tests use. Add more as needed;
// the width check comes with the encoding.
namespace vmcs {
inline constexpr VmcsField<0x0000> kVirtualProcessorId{};
inline constexpr VmcsField<0x0004> kEptpIndex{};
inline constexpr VmcsField<0x0800> kGuestEsSelector{};
inline constexpr VmcsField<0x0C00> kHostEsSelector{};
inline constexpr VmcsField<0x2018> kVmFunctionControls{};
inline constexpr VmcsField<0x201A> kEptPointer{};
inline constexpr VmcsField<0x201B> kEptPointerHigh{};
inline constexpr VmcsField<0x2024> kEptpListAddress{};
inline constexpr VmcsField<0x2400> kGuestPhysicalAddress{};
inline constexpr VmcsField<0x2800> kVmcsLinkPointer{};
inline constexpr VmcsField<0x4000> kPinBasedControls{};
inline constexpr VmcsField<0x4002> kPrimaryProcBasedControls{};
inline constexpr VmcsField<0x400C> kExitControls{};
inline constexpr VmcsField<0x4012> kEntryControls{};
inline constexpr VmcsField<0x401E> kSecondaryProcBasedControls{};
inline constexpr VmcsField<0x4400> kVmInstructionError{};
inline constexpr VmcsField<0x4402> kExitReason{};
inline constexpr VmcsField<0x6400> kExitQualification{};
inline constexpr VmcsField<0x6800> kGuestCr0{};
inline constexpr VmcsField<0x681C> kGuestRsp{};
inline constexpr VmcsField<0x681E> kGuestRip{};
inline constexpr VmcsField<0x6C02> kHostCr3{};
inline constexpr VmcsField<0x6C16> kHostRip{};
}  // namespace vmcs

}  // namespace vmxb
