// The capability diff on a real decoding (Bochs' corei7_skylake_x dump) with
// one thing taken away or given at a time: each change is found, named from
// the tables and classed as lost, gained or changed.
#include "diag/capability_diff.h"

#include <gtest/gtest.h>

#include "diag/tests/test_util.h"

namespace vmxb::diag {
namespace {

using testing::get_msr;
using testing::load_testdata;
using testing::set_msr;

std::vector<CapabilityChange> diff_after(const std::function<void(Snapshot&)>& edit) {
  const Snapshot before = load_testdata("corei7_skylake_x");
  Snapshot after = before;
  edit(after);
  return diff_capabilities(decode(before), decode(after));
}

void clear_bit(Snapshot& s, const CapBit& b) { set_msr(s, b.msr, get_msr(s, b.msr) & ~b.mask()); }

TEST(CapabilityDiff, TheSameCapabilitiesDiffToNothing) {
  const Snapshot s = load_testdata("corei7_skylake_x");
  EXPECT_TRUE(diff_capabilities(decode(s), decode(s)).empty());
}

TEST(CapabilityDiff, AControlNoLongerAllowedIsLost) {
  const auto changes = diff_after([](Snapshot& s) { clear_bit(s, secondary::kEnableEpt); });
  ASSERT_EQ(changes.size(), 1u) << capability_diff_text(changes);
  EXPECT_EQ(capability_diff_text(changes), "lost: IA32_VMX_PROCBASED_CTLS2 bit 1 (Enable EPT): yes -> no\n");
  EXPECT_TRUE(any_lost(changes));
}

TEST(CapabilityDiff, ALostInveptTypeIsNamedAndTheReverseIsGained) {
  auto changes = diff_after([](Snapshot& s) { clear_bit(s, ept_vpid_cap::kInveptSingleContext); });
  ASSERT_EQ(changes.size(), 1u) << capability_diff_text(changes);
  EXPECT_EQ(changes[0].msr, "IA32_VMX_EPT_VPID_CAP");
  EXPECT_EQ(changes[0].item, "bit 25 (Single-context INVEPT)");
  EXPECT_EQ(changes[0].kind, ChangeKind::kLost);
  // Swapping the two sides turns it into a gain.
  Snapshot poorer = load_testdata("corei7_skylake_x");
  clear_bit(poorer, ept_vpid_cap::kInveptSingleContext);
  changes = diff_capabilities(decode(poorer), decode(load_testdata("corei7_skylake_x")));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kGained);
  EXPECT_FALSE(any_lost(changes));
}

TEST(CapabilityDiff, ARestrictionBitSetIsALoss) {
  const auto changes = diff_after([](Snapshot& s) {
    set_msr(s, basic::kAddresses32.msr, get_msr(s, basic::kAddresses32.msr) | basic::kAddresses32.mask());
  });
  ASSERT_EQ(changes.size(), 1u) << capability_diff_text(changes);
  EXPECT_EQ(changes[0].item, "bit 48 (Physical addresses limited to 32 bits)");
  EXPECT_EQ(changes[0].before + "->" + changes[0].after, "no->yes");
  EXPECT_EQ(changes[0].kind, ChangeKind::kLost);
}

TEST(CapabilityDiff, ANewVmcsRevisionIsAChangeWithBothValues) {
  const auto changes = diff_after([](Snapshot& s) {
    set_msr(s, msr::kVmxBasic, (get_msr(s, msr::kVmxBasic) & ~basic::kRevisionIdMask) | 0x12);
  });
  ASSERT_EQ(changes.size(), 1u) << capability_diff_text(changes);
  EXPECT_EQ(changes[0].item, "VMCS revision identifier [30:0]");
  EXPECT_EQ(changes[0].after, "0x12");
  EXPECT_EQ(changes[0].kind, ChangeKind::kChanged);
  EXPECT_FALSE(any_lost(changes));
}

TEST(CapabilityDiff, AVanishedMsrIsLostAsAWhole) {
  const auto changes = diff_after([](Snapshot& s) {
    for (auto& m : s.cpus[0].msrs)
      if (m.index == msr::kVmxEptVpidCap) m.status = MsrStatus::kFault;
  });
  ASSERT_EQ(changes.size(), 1u) << capability_diff_text(changes);
  EXPECT_EQ(capability_diff_text(changes), "lost: IA32_VMX_EPT_VPID_CAP the MSR: readable -> #GP\n");
  const nlohmann::json j = capability_diff_json(changes);
  EXPECT_EQ(j[0]["kind"], "lost");
  EXPECT_EQ(j[0]["before"], "readable");
}

TEST(CapabilityDiff, ARealCpuAgainstAnOlderOneListsWhatTheOlderLacks) {
  // Ivy Bridge (diag/testdata, from a real host) -> Core 2 Penryn (Bochs'
  // model of one, which has no EPT or VPID): losing EPT must be among the losses.
  const auto changes =
      diff_capabilities(decode(load_testdata("hw_ivybridge_06_3a")), decode(load_testdata("core2_penryn_t9600")));
  const std::string text = capability_diff_text(changes);
  EXPECT_NE(text.find("lost: IA32_VMX_PROCBASED_CTLS2 bit 1 (Enable EPT): yes -> no"), std::string::npos) << text;
  EXPECT_TRUE(any_lost(changes));
}

}  // namespace
}  // namespace vmxb::diag
