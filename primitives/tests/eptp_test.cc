// EPTP construction and validation (SDM Vol. 3C, 25.6.11, Table 25-9), with
// capability values written out from the SDM's bit positions.
#include <gtest/gtest.h>

#include "primitives/eptp.h"

namespace vmxb {
namespace {

// IA32_VMX_EPT_VPID_CAP of Bochs corei7_skylake_x (read in ring 0 by the
// image's probe mode: diag/testdata/corei7_skylake_x.json): walk length 4
// (bit 6), UC (8), WB (14), 2M (16), 1G (17), INVEPT (20), A/D (21), single
// (25) and all-context (26) INVEPT, INVVPID ...
constexpr u64 kSkylakeCap = 0xf0106334141ull;
constexpr u64 kWalk4 = 1ull << 6, kWalk5 = 1ull << 7, kUc = 1ull << 8, kWb = 1ull << 14,
              kAd = 1ull << 21;

TEST(EptpTest, SkylakeCapabilityBitsAreWhatTheSdmNames) {
  EXPECT_TRUE(kSkylakeCap & kWalk4);
  EXPECT_FALSE(kSkylakeCap & kWalk5);
  EXPECT_TRUE(kSkylakeCap & kUc);
  EXPECT_TRUE(kSkylakeCap & kWb);
  EXPECT_TRUE(kSkylakeCap & kAd);
}

TEST(EptpTest, BuildsWriteBackWalk4) {
  const auto r = make_eptp({.root_table_pa = 0x5000}, kSkylakeCap, 39);
  ASSERT_TRUE(r.ok()) << eptp_error_id(r.error);
  // 0x5000 | type 6 | (4-1) << 3 = 0x5000 | 0x1e
  EXPECT_EQ(r.eptp.value, 0x501eu);
}

TEST(EptpTest, BuildsUncacheableWithAccessedDirty) {
  const auto r = make_eptp({.root_table_pa = 0x7ff000,
                            .memory_type = EptMemoryType::kUncacheable,
                            .accessed_dirty = true},
                           kSkylakeCap, 39);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.eptp.value, 0x7ff000u | 0x18u | 0x40u);
}

TEST(EptpTest, RefusesWhatTheCapabilityDoesNotAllow) {
  EXPECT_EQ(make_eptp({.root_table_pa = 0x5000, .walk_length = 5}, kSkylakeCap, 39).error,
            EptpError::kWalkLengthUnsupported);
  EXPECT_EQ(make_eptp({.root_table_pa = 0x5000}, kSkylakeCap & ~kWb, 39).error,
            EptpError::kMemoryTypeUnsupported);
  EXPECT_EQ(make_eptp({.root_table_pa = 0x5000, .memory_type = EptMemoryType::kUncacheable},
                      kSkylakeCap & ~kUc, 39)
                .error,
            EptpError::kMemoryTypeUnsupported);
  EXPECT_EQ(make_eptp({.root_table_pa = 0x5000, .accessed_dirty = true}, kSkylakeCap & ~kAd, 39).error,
            EptpError::kAccessedDirtyUnsupported);
  EXPECT_EQ(make_eptp({.root_table_pa = 0x5000, .supervisor_shadow_stack = true}, kSkylakeCap, 39).error,
            EptpError::kShadowStackUnsupported);
  EXPECT_TRUE(make_eptp({.root_table_pa = 0x5000, .walk_length = 5}, kSkylakeCap | kWalk5, 39).ok());
  EXPECT_EQ(make_eptp({.root_table_pa = 0x5000, .walk_length = 3}, kSkylakeCap | kWalk5, 39).error,
            EptpError::kWalkLengthUnsupported);
}

TEST(EptpTest, RefusesMisalignedRootAndAddressesBeyondMaxPhyAddr) {
  EXPECT_EQ(make_eptp({.root_table_pa = 0x5008}, kSkylakeCap, 39).error, EptpError::kRootNotAligned);
  EXPECT_EQ(make_eptp({.root_table_pa = 1ull << 39}, kSkylakeCap, 39).error,
            EptpError::kAddressBeyondMaxPhyAddr);
  EXPECT_TRUE(make_eptp({.root_table_pa = (1ull << 39) - 0x1000}, kSkylakeCap, 39).ok());
  EXPECT_TRUE(make_eptp({.root_table_pa = 1ull << 45}, kSkylakeCap, 46).ok());
  EXPECT_EQ(make_eptp({.root_table_pa = 0x5000}, kSkylakeCap, 30).error, EptpError::kBadMaxPhyAddr);
}

TEST(EptpTest, ValidatesRawValuesLikeInvept) {
  // Memory types 1-5 and 7 are reserved.
  for (u64 type : {1, 2, 3, 4, 5, 7})
    EXPECT_EQ(validate_eptp(0x5018 | type, kSkylakeCap, 39), EptpError::kMemoryTypeReserved) << type;
  EXPECT_EQ(validate_eptp(0x501e, kSkylakeCap, 39), EptpError::kNone);
  EXPECT_EQ(validate_eptp(0x501e | (1u << 9), kSkylakeCap, 39), EptpError::kReservedBitsSet);
  EXPECT_EQ(validate_eptp(0x501e | (1ull << 63), kSkylakeCap, 52), EptpError::kAddressBeyondMaxPhyAddr);
  EXPECT_EQ(validate_eptp(0x5026, kSkylakeCap, 39), EptpError::kWalkLengthUnsupported);  // length 5
  EXPECT_EQ(validate_eptp(0x5006, kSkylakeCap, 39), EptpError::kWalkLengthUnsupported);  // length 1
}

TEST(EptpTest, EveryErrorHasAnIdAndDescription) {
  for (usize i = 0; i < array_size(kEptpErrors); ++i) {
    EXPECT_EQ(static_cast<usize>(kEptpErrors[i].error), i);
    EXPECT_STRNE(kEptpErrors[i].id, "");
    EXPECT_STRNE(kEptpErrors[i].description, "");
  }
}

}  // namespace
}  // namespace vmxb
