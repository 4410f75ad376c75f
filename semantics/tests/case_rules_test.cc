// The rules the suite derives a case from: the non-canonical INVVPID address
// from the CPU's linear-address width, and whether VMCALL in VMX root has the
// outcome the suite checks.
#include <gtest/gtest.h>

#include <string>

#include "semantics/dual_monitor.h"
#include "semantics/linear_address.h"

namespace vmxb::semantics {
namespace {

// CPUID.80000008H:EAX of a 48-bit-linear, 46-bit-physical CPU and of a
// 57-bit-linear (5-level paging), 52-bit-physical one.
constexpr u32 kEax48 = 0x0000302E;
constexpr u32 kEax57 = 0x00003934;

TEST(LinearAddress, WidthIsEaxBits15To8) {
  EXPECT_EQ(linear_address_width(kEax48), 48);
  EXPECT_EQ(linear_address_width(kEax57), 57);
}

TEST(LinearAddress, LowestNonCanonicalAddressFollowsTheWidth) {
  for (const u8 width : {u8{48}, u8{57}}) {
    const u64 a = lowest_noncanonical_address(width);
    EXPECT_FALSE(is_canonical(a, width)) << int{width};
    EXPECT_TRUE(is_canonical(a - 1, width)) << "highest canonical lower half, width " << int{width};
    EXPECT_TRUE(is_canonical(~u64{0} << (width - 1), width)) << "lowest canonical upper half, width " << int{width};
  }
  EXPECT_EQ(lowest_noncanonical_address(linear_address_width(kEax57)), u64{1} << 56);
}

// The address the suite used before the width was read: non-canonical only
// with 48-bit addresses, so INVVPID on a 5-level CPU rightly accepts it.
TEST(LinearAddress, Bit47AloneIsCanonicalWithFiveLevelPaging) {
  constexpr u64 kBit47 = 0x0000'8000'0000'0000;
  EXPECT_FALSE(is_canonical(kBit47, 48));
  EXPECT_TRUE(is_canonical(kBit47, 57));
  EXPECT_NE(lowest_noncanonical_address(57), kBit47);
}

Environment with_basic(u64 basic) {
  Environment env;
  env.caps.basic = basic;
  return env;
}

TEST(DualMonitor, WithoutDualMonitorSupportVmcallIsChecked) {
  Environment env = with_basic(0);
  env.smm_monitor_ctl_readable = true;
  env.smm_monitor_ctl = kSmmMonitorValid;  // irrelevant without IA32_VMX_BASIC[49]
  EXPECT_EQ(vmcall_in_root_unchecked_reason(env), nullptr);
}

TEST(DualMonitor, SupportWithAClearValidBitIsChecked) {
  Environment env = with_basic(basic::kDualMonitor);
  env.smm_monitor_ctl_readable = true;
  env.smm_monitor_ctl = 0;
  EXPECT_EQ(vmcall_in_root_unchecked_reason(env), nullptr);
}

TEST(DualMonitor, SupportWithTheValidBitSetSkips) {
  Environment env = with_basic(basic::kDualMonitor);
  env.smm_monitor_ctl_readable = true;
  env.smm_monitor_ctl = kSmmMonitorValid;
  ASSERT_NE(vmcall_in_root_unchecked_reason(env), nullptr);
  EXPECT_NE(std::string(vmcall_in_root_unchecked_reason(env)).find("valid bit"), std::string::npos);
}

TEST(DualMonitor, SupportWithAnUnreadableMsrSkips) {
  Environment env = with_basic(basic::kDualMonitor);
  env.smm_monitor_ctl_readable = false;
  ASSERT_NE(vmcall_in_root_unchecked_reason(env), nullptr);
  EXPECT_EQ(std::string(vmcall_in_root_unchecked_reason(env)),
            "IA32_VMX_BASIC[49] = 1 and IA32_SMM_MONITOR_CTL is unreadable: an SMM-transfer monitor may be active");
}

TEST(DualMonitor, BasicBit49IsTheDualMonitorBit) { EXPECT_EQ(basic::kDualMonitor.mask(), u64{1} << 49); }
TEST(DualMonitor, ValidBitIsBit0) { EXPECT_EQ(kSmmMonitorValid, u64{1} << 0); }

}  // namespace
}  // namespace vmxb::semantics
