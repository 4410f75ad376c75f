// The gate every operation passes (core/capabilities.h): driven by the
// INVEPT/INVVPID type table, with messages derived from the handles. The
// expected strings are the ones the gate printed before the messages were
// derived, written out here independently.
#include "core/capabilities.h"

#include <gtest/gtest.h>

#include <string>

#include "core/tests/skylake_capabilities.h"

namespace vmxb::core {
namespace {

VmxCapabilities skylake() { return testing::skylake_capabilities(); }

std::string why(u32 needs, const VmxCapabilities& c) {
  const char* r = missing_requirement(needs, c);
  return r == nullptr ? "" : r;
}

TEST(CoreCapabilities, SkylakeSupportsEveryType) {
  const VmxCapabilities c = skylake();
  for (u32 need : {kNeedsInveptSingle, kNeedsInveptGlobal, kNeedsInvvpidIndividual, kNeedsInvvpidSingle,
                   kNeedsInvvpidAll, kNeedsInvvpidSingleRetaining})
    EXPECT_EQ(why(need, c), "") << need;
  EXPECT_TRUE(c.has(secondary::kEnableEpt));
  EXPECT_TRUE(c.has(ept_vpid_cap::kInveptSingleContext));
  EXPECT_TRUE(c.has(primary::kActivateSecondaryControls));
  EXPECT_FALSE(c.has(primary::kActivateTertiaryControls));
}

TEST(CoreCapabilities, EachTypeIsGatedOnItsOwnBit) {
  struct Case {
    u32 need;
    u64 bit;
    const char* reason;
  };
  const Case cases[] = {
      {kNeedsInveptSingle, 1ull << 25,
       "single-context INVEPT not supported (IA32_VMX_PROCBASED_CTLS2 EPT, IA32_VMX_EPT_VPID_CAP bits 20/25)"},
      {kNeedsInveptGlobal, 1ull << 26,
       "all-context INVEPT not supported (IA32_VMX_PROCBASED_CTLS2 EPT, IA32_VMX_EPT_VPID_CAP bits 20/26)"},
      {kNeedsInvvpidIndividual, 1ull << 40,
       "individual-address INVVPID not supported (IA32_VMX_PROCBASED_CTLS2 VPID, IA32_VMX_EPT_VPID_CAP bits 32/40)"},
      {kNeedsInvvpidSingle, 1ull << 41,
       "single-context INVVPID not supported (IA32_VMX_PROCBASED_CTLS2 VPID, IA32_VMX_EPT_VPID_CAP bits 32/41)"},
      {kNeedsInvvpidAll, 1ull << 42,
       "all-context INVVPID not supported (IA32_VMX_PROCBASED_CTLS2 VPID, IA32_VMX_EPT_VPID_CAP bits 32/42)"},
      // Until the messages were derived this one lacked "IA32_VMX_PROCBASED_CTLS2 VPID, ".
      {kNeedsInvvpidSingleRetaining, 1ull << 43,
       "single-context-retaining-globals INVVPID not supported (IA32_VMX_PROCBASED_CTLS2 VPID, "
       "IA32_VMX_EPT_VPID_CAP bits 32/43)"},
  };
  for (const auto& k : cases) {
    VmxCapabilities c = skylake();
    c.ept_vpid_cap &= ~k.bit;
    EXPECT_EQ(why(k.need, c), k.reason);
    for (const auto& other : cases)
      if (other.need != k.need) EXPECT_EQ(why(other.need, c), "") << k.reason << " affects " << other.reason;
  }
}

TEST(CoreCapabilities, InstructionBitAndControlGateEveryType) {
  VmxCapabilities no_invept = skylake();
  no_invept.ept_vpid_cap &= ~(1ull << 20);
  EXPECT_NE(why(kNeedsInveptSingle, no_invept), "");
  EXPECT_EQ(why(kNeedsInvvpidSingle, no_invept), "");
  VmxCapabilities no_vpid = skylake();
  no_vpid.procbased2 &= ~(1ull << 37);
  EXPECT_NE(why(kNeedsInvvpidAll, no_vpid), "");
  EXPECT_NE(why(kNeedsInvvpidSingleRetaining, no_vpid), "");
  EXPECT_EQ(why(kNeedsInveptGlobal, no_vpid), "");
  EXPECT_FALSE(vpid_allowed(no_vpid));
  EXPECT_TRUE(ept_allowed(no_vpid));
}

TEST(CoreCapabilities, UnusableReasons) {
  CpuFacts cpu;
  VmxCapabilities c = skylake();
  EXPECT_STREQ(vmx_unusable_reason(cpu, c), "CPUID.1:ECX.VMX[bit 5] = 0: this CPU (or its hypervisor) offers no VMX");
  cpu.vmx = true;
  EXPECT_EQ(vmx_unusable_reason(cpu, c), nullptr);
  c.basic |= 1ull << 31;
  EXPECT_STREQ(vmx_unusable_reason(cpu, c), "IA32_VMX_BASIC bit 31 is set (the SDM says it is always 0)");
  c = skylake();
  c.feature_control = 0x1;  // locked, VMX outside SMX off
  EXPECT_NE(std::string(vmx_unusable_reason(cpu, c)).find("outside SMX disabled"), std::string::npos);
  cpu.inside_smx = true;
  c.feature_control = 0x5;  // locked, inside SMX off
  EXPECT_NE(std::string(vmx_unusable_reason(cpu, c)).find("inside SMX disabled"), std::string::npos);
}

}  // namespace
}  // namespace vmxb::core
