// Typed VMCS field encodings: width from the encoding (SDM Vol. 3C, 25.11.2),
// and a value of the wrong width is rejected at compile time.
#include <gtest/gtest.h>

#include "primitives/instructions.h"

namespace vmxb {
namespace {

template <typename Field, typename T>
concept Writable = requires(Field f, T v) { vmwrite(f, v); };

template <typename Field>
concept Readable = requires(Field f) { vmread(f); };

// The compile-time checks are the test: each line is a claim the compiler
// verifies while building this file.
static_assert(Writable<decltype(vmcs::kGuestRip), u64>);
static_assert(!Writable<decltype(vmcs::kGuestRip), u16>, "natural-width field, 16-bit value");
static_assert(!Writable<decltype(vmcs::kGuestRip), u32>, "natural-width field, 32-bit value");
static_assert(Writable<decltype(vmcs::kVirtualProcessorId), u16>);
static_assert(!Writable<decltype(vmcs::kVirtualProcessorId), u64>, "16-bit field, 64-bit value");
static_assert(!Writable<decltype(vmcs::kVirtualProcessorId), int>, "no implicit conversions");
static_assert(Writable<decltype(vmcs::kEptPointer), u64>);
static_assert(!Writable<decltype(vmcs::kEptPointer), u32>, "64-bit field, 32-bit value");
static_assert(Writable<decltype(vmcs::kEptPointerHigh), u32>, "high access of a 64-bit field is 32 bits");
static_assert(Writable<decltype(vmcs::kPinBasedControls), u32>);
static_assert(!Writable<decltype(vmcs::kPinBasedControls), u64>, "32-bit field, 64-bit value");
static_assert(!Writable<u32, u32>, "a raw encoding is not a field");
static_assert(!Readable<u32>);
static_assert(kSameType<decltype(vmread(vmcs::kVmInstructionError).value), u32>);
static_assert(kSameType<decltype(vmread(vmcs::kVirtualProcessorId).value), u16>);
static_assert(kSameType<decltype(vmread(vmcs::kGuestPhysicalAddress).value), u64>);

// Malformed encodings do not name a field (reserved bit 12 / bits 31:15 set,
// high access on a non-64-bit field).
static_assert(!vmcs_encoding_well_formed(0x1000));
static_assert(!vmcs_encoding_well_formed(0x8000));
static_assert(!vmcs_encoding_well_formed(0x4401));
static_assert(vmcs_encoding_well_formed(0x2001));

TEST(VmcsFieldTest, WidthKindAndAccessDecodeFromTheEncoding) {
  EXPECT_EQ(vmcs_width(0x0000), VmcsWidth::k16);
  EXPECT_EQ(vmcs_width(0x201A), VmcsWidth::k64);
  EXPECT_EQ(vmcs_width(0x4400), VmcsWidth::k32);
  EXPECT_EQ(vmcs_width(0x681E), VmcsWidth::kNatural);
  EXPECT_EQ(vmcs_kind(0x4400), VmcsFieldKind::kExitInformation);
  EXPECT_EQ(vmcs_kind(0x681E), VmcsFieldKind::kGuestState);
  EXPECT_EQ(vmcs_kind(0x6C16), VmcsFieldKind::kHostState);
  EXPECT_EQ(vmcs_kind(0x4002), VmcsFieldKind::kControl);
  EXPECT_TRUE(vmcs_high_access(0x201B));
  EXPECT_FALSE(vmcs_high_access(0x201A));
  EXPECT_EQ(decltype(vmcs::kVmInstructionError)::kEncoding, 0x4400u);
  // Appendix B.2.1: 0x2018 is the VM-function controls, 0x2024 the EPTP-list address.
  EXPECT_EQ(decltype(vmcs::kVmFunctionControls)::kEncoding, 0x2018u);
  EXPECT_EQ(decltype(vmcs::kEptpListAddress)::kEncoding, 0x2024u);
}

}  // namespace
}  // namespace vmxb
