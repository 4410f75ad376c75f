// INVEPT/INVVPID descriptor layouts (SDM Vol. 3C, Figures 31-1 and 31-2).
#include <gtest/gtest.h>

#include <cstring>

#include "primitives/descriptors.h"
#include "primitives/inv_types.h"

namespace vmxb {
namespace {

// Reads the descriptor back as the processor does: two little-endian quadwords.
void as_quadwords(const void* descriptor, u64 (&q)[2]) { std::memcpy(q, descriptor, 16); }

TEST(DescriptorsTest, InveptHoldsEptpThenZeros) {
  const InveptDescriptor d = make_invept_descriptor(0x123456789a05eull);
  u64 q[2];
  as_quadwords(&d, q);
  EXPECT_EQ(q[0], 0x123456789a05eull);
  EXPECT_EQ(q[1], 0u);
  EXPECT_EQ(alignof(InveptDescriptor), 16u);
}

TEST(DescriptorsTest, InvvpidHoldsVpidZerosAndAddress) {
  const InvvpidDescriptor d = make_invvpid_descriptor(0xBEEF, 0xffff800000001000ull);
  u64 q[2];
  as_quadwords(&d, q);
  EXPECT_EQ(q[0] & 0xFFFF, 0xBEEFu);
  EXPECT_EQ(q[0] >> 16, 0u) << "bits 63:16 are reserved and must be zero";
  EXPECT_EQ(q[1], 0xffff800000001000ull);
  EXPECT_EQ(alignof(InvvpidDescriptor), 16u);
}

TEST(DescriptorsTest, TypeValuesAreArchitectural) {
  EXPECT_EQ(static_cast<u64>(InveptType::kSingleContext), 1u);
  EXPECT_EQ(static_cast<u64>(InveptType::kGlobal), 2u);
  EXPECT_EQ(static_cast<u64>(InvvpidType::kIndividualAddress), 0u);
  EXPECT_EQ(static_cast<u64>(InvvpidType::kSingleContext), 1u);
  EXPECT_EQ(static_cast<u64>(InvvpidType::kAllContext), 2u);
  EXPECT_EQ(static_cast<u64>(InvvpidType::kSingleContextRetainingGlobals), 3u);
  EXPECT_EQ(array_size(kInvvpidTypes), 4u);
  for (usize i = 0; i < array_size(kInvvpidTypes); ++i)
    EXPECT_EQ(static_cast<usize>(kInvvpidTypes[i].type), i) << kInvvpidTypes[i].name;
}

}  // namespace
}  // namespace vmxb
