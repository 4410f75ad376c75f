// The capability tables against the SDM's bit positions (Vol. 3C, Appendix A),
// checked with MSR values Bochs corei7_skylake_x reports in ring 0.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "primitives/vmx_capabilities.h"

namespace vmxb {
namespace {

const VmxMsrInfo& info(u32 index) {
  const VmxMsrInfo* i = find_vmx_msr(index);
  EXPECT_NE(i, nullptr) << std::hex << index;
  return *i;
}

bool has_bit(const BitTable& t, u8 b, const std::string& name) {
  for (const auto& e : t)
    if (e.bit == b) return name == e.name;
  return false;
}

TEST(CapabilitiesTest, MsrIndicesAreTheSdms) {
  EXPECT_EQ(std::string(info(0x3A).name), "IA32_FEATURE_CONTROL");
  EXPECT_EQ(std::string(info(0x480).name), "IA32_VMX_BASIC");
  EXPECT_EQ(std::string(info(0x48B).name), "IA32_VMX_PROCBASED_CTLS2");
  EXPECT_EQ(std::string(info(0x48C).name), "IA32_VMX_EPT_VPID_CAP");
  EXPECT_EQ(std::string(info(0x491).name), "IA32_VMX_VMFUNC");
  EXPECT_EQ(std::string(info(0x492).name), "IA32_VMX_PROCBASED_CTLS3");
  EXPECT_EQ(std::string(info(0x493).name), "IA32_VMX_EXIT_CTLS2");
  EXPECT_EQ(find_vmx_msr(0x494), nullptr);
  EXPECT_EQ(info(0x482).true_counterpart, 0x48Eu);
  EXPECT_EQ(info(0x491).layout, MsrLayout::kBitmap);
  EXPECT_EQ(info(0x492).layout, MsrLayout::kAllowed1Only);
}

TEST(CapabilitiesTest, EptVpidBitsAreNamedAtTheSdmPositions) {
  const BitTable t = info(0x48C).bits;
  EXPECT_TRUE(has_bit(t, 6, "Page-walk length 4"));
  EXPECT_TRUE(has_bit(t, 20, "INVEPT supported"));
  EXPECT_TRUE(has_bit(t, 25, "Single-context INVEPT"));
  EXPECT_TRUE(has_bit(t, 26, "All-context INVEPT"));
  EXPECT_TRUE(has_bit(t, 40, "Individual-address INVVPID"));
  EXPECT_TRUE(has_bit(t, 43, "Single-context-retaining-globals INVVPID"));
  EXPECT_EQ(ept_vpid_cap::kInveptSingleContext, 1ull << 25);
  EXPECT_EQ(ept_vpid_cap::kInvvpidAllContext, 1ull << 42);
}

TEST(CapabilitiesTest, BitTablesAreSortedAndUnique) {
  for (const auto& m : kVmxMsrs) {
    int last = -1;
    for (const auto& b : m.bits) {
      EXPECT_GT(b.bit, last) << m.name;
      EXPECT_LT(b.bit, 64) << m.name;
      last = b.bit;
    }
  }
}

TEST(CapabilitiesTest, SkylakeValuesDecodeAsTheSdmSays) {
  constexpr u64 kProcbasedCtls2 = 0x2177fff00000000ull;
  constexpr u64 kEptVpidCap = 0xf0106334141ull;
  constexpr u64 kFeatureControl = 0x5;
  EXPECT_TRUE(control_allowed1(kProcbasedCtls2, secondary::kEnableEpt));
  EXPECT_TRUE(control_allowed1(kProcbasedCtls2, secondary::kEnableVpid));
  EXPECT_TRUE(control_allowed1(kProcbasedCtls2, secondary::kUnrestrictedGuest));
  EXPECT_TRUE(kEptVpidCap & ept_vpid_cap::kInveptSingleContext);
  EXPECT_TRUE(kEptVpidCap & ept_vpid_cap::kInveptAllContext);
  for (u64 b : {ept_vpid_cap::kInvvpidIndividualAddress, ept_vpid_cap::kInvvpidSingleContext,
                ept_vpid_cap::kInvvpidAllContext, ept_vpid_cap::kInvvpidSingleContextRetainingGlobals})
    EXPECT_TRUE(kEptVpidCap & b);
  EXPECT_TRUE(kFeatureControl & feature_control::kLock);
  EXPECT_TRUE(kFeatureControl & feature_control::kVmxOutsideSmx);
  EXPECT_FALSE(kFeatureControl & feature_control::kVmxInsideSmx);
  constexpr u64 kBasic = 0xd810000000002bull;
  EXPECT_EQ(kBasic & basic::kRevisionIdMask, 0x2bu);
  EXPECT_EQ(basic::vmcs_size(kBasic), 0x1000u);
  EXPECT_EQ(basic::memory_type(kBasic), 6u);
  EXPECT_TRUE(kBasic & basic::kTrueControls);
}

TEST(CapabilitiesTest, Default1ClassesAreTheSdms) {
  // A.2: pin-based 1, 2, 4; proc-based 1, 4-6, 8, 13-16, 26; exit 0-8, 10, 11,
  // 13, 14, 16, 17; entry 0-8, 12.
  auto mask = [](std::initializer_list<int> bits) {
    u32 m = 0;
    for (int b : bits) m |= 1u << b;
    return m;
  };
  EXPECT_EQ(kPinBasedDefault1, mask({1, 2, 4}));
  EXPECT_EQ(kProcBasedDefault1, mask({1, 4, 5, 6, 8, 13, 14, 15, 16, 26}));
  EXPECT_EQ(kExitDefault1, mask({0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 16, 17}));
  EXPECT_EQ(kEntryDefault1, mask({0, 1, 2, 3, 4, 5, 6, 7, 8, 12}));
}

}  // namespace
}  // namespace vmxb
