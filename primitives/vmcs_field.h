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

// The fields vmxbench uses, grouped as Appendix B lists them (B.1 16-bit,
// B.2 64-bit, B.3 32-bit, B.4 natural-width; within each, control, read-only
// data, guest state, host state). The width check comes with the encoding.
namespace vmcs {
// B.1 16-bit fields.
inline constexpr VmcsField<0x0000> kVirtualProcessorId{};
inline constexpr VmcsField<0x0004> kEptpIndex{};
inline constexpr VmcsField<0x0800> kGuestEsSelector{};
inline constexpr VmcsField<0x0802> kGuestCsSelector{};
inline constexpr VmcsField<0x0804> kGuestSsSelector{};
inline constexpr VmcsField<0x0806> kGuestDsSelector{};
inline constexpr VmcsField<0x0808> kGuestFsSelector{};
inline constexpr VmcsField<0x080A> kGuestGsSelector{};
inline constexpr VmcsField<0x080C> kGuestLdtrSelector{};
inline constexpr VmcsField<0x080E> kGuestTrSelector{};
inline constexpr VmcsField<0x0C00> kHostEsSelector{};
inline constexpr VmcsField<0x0C02> kHostCsSelector{};
inline constexpr VmcsField<0x0C04> kHostSsSelector{};
inline constexpr VmcsField<0x0C06> kHostDsSelector{};
inline constexpr VmcsField<0x0C08> kHostFsSelector{};
inline constexpr VmcsField<0x0C0A> kHostGsSelector{};
inline constexpr VmcsField<0x0C0C> kHostTrSelector{};
// B.2 64-bit fields.
inline constexpr VmcsField<0x2004> kMsrBitmapAddress{};
inline constexpr VmcsField<0x2006> kExitMsrStoreAddress{};
inline constexpr VmcsField<0x2008> kExitMsrLoadAddress{};
inline constexpr VmcsField<0x200A> kEntryMsrLoadAddress{};
inline constexpr VmcsField<0x2010> kTscOffset{};
inline constexpr VmcsField<0x2018> kVmFunctionControls{};
inline constexpr VmcsField<0x201A> kEptPointer{};
inline constexpr VmcsField<0x201B> kEptPointerHigh{};
inline constexpr VmcsField<0x2024> kEptpListAddress{};
inline constexpr VmcsField<0x2400> kGuestPhysicalAddress{};
inline constexpr VmcsField<0x2800> kVmcsLinkPointer{};
inline constexpr VmcsField<0x2802> kGuestDebugctl{};
inline constexpr VmcsField<0x2804> kGuestPat{};
inline constexpr VmcsField<0x2806> kGuestEfer{};
inline constexpr VmcsField<0x2C00> kHostPat{};
inline constexpr VmcsField<0x2C02> kHostEfer{};
// B.3 32-bit fields.
inline constexpr VmcsField<0x4000> kPinBasedControls{};
inline constexpr VmcsField<0x4002> kPrimaryProcBasedControls{};
inline constexpr VmcsField<0x4004> kExceptionBitmap{};
inline constexpr VmcsField<0x4006> kPageFaultErrorCodeMask{};
inline constexpr VmcsField<0x4008> kPageFaultErrorCodeMatch{};
inline constexpr VmcsField<0x400A> kCr3TargetCount{};
inline constexpr VmcsField<0x400C> kExitControls{};
inline constexpr VmcsField<0x400E> kExitMsrStoreCount{};
inline constexpr VmcsField<0x4010> kExitMsrLoadCount{};
inline constexpr VmcsField<0x4012> kEntryControls{};
inline constexpr VmcsField<0x4014> kEntryMsrLoadCount{};
inline constexpr VmcsField<0x4016> kEntryInterruptionInfo{};
inline constexpr VmcsField<0x401E> kSecondaryProcBasedControls{};
inline constexpr VmcsField<0x4400> kVmInstructionError{};
inline constexpr VmcsField<0x4402> kExitReason{};
inline constexpr VmcsField<0x4404> kExitInterruptionInfo{};
inline constexpr VmcsField<0x4406> kExitInterruptionErrorCode{};
inline constexpr VmcsField<0x440C> kExitInstructionLength{};
inline constexpr VmcsField<0x4800> kGuestEsLimit{};
inline constexpr VmcsField<0x4802> kGuestCsLimit{};
inline constexpr VmcsField<0x4804> kGuestSsLimit{};
inline constexpr VmcsField<0x4806> kGuestDsLimit{};
inline constexpr VmcsField<0x4808> kGuestFsLimit{};
inline constexpr VmcsField<0x480A> kGuestGsLimit{};
inline constexpr VmcsField<0x480C> kGuestLdtrLimit{};
inline constexpr VmcsField<0x480E> kGuestTrLimit{};
inline constexpr VmcsField<0x4810> kGuestGdtrLimit{};
inline constexpr VmcsField<0x4812> kGuestIdtrLimit{};
inline constexpr VmcsField<0x4814> kGuestEsAccessRights{};
inline constexpr VmcsField<0x4816> kGuestCsAccessRights{};
inline constexpr VmcsField<0x4818> kGuestSsAccessRights{};
inline constexpr VmcsField<0x481A> kGuestDsAccessRights{};
inline constexpr VmcsField<0x481C> kGuestFsAccessRights{};
inline constexpr VmcsField<0x481E> kGuestGsAccessRights{};
inline constexpr VmcsField<0x4820> kGuestLdtrAccessRights{};
inline constexpr VmcsField<0x4822> kGuestTrAccessRights{};
inline constexpr VmcsField<0x4824> kGuestInterruptibility{};
inline constexpr VmcsField<0x4826> kGuestActivityState{};
inline constexpr VmcsField<0x482A> kGuestSysenterCs{};
inline constexpr VmcsField<0x4C00> kHostSysenterCs{};
// B.4 natural-width fields.
inline constexpr VmcsField<0x6000> kCr0GuestHostMask{};
inline constexpr VmcsField<0x6002> kCr4GuestHostMask{};
inline constexpr VmcsField<0x6004> kCr0ReadShadow{};
inline constexpr VmcsField<0x6006> kCr4ReadShadow{};
inline constexpr VmcsField<0x6400> kExitQualification{};
inline constexpr VmcsField<0x640A> kGuestLinearAddress{};
inline constexpr VmcsField<0x6800> kGuestCr0{};
inline constexpr VmcsField<0x6802> kGuestCr3{};
inline constexpr VmcsField<0x6804> kGuestCr4{};
inline constexpr VmcsField<0x6806> kGuestEsBase{};
inline constexpr VmcsField<0x6808> kGuestCsBase{};
inline constexpr VmcsField<0x680A> kGuestSsBase{};
inline constexpr VmcsField<0x680C> kGuestDsBase{};
inline constexpr VmcsField<0x680E> kGuestFsBase{};
inline constexpr VmcsField<0x6810> kGuestGsBase{};
inline constexpr VmcsField<0x6812> kGuestLdtrBase{};
inline constexpr VmcsField<0x6814> kGuestTrBase{};
inline constexpr VmcsField<0x6816> kGuestGdtrBase{};
inline constexpr VmcsField<0x6818> kGuestIdtrBase{};
inline constexpr VmcsField<0x681A> kGuestDr7{};
inline constexpr VmcsField<0x681C> kGuestRsp{};
inline constexpr VmcsField<0x681E> kGuestRip{};
inline constexpr VmcsField<0x6820> kGuestRflags{};
inline constexpr VmcsField<0x6822> kGuestPendingDebugExceptions{};
inline constexpr VmcsField<0x6824> kGuestSysenterEsp{};
inline constexpr VmcsField<0x6826> kGuestSysenterEip{};
inline constexpr VmcsField<0x6C00> kHostCr0{};
inline constexpr VmcsField<0x6C02> kHostCr3{};
inline constexpr VmcsField<0x6C04> kHostCr4{};
inline constexpr VmcsField<0x6C06> kHostFsBase{};
inline constexpr VmcsField<0x6C08> kHostGsBase{};
inline constexpr VmcsField<0x6C0A> kHostTrBase{};
inline constexpr VmcsField<0x6C0C> kHostGdtrBase{};
inline constexpr VmcsField<0x6C0E> kHostIdtrBase{};
inline constexpr VmcsField<0x6C10> kHostSysenterEsp{};
inline constexpr VmcsField<0x6C12> kHostSysenterEip{};
inline constexpr VmcsField<0x6C14> kHostRsp{};
inline constexpr VmcsField<0x6C16> kHostRip{};
}  // namespace vmcs

}  // namespace vmxb
