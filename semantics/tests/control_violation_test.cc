// The control settings the guest cases break (semantics/control_violation.h):
// derived from a capability MSR, each must be a setting the MSR forbids, and
// one bit away from the legal setting it started from.
#include "semantics/control_violation.h"

#include <gtest/gtest.h>

#include "core/guest/controls.h"

namespace vmxb::semantics {
namespace {

using core::guest::adjust_control;
using core::guest::control_allowed;

// IA32_VMX_TRUE_PINBASED_CTLS of Bochs corei7_skylake_x: bits 1, 2 and 4 must
// be 1, bits 0-6 may be 1.
constexpr u64 kTruePinbased = 0x0000'007F'0000'0016;
// A control MSR with no must-be-1 bit and every bit allowed.
constexpr u64 kAnything = 0xFFFF'FFFF'0000'0000;

TEST(ControlViolation, MustBe1BitIsTheLowestAllowed0Bit) {
  const u32 legal = adjust_control(kTruePinbased, 0x9, 0).value;
  ASSERT_TRUE(control_allowed(kTruePinbased, legal));
  const ControlViolation v = clear_must_be_1_bit(kTruePinbased, legal);
  ASSERT_TRUE(v.found);
  EXPECT_EQ(v.bit, 1u);
  EXPECT_EQ(v.value, legal & ~u32{0x2});
  EXPECT_FALSE(control_allowed(kTruePinbased, v.value));
}

TEST(ControlViolation, MustBe0BitIsTheLowestBitAllowed1Forbids) {
  const u32 legal = adjust_control(kTruePinbased, 0x9, 0).value;
  const ControlViolation v = set_must_be_0_bit(kTruePinbased, legal);
  ASSERT_TRUE(v.found);
  EXPECT_EQ(v.bit, 7u);
  EXPECT_EQ(v.value, legal | u32{0x80});
  EXPECT_FALSE(control_allowed(kTruePinbased, v.value));
}

TEST(ControlViolation, NoneWhereTheMsrAllowsEverySetting) {
  EXPECT_FALSE(clear_must_be_1_bit(kAnything, 0x1234).found);
  EXPECT_FALSE(set_must_be_0_bit(kAnything, 0x1234).found);
}

// The top bit of the 32-bit field is found in both halves.
TEST(ControlViolation, Bit31) {
  constexpr u64 kOnlyBit31MustBe1 = 0xFFFF'FFFF'8000'0000;
  EXPECT_EQ(clear_must_be_1_bit(kOnlyBit31MustBe1, 0x8000'0000).bit, 31u);
  constexpr u64 kBit31MustBe0 = 0x7FFF'FFFF'0000'0000;
  const ControlViolation v = set_must_be_0_bit(kBit31MustBe0, 0x0);
  ASSERT_TRUE(v.found);
  EXPECT_EQ(v.bit, 31u);
  EXPECT_EQ(v.value, 0x8000'0000u);
}

}  // namespace
}  // namespace vmxb::semantics
