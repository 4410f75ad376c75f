// Decoding of dumps the boot image took under Bochs (`diag --bochs MODEL
// --dump diag/testdata/MODEL.json`), against decodings worked out by hand from
// the raw values and the SDM (Vol. 3C Appendix A), not from diag's output.
// Settings: y = may be 0 or 1, n = must be 0, f = must be 1 (forced),
// d = default1 control: 1 in the legacy MSR, clearable through the TRUE MSR.
#include <gtest/gtest.h>

#include "diag/tests/test_util.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {
namespace {

using testing::check;
using testing::cr;
using testing::decoded;
using testing::expect_controls;
using testing::expect_set_bits;
using testing::field;
using testing::load_testdata;

Diagnosis diagnose_model(const std::string& model) { return diagnose(load_testdata(model)); }

void expect_all_checks_pass_or_skip(const Diagnosis& r) {
  for (const auto& c : r.checks)
    EXPECT_NE(c.outcome, Outcome::kFail) << c.check->id << ": " << c.detail;
}

bool verdict(const Diagnosis& r, const std::string& id) {
  const Verdict* v = r.verdicts.find(id);
  EXPECT_NE(v, nullptr) << id;
  EXPECT_TRUE(v != nullptr && v->value.has_value()) << id << " unknown";
  return v != nullptr && v->value.value_or(false);
}

// ---------------------------------------------------------------------------
// corei7_skylake_x, as the image's probe read them.
TEST(BochsSkylakeX, Identity) {
  Diagnosis r = diagnose_model("corei7_skylake_x");
  const Identity& id = r.snapshot.identity;
  EXPECT_EQ(id.vendor, "GenuineIntel");
  EXPECT_EQ(id.family, 6);
  EXPECT_EQ(id.model, 0x55);  // Skylake-SP/X: 06_55H
  EXPECT_EQ(id.stepping, 4);
  EXPECT_TRUE(id.vmx);
  EXPECT_FALSE(id.hypervisor);
  EXPECT_TRUE(id.long_mode);
  EXPECT_EQ(r.snapshot.source, SourceKind::kBochs);
  EXPECT_EQ(r.snapshot.source_detail, "corei7_skylake_x");
  EXPECT_EQ(r.exit, ExitCode::kVmxUsable);
  expect_all_checks_pass_or_skip(r);
}

TEST(BochsSkylakeX, FeatureControlAndBasic) {
  Diagnosis r = diagnose_model("corei7_skylake_x");
  // 0x5: lock (bit 0) and VMX outside SMX (bit 2).
  expect_set_bits(r, msr::kFeatureControl, {0, 2});
  // 0x00d810000000002b: revision 0x2b; bits 44:32 = 0x1000; bits 53:50 = 0110b;
  // bit 54 (INS/OUTS info) and bit 55 (TRUE MSRs).
  EXPECT_EQ(field(r, msr::kVmxBasic, 0), 0x2bu);
  EXPECT_EQ(field(r, msr::kVmxBasic, 32), 4096u);
  EXPECT_EQ(field(r, msr::kVmxBasic, 50), 6u);
  expect_set_bits(r, msr::kVmxBasic, {54, 55});
}

TEST(BochsSkylakeX, PinBased) {
  Diagnosis r = diagnose_model("corei7_skylake_x");
  // Legacy = TRUE = 0x0000007f00000016: allowed-1 bits 0-6, must-be-1 bits 1, 2, 4
  // in both, so the default1 bits stay forced.
  expect_controls(r, msr::kVmxPinbasedCtls, "0y 3y 5y 6y 7n  1f 2f 4f");
}

TEST(BochsSkylakeX, PrimaryProcBased) {
  Diagnosis r = diagnose_model("corei7_skylake_x");
  // Legacy 0xf7f9fffe0401e172: allowed-1 = bits 1-16, 19-26, 28-31;
  // must-be-1 = 1, 4-6, 8, 13-16, 26. TRUE 0xf7f9fffe04006172: must-be-1 = 1, 4-6,
  // 8, 13, 14, 26, so CR3-load (15) and CR3-store (16) are default.
  expect_controls(r, msr::kVmxProcbasedCtls,
                  "2y 3y 7y 9y 10y 11y 12y 15d 16d 17n 19y 20y 21y 22y 23y 24y 25y 27n 28y 29y 30y 31y "
                  "1f 4f 5f 6f 8f 13f 14f 26f");
}

TEST(BochsSkylakeX, ExitAndEntry) {
  Diagnosis r = diagnose_model("corei7_skylake_x");
  // Exit 0x007fffff00036dff: allowed-1 bits 0-22; must-be-1 = the default1 class
  // 0-8, 10, 11, 13, 14, 16, 17. TRUE 0x...36dfb clears bit 2 (save debug controls).
  expect_controls(r, msr::kVmxExitCtls,
                  "2d 9y 12y 15y 18y 19y 20y 21y 22y 23n 24n 25n 26n 27n 28n 29n 30n 31n "
                  "0f 1f 3f 4f 5f 6f 7f 8f 10f 11f 13f 14f 16f 17f");
  // Entry 0x0000ffff000011ff: allowed-1 bits 0-15, must-be-1 0-8, 12;
  // TRUE 0x...11fb clears bit 2 (load debug controls).
  expect_controls(r, msr::kVmxEntryCtls,
                  "2d 9y 10y 11y 13y 14y 15y 16n 17n 18n 19n 20n 21n 22n 23n "
                  "0f 1f 3f 4f 5f 6f 7f 8f 12f");
}

TEST(BochsSkylakeX, SecondaryTertiaryVmfunc) {
  Diagnosis r = diagnose_model("corei7_skylake_x");
  // 0x02177fff00000000: allowed-1 bits 0-14, 16, 17, 18, 20, 25; no must-be-1.
  expect_controls(r, msr::kVmxProcbasedCtls2,
                  "0y 1y 2y 3y 4y 5y 6y 7y 8y 9y 10y 11y 12y 13y 14y 15n 16y 17y 18y 19n 20y 22n 23n 24n 25y "
                  "26n 27n 28n 30n 31n");
  // Tertiary controls need primary bit 17 (allowed-1 clear): absent, and the
  // image's RDMSR indeed raised #GP. Same for EXIT_CTLS2 (exit bit 31 clear).
  const DecodedMsr* t = decoded(r, msr::kVmxProcbasedCtls3);
  ASSERT_NE(t, nullptr);
  EXPECT_FALSE(t->presence.implied);
  ASSERT_TRUE(t->read.has_value());
  EXPECT_EQ(t->read->status, MsrStatus::kFault);
  EXPECT_FALSE(decoded(r, msr::kVmxExitCtls2)->presence.implied);
  // VMFUNC = 1: EPTP switching.
  EXPECT_TRUE(decoded(r, msr::kVmxVmfunc)->presence.implied);
  expect_set_bits(r, msr::kVmxVmfunc, {0});
}

TEST(BochsSkylakeX, MiscFixedEnum) {
  Diagnosis r = diagnose_model("corei7_skylake_x");
  // MISC 0x600401e0: timer ratio 0; bits 5-8; CR3-target count (24:16) = 4; bits 29, 30.
  EXPECT_EQ(field(r, msr::kVmxMisc, 0), 0u);
  EXPECT_EQ(field(r, msr::kVmxMisc, 16), 4u);
  EXPECT_EQ(field(r, msr::kVmxMisc, 25), 0u);
  EXPECT_EQ(field(r, msr::kVmxMisc, 32), 0u);
  expect_set_bits(r, msr::kVmxMisc, {5, 6, 7, 8, 29, 30});
  // CR0: FIXED0 0x80000021 (PE, NE, PG), FIXED1 0xffffffff.
  EXPECT_EQ(cr(r, msr::kVmxCr0Fixed0, 0), CrSetting::kFixed1);
  EXPECT_EQ(cr(r, msr::kVmxCr0Fixed0, 5), CrSetting::kFixed1);
  EXPECT_EQ(cr(r, msr::kVmxCr0Fixed0, 31), CrSetting::kFixed1);
  EXPECT_EQ(cr(r, msr::kVmxCr0Fixed0, 30), CrSetting::kFlexible);  // CD
  // CR4: FIXED0 0x2000 (VMXE); FIXED1 0x3727ff = bits 0-10, 13, 16-18, 20, 21.
  EXPECT_EQ(cr(r, msr::kVmxCr4Fixed0, 13), CrSetting::kFixed1);
  for (unsigned b : {0u, 5u, 10u, 16u, 17u, 18u, 20u, 21u})
    EXPECT_EQ(cr(r, msr::kVmxCr4Fixed0, b), CrSetting::kFlexible) << b;
  for (unsigned b : {11u, 12u, 14u, 19u, 22u, 23u, 24u, 25u})
    EXPECT_EQ(cr(r, msr::kVmxCr4Fixed0, b), CrSetting::kFixed0) << b;
  // VMCS_ENUM 0x34: highest index 0x1a (bits 9:1).
  EXPECT_EQ(field(r, msr::kVmxVmcsEnum, 1), 0x1au);
}

TEST(BochsSkylakeX, EptVpid) {
  Diagnosis r = diagnose_model("corei7_skylake_x");
  // 0x00000f0106334141: bits 0, 6, 8, 14, 16, 17, 20, 21, 25, 26, 32, 40-43.
  expect_set_bits(r, msr::kVmxEptVpidCap, {0, 6, 8, 14, 16, 17, 20, 21, 25, 26, 32, 40, 41, 42, 43});
  const EptVpidSummary& e = r.decoded.ept_vpid;
  EXPECT_EQ(e.ept, true);
  EXPECT_EQ(e.vpid, true);
  EXPECT_EQ(e.unrestricted_guest, true);
  EXPECT_EQ(e.walk_lengths, std::vector<int>({4}));
  EXPECT_EQ(e.memory_types.size(), 2u);
  EXPECT_EQ(e.invept, true);
  ASSERT_EQ(e.invept_types.size(), 2u);
  EXPECT_EQ(e.invept_types[0].type, 1);
  EXPECT_EQ(e.invept_types[0].supported, true);
  EXPECT_EQ(e.invept_types[1].type, 2);
  EXPECT_EQ(e.invept_types[1].supported, true);
  ASSERT_EQ(e.invvpid_types.size(), 4u);
  for (const auto& t : e.invvpid_types) EXPECT_EQ(t.supported, true) << t.type;
  EXPECT_TRUE(verdict(r, "vmx_usable"));
  EXPECT_TRUE(verdict(r, "ept"));
  EXPECT_TRUE(verdict(r, "vpid"));
  EXPECT_TRUE(verdict(r, "unrestricted_guest"));
  EXPECT_TRUE(verdict(r, "invept_single_context"));
  EXPECT_TRUE(verdict(r, "invept_all_context"));
}

TEST(BochsSkylakeX, Kvm) {
  Diagnosis r = diagnose_model("corei7_skylake_x");
  EXPECT_EQ(r.verdicts.kvm.loads, true);
  EXPECT_TRUE(r.verdicts.kvm.blockers.empty());
  EXPECT_TRUE(verdict(r, "kvm.enable_ept"));
  EXPECT_TRUE(verdict(r, "kvm.enable_vpid"));
  EXPECT_TRUE(verdict(r, "kvm.enable_unrestricted_guest"));
  EXPECT_TRUE(verdict(r, "kvm.enable_ept_ad_bits"));
  EXPECT_TRUE(verdict(r, "kvm.enable_pml"));  // secondary bit 17 and EPT A/D
  EXPECT_TRUE(verdict(r, "kvm.flexpriority"));
}

// ---------------------------------------------------------------------------
// core2_penryn_t9600: VMX without EPT or VPID; IA32_VMX_EPT_VPID_CAP raises #GP.
TEST(BochsPenryn, IdentityAndNoEpt) {
  Diagnosis r = diagnose_model("core2_penryn_t9600");
  const Identity& id = r.snapshot.identity;
  EXPECT_EQ(id.family, 6);
  EXPECT_EQ(id.model, 0x17);  // Penryn: 06_17H
  EXPECT_EQ(id.stepping, 10);
  EXPECT_TRUE(id.smx);
  EXPECT_EQ(r.exit, ExitCode::kVmxUsable);
  expect_all_checks_pass_or_skip(r);
  // PROCBASED_CTLS2 0x0000004100000000: only Virtualize APIC accesses (0) and
  // WBINVD exiting (6) may be 1.
  expect_controls(r, msr::kVmxProcbasedCtls2,
                  "0y 1n 2n 3n 4n 5n 6y 7n 8n 9n 10n 11n 12n 13n 14n 15n 16n 17n 18n 19n 20n 22n 23n 24n 25n "
                  "26n 27n 28n 30n 31n");
  // So neither EPT nor VPID: IA32_VMX_EPT_VPID_CAP does not exist (A.10) and
  // the image's RDMSR raised #GP; VMFUNC (needs secondary bit 13) likewise.
  const DecodedMsr* cap = decoded(r, msr::kVmxEptVpidCap);
  EXPECT_FALSE(cap->presence.implied);
  ASSERT_TRUE(cap->read.has_value());
  EXPECT_EQ(cap->read->status, MsrStatus::kFault);
  EXPECT_FALSE(decoded(r, msr::kVmxVmfunc)->presence.implied);
  EXPECT_EQ(check(r, "msrs.implied_readable")->outcome, Outcome::kPass);
  const EptVpidSummary& e = r.decoded.ept_vpid;
  EXPECT_EQ(e.ept, false);
  EXPECT_EQ(e.vpid, false);
  EXPECT_EQ(e.invept, false);
  EXPECT_EQ(e.invvpid, false);
  for (const auto& t : e.invept_types) EXPECT_EQ(t.supported, false);
  EXPECT_FALSE(verdict(r, "ept"));
  EXPECT_FALSE(verdict(r, "invept_single_context"));
  EXPECT_FALSE(verdict(r, "invept_all_context"));
}

TEST(BochsPenryn, Controls) {
  Diagnosis r = diagnose_model("core2_penryn_t9600");
  // Pin 0x0000003f00000016: allowed-1 bits 0-5: no VMX-preemption timer.
  expect_controls(r, msr::kVmxPinbasedCtls, "0y 3y 5y 6n 7n  1f 2f 4f");
  // Exit 0x0003ffff00036dff: allowed-1 bits 0-17 (no PAT/EFER/timer save).
  expect_controls(r, msr::kVmxExitCtls,
                  "2d 9y 12y 15y 18n 19n 20n 21n 22n 23n 24n 25n 26n 27n 28n 29n 30n 31n "
                  "0f 1f 3f 4f 5f 6f 7f 8f 10f 11f 13f 14f 16f 17f");
  // Entry 0x00003fff000011ff: allowed-1 bits 0-13.
  expect_controls(r, msr::kVmxEntryCtls,
                  "2d 9y 10y 11y 13y 14n 15n 16n 17n 18n 19n 20n 21n 22n 23n 0f 1f 3f 4f 5f 6f 7f 8f 12f");
  // MISC 0x401e0: no VMWRITE to read-only fields (bit 29).
  expect_set_bits(r, msr::kVmxMisc, {5, 6, 7, 8});
  // CR4 FIXED1 0x467ff: bits 0-10, 13, 14, 18: SMXE flexible, FSGSBASE fixed to 0.
  EXPECT_EQ(cr(r, msr::kVmxCr4Fixed0, 14), CrSetting::kFlexible);
  EXPECT_EQ(cr(r, msr::kVmxCr4Fixed0, 16), CrSetting::kFixed0);
}

TEST(BochsPenryn, KvmWithoutEpt) {
  Diagnosis r = diagnose_model("core2_penryn_t9600");
  // Every control kvm_intel requires may be 1; it loads with shadow paging.
  EXPECT_EQ(r.verdicts.kvm.loads, true);
  EXPECT_FALSE(verdict(r, "kvm.enable_ept"));
  EXPECT_FALSE(verdict(r, "kvm.enable_vpid"));
  EXPECT_FALSE(verdict(r, "kvm.enable_unrestricted_guest"));
  EXPECT_TRUE(verdict(r, "kvm.flexpriority"));
}

// ---------------------------------------------------------------------------
// corei7_sandy_bridge_2600k: EPT without 1-GByte pages or A/D flags; no VMFUNC.
TEST(BochsSandyBridge, Decoding) {
  Diagnosis r = diagnose_model("corei7_sandy_bridge_2600k");
  const Identity& id = r.snapshot.identity;
  EXPECT_EQ(id.family, 6);
  EXPECT_EQ(id.model, 0x2a);  // Sandy Bridge: 06_2AH
  EXPECT_EQ(id.stepping, 7);
  EXPECT_EQ(r.exit, ExitCode::kVmxUsable);
  expect_all_checks_pass_or_skip(r);
  // PROCBASED_CTLS2 0x000000ff00000000: secondary controls 0-7 only.
  expect_controls(r, msr::kVmxProcbasedCtls2,
                  "0y 1y 2y 3y 4y 5y 6y 7y 8n 9n 10n 11n 12n 13n 14n 15n 16n 17n 18n 19n 20n 22n 23n 24n 25n "
                  "26n 27n 28n 30n 31n");
  // EPT_VPID_CAP 0x00000f0106114141: bits 0, 6, 8, 14, 16, 20, 25, 26, 32, 40-43.
  expect_set_bits(r, msr::kVmxEptVpidCap, {0, 6, 8, 14, 16, 20, 25, 26, 32, 40, 41, 42, 43});
  // MISC 0x401e0: bit 29 clear, so VMWRITE to read-only fields fails (error 13,
  // as the semantics suite observes on this model).
  expect_set_bits(r, msr::kVmxMisc, {5, 6, 7, 8});
  // VM functions need secondary bit 13: IA32_VMX_VMFUNC absent.
  EXPECT_FALSE(decoded(r, msr::kVmxVmfunc)->presence.implied);
  // CR4 FIXED1 0x627ff: PCIDE (17) and OSXSAVE (18) flexible, FSGSBASE (16) fixed to 0.
  EXPECT_EQ(cr(r, msr::kVmxCr4Fixed0, 16), CrSetting::kFixed0);
  EXPECT_EQ(cr(r, msr::kVmxCr4Fixed0, 17), CrSetting::kFlexible);
}

TEST(BochsSandyBridge, Verdicts) {
  Diagnosis r = diagnose_model("corei7_sandy_bridge_2600k");
  EXPECT_TRUE(verdict(r, "ept"));
  EXPECT_TRUE(verdict(r, "vpid"));
  EXPECT_TRUE(verdict(r, "unrestricted_guest"));
  EXPECT_TRUE(verdict(r, "invept_single_context"));
  EXPECT_TRUE(verdict(r, "invept_all_context"));
  EXPECT_EQ(r.verdicts.kvm.loads, true);
  EXPECT_TRUE(verdict(r, "kvm.enable_ept"));  // walk length 4, WB, all-context INVEPT
  EXPECT_TRUE(verdict(r, "kvm.enable_vpid"));
  EXPECT_TRUE(verdict(r, "kvm.enable_unrestricted_guest"));
  EXPECT_FALSE(verdict(r, "kvm.enable_ept_ad_bits"));  // bit 21 clear
  EXPECT_FALSE(verdict(r, "kvm.enable_pml"));          // secondary bit 17 clear
}

// ---------------------------------------------------------------------------
// tigerlake: CET, and the first model with a revision other than 0x2b.
TEST(BochsTigerlake, Decoding) {
  Diagnosis r = diagnose_model("tigerlake");
  EXPECT_EQ(r.snapshot.identity.model, 0x8c);  // Tiger Lake: 06_8CH
  EXPECT_EQ(r.exit, ExitCode::kVmxUsable);
  expect_all_checks_pass_or_skip(r);
  // BASIC 0x01d8100000000004: revision 4; bit 56 (injection without error code).
  EXPECT_EQ(field(r, msr::kVmxBasic, 0), 4u);
  expect_set_bits(r, msr::kVmxBasic, {54, 55, 56});
  // Exit 0x107fffff...: allowed-1 bits 0-22 and 28 (load CET state).
  const DecodedMsr* exit = decoded(r, msr::kVmxExitCtls);
  for (const auto& c : exit->controls) {
    if (c.bit == 28) {
      EXPECT_EQ(c.setting, Setting::kYes);
    }
  }
  // Entry 0x0010ffff...: allowed-1 bit 20 (load CET state).
  for (const auto& c : decoded(r, msr::kVmxEntryCtls)->controls) {
    if (c.bit == 20) {
      EXPECT_EQ(c.setting, Setting::kYes);
    }
  }
  // EPT_VPID_CAP 0x00000f0106b34141 adds bit 23 (supervisor shadow-stack control).
  expect_set_bits(r, msr::kVmxEptVpidCap, {0, 6, 8, 14, 16, 17, 20, 21, 23, 25, 26, 32, 40, 41, 42, 43});
  // CR4 FIXED1 0xf72fff: CET (23) flexible.
  EXPECT_EQ(cr(r, msr::kVmxCr4Fixed0, 23), CrSetting::kFlexible);
}

}  // namespace
}  // namespace vmxb::diag
