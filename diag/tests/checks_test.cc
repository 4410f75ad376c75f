// The SDM consistency checks fire on deliberately broken values (as a broken
// nested hypervisor would report them), and only then: every check in the
// table is made to fail by at least one case below, and none fails on the
// Bochs dumps (bochs_dumps_test). Also the FEATURE_CONTROL and KVM verdicts
// on edited values.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "diag/tests/test_util.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {
namespace {

using testing::check;
using testing::get_msr;
using testing::load_testdata;
using testing::set_msr;

struct Case {
  const char* name;
  const char* model;
  std::function<void(Snapshot&)> edit;
  const char* check_id;  // must fail
};

const std::vector<Case>& cases() {
  static const std::vector<Case> k = {
      {"basic bit 31 set", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxBasic, get_msr(s, msr::kVmxBasic) | bit(31)); }, "basic.bit31_clear"},
      {"VMCS size 0", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxBasic, get_msr(s, msr::kVmxBasic) & ~bit_range(44, 32)); },
       "basic.vmcs_size"},
      {"VMCS size 4097", "corei7_skylake_x",
       [](Snapshot& s) {
         set_msr(s, msr::kVmxBasic, (get_msr(s, msr::kVmxBasic) & ~bit_range(44, 32)) | (u64{0x1001} << 32));
       },
       "basic.vmcs_size"},
      {"VMCS memory type 2 (reserved)", "corei7_skylake_x",
       [](Snapshot& s) {
         set_msr(s, msr::kVmxBasic, (get_msr(s, msr::kVmxBasic) & ~bit_range(53, 50)) | (u64{2} << 50));
       },
       "basic.memory_type"},
      {"32-bit addresses on Intel 64", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxBasic, get_msr(s, msr::kVmxBasic) | bit(48)); },
       "basic.address_width"},
      {"basic reserved bit 60", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxBasic, get_msr(s, msr::kVmxBasic) | bit(60)); }, "basic.reserved"},
      {"implied TRUE MSR raises #GP", "corei7_skylake_x",
       [](Snapshot& s) {
         for (auto& m : s.cpus[0].msrs)
           if (m.index == msr::kVmxTruePinbasedCtls) m.status = MsrStatus::kFault;
       },
       "msrs.implied_readable"},
      {"must-be-1 control that may not be 1", "corei7_skylake_x",
       // Pin-based allowed-1 = bits 0-6; make bit 7 must-be-1.
       [](Snapshot& s) { set_msr(s, msr::kVmxPinbasedCtls, 0x0000007f00000096ull); },
       "controls.allowed0_in_allowed1"},
      {"legacy MSR without a default1 bit", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxPinbasedCtls, 0x0000007f00000012ull); }, "controls.legacy_default1"},
      {"TRUE MSR requires more than legacy", "corei7_skylake_x",
       [](Snapshot& s) {
         set_msr(s, msr::kVmxTrueProcbasedCtls, get_msr(s, msr::kVmxTrueProcbasedCtls) | bit(2));
       },
       "controls.true_allowed0_subset"},
      {"TRUE and legacy disagree outside default1", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxProcbasedCtls, get_msr(s, msr::kVmxProcbasedCtls) | bit(2)); },
       "controls.true_matches_legacy"},
      {"TRUE allowed-1 differs", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxTrueExitCtls, get_msr(s, msr::kVmxTrueExitCtls) & ~bit(32 + 22)); },
       "controls.true_allowed1_identical"},
      {"CR0.PG fixed to 1 and to 0", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxCr0Fixed1, 0x7fffffffull); }, "cr0.fixed0_in_fixed1"},
      {"CR4.VMXE fixed to 1 and to 0", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxCr4Fixed1, get_msr(s, msr::kVmxCr4Fixed1) & ~bit(13)); },
       "cr4.fixed0_in_fixed1"},
      {"CR4.VMXE not fixed", "corei7_skylake_x", [](Snapshot& s) { set_msr(s, msr::kVmxCr4Fixed0, 0); },
       "cr4.vmxe_fixed1"},
      {"CR0.NE not fixed", "corei7_skylake_x", [](Snapshot& s) { set_msr(s, msr::kVmxCr0Fixed0, 0x80000001ull); },
       "cr0.pe_ne_pg_fixed1"},
      {"300 CR3-target values", "corei7_skylake_x",
       [](Snapshot& s) {
         set_msr(s, msr::kVmxMisc, (get_msr(s, msr::kVmxMisc) & ~bit_range(24, 16)) | (u64{300} << 16));
       },
       "misc.cr3_targets"},
      {"unrestricted guest without MISC bit 5", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxMisc, get_msr(s, msr::kVmxMisc) & ~bit(5)); },
       "misc.lma_with_unrestricted_guest"},
      {"MISC reserved bit 10", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxMisc, get_msr(s, msr::kVmxMisc) | bit(10)); }, "misc.reserved"},
      {"VMCS_ENUM bit 0", "corei7_skylake_x", [](Snapshot& s) { set_msr(s, msr::kVmxVmcsEnum, 0x35); },
       "vmcs_enum.reserved"},
      // (Before issue 17 "VMCS_ENUM below TSC multiplier (0x19)" was a case
      // here; real Skylake-SP reports that: see VmcsEnumFeatureIndexIsAnObservation.)
      {"VMCS_ENUM below guest IA32_SYSENTER_CS (0x15)", "core2_penryn_t9600",
       [](Snapshot& s) { set_msr(s, msr::kVmxVmcsEnum, 0x14 << 1); }, "vmcs_enum.highest_index"},
      {"EPT without a page-walk length", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxEptVpidCap, get_msr(s, msr::kVmxEptVpidCap) & ~(bit(6) | bit(7))); },
       "ept.usable_eptp"},
      {"INVEPT types without INVEPT", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxEptVpidCap, get_msr(s, msr::kVmxEptVpidCap) & ~bit(20)); },
       "ept_vpid_cap.types_need_instruction"},
      {"EPT capabilities without Enable EPT", "corei7_skylake_x",
       [](Snapshot& s) {
         set_msr(s, msr::kVmxProcbasedCtls2, get_msr(s, msr::kVmxProcbasedCtls2) & ~bit(32 + 1));
       },
       "ept_vpid_cap.matches_controls"},
      {"EPT_VPID_CAP reserved bit 1", "corei7_skylake_x",
       [](Snapshot& s) { set_msr(s, msr::kVmxEptVpidCap, get_msr(s, msr::kVmxEptVpidCap) | bit(1)); },
       "ept_vpid_cap.reserved"},
      {"unrestricted guest without EPT", "corei7_skylake_x",
       [](Snapshot& s) {
         set_msr(s, msr::kVmxProcbasedCtls2, get_msr(s, msr::kVmxProcbasedCtls2) & ~bit(32 + 1));
       },
       "secondary.unrestricted_guest_needs_ept"},
      {"undefined VM function", "corei7_skylake_x", [](Snapshot& s) { set_msr(s, msr::kVmxVmfunc, 0x3); },
       "vmfunc.reserved"},
      {"EPTP switching without EPT", "corei7_skylake_x",
       [](Snapshot& s) {
         set_msr(s, msr::kVmxProcbasedCtls2, get_msr(s, msr::kVmxProcbasedCtls2) & ~bit(32 + 1));
       },
       "vmfunc.eptp_switching_needs_ept"},
      {"second CPU differs", "corei7_skylake_x",
       [](Snapshot& s) {
         CpuState other = s.cpus[0];
         other.cpu = 1;
         s.cpus.push_back(other);
         set_msr(s, msr::kVmxEptVpidCap, get_msr(s, msr::kVmxEptVpidCap) & ~bit(26), 1);
       },
       "cpus.identical"},
  };
  return k;
}

TEST(Checks, EachBrokenValueFiresItsCheck) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    Snapshot s = load_testdata(c.model);
    c.edit(s);
    Diagnosis r = diagnose(std::move(s));
    const CheckResult* res = check(r, c.check_id);
    ASSERT_NE(res, nullptr) << c.check_id;
    EXPECT_EQ(res->outcome, Outcome::kFail) << c.check_id << ": " << res->detail;
    EXPECT_FALSE(res->detail.empty());
    // A failed check that moves the exit status (an error that real hardware
    // honours) makes diag exit with kInconsistent; warnings leave the exit alone.
    bool any_error = false;
    for (const auto& x : r.checks)
      any_error |= x.outcome == Outcome::kFail && moves_exit_status(*x.check);
    EXPECT_EQ(r.exit, any_error ? ExitCode::kInconsistent : ExitCode::kVmxUsable);
    if (res->check->severity == Severity::kError) {
      EXPECT_EQ(r.exit, ExitCode::kInconsistent);
    }
  }
}

TEST(Checks, EveryCheckIsExercised) {
  std::set<std::string> fired;
  for (const auto& c : cases()) fired.insert(c.check_id);
  // Observations cannot fail; VmcsEnumFeatureIndexIsAnObservation makes the one there is observed.
  for (const auto& c : all_checks())
    if (c.severity != Severity::kObservation) EXPECT_TRUE(fired.count(c.id)) << c.id << " has no failing case";
}

// Issue 17: no check's failure changes the exit status unless the check is an
// SDM must (or follows from musts, or is KVM's load requirement) that real
// hardware has been seen to honour. Every entry of the table says so, and
// only such entries produce exit 7.
TEST(Checks, OnlyHardwareHonouredMustsMoveTheExitStatus) {
  EXPECT_EQ(all_checks().size(), 29u);  // the 28 rules and one observation
  for (const auto& c : all_checks()) {
    SCOPED_TRACE(c.id);
    EXPECT_NE(std::string(c.seen), "");
    EXPECT_EQ(moves_exit_status(c), c.severity == Severity::kError);
    if (c.severity == Severity::kError) {
      EXPECT_TRUE(c.basis == Basis::kSdmMust || c.basis == Basis::kSdmDerived || c.basis == Basis::kKvmMust)
          << basis_name(c.basis);
      EXPECT_EQ(c.evidence, Evidence::kHardware);
    }
    if (c.severity == Severity::kObservation) EXPECT_EQ(c.basis, Basis::kNone);
    // A rule that fires on real, correctly working CPUs is at most a warning.
    if (std::string(c.seen).find("fires on real") != std::string::npos) EXPECT_NE(c.severity, Severity::kError);
  }
  // The rule itself, on entries the table does not have.
  Check bochs_only{"x", Severity::kError, "", "", Basis::kSdmMust, Evidence::kBochsOnly, "[B]", nullptr, nullptr};
  EXPECT_FALSE(moves_exit_status(bochs_only));
  Check convention{"x", Severity::kError, "", "", Basis::kConvention, Evidence::kHardware, "", nullptr, nullptr};
  EXPECT_FALSE(moves_exit_status(convention));
  Check observation{"x", Severity::kObservation, "", "", Basis::kSdmMust, Evidence::kHardware, "", nullptr, nullptr};
  EXPECT_FALSE(moves_exit_status(observation));
  // And end to end: every case that makes diag exit 7 has a failed check that moves it.
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    Snapshot s = load_testdata(c.model);
    c.edit(s);
    Diagnosis r = diagnose(std::move(s));
    if (r.exit != ExitCode::kInconsistent) continue;
    bool moved = false;
    for (const auto& x : r.checks) moved |= x.outcome == Outcome::kFail && moves_exit_status(*x.check);
    EXPECT_TRUE(moved);
  }
}

// Nehalem..Broadwell report VMCS_ENUM 0x2a (index 0x15) with the preemption
// timer (index 0x17); Skylake-SP/Cascade Lake 0x2e (0x17) with TSC scaling
// (0x19). Reported, never a failure.
TEST(Checks, VmcsEnumFeatureIndexIsAnObservation) {
  for (u64 value : {u64{0x2a}, u64{0x2e}, u64{0x18 << 1}}) {
    SCOPED_TRACE(value);
    Snapshot s = load_testdata("corei7_skylake_x");  // preemption timer and TSC scaling allowed
    set_msr(s, msr::kVmxVmcsEnum, value);
    Diagnosis r = diagnose(std::move(s));
    EXPECT_EQ(r.exit, ExitCode::kVmxUsable);
    EXPECT_EQ(check(r, "vmcs_enum.highest_index")->outcome, Outcome::kPass);
    const CheckResult* o = check(r, "vmcs_enum.feature_index");
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->check->severity, Severity::kObservation);
    EXPECT_EQ(o->outcome, Outcome::kObserved);
    EXPECT_NE(o->detail.find("real CPUs of these generations report less than their features imply"),
              std::string::npos)
        << o->detail;
    EXPECT_NE(o->detail.find("TSC multiplier"), std::string::npos) << o->detail;
    const std::string text = diagnosis_text(r);
    EXPECT_NE(text.find("OBSERVED (observation, exit status unchanged) vmcs_enum.feature_index"), std::string::npos)
        << text;
    const nlohmann::json j = diagnosis_json(r);
    bool found = false;
    for (const auto& c : j["checks"])
      if (c["id"] == "vmcs_enum.feature_index") {
        found = true;
        EXPECT_EQ(c["severity"], "observation");
        EXPECT_EQ(c["outcome"], "observed");
        EXPECT_EQ(c["moves_exit"], false);
      }
    EXPECT_TRUE(found);
    EXPECT_EQ(j["exit"]["code"], 0);
  }
  // What the Bochs model reports (0x1a) covers TSC multiplier: as a virtual CPU would.
  Diagnosis r = diagnose(load_testdata("corei7_skylake_x"));
  EXPECT_EQ(check(r, "vmcs_enum.feature_index")->outcome, Outcome::kPass);
}

// Core 2 sets IA32_VMX_MISC bit 9, which the SDM reserves: a warning, named
// as a known hardware deviation, exit 0.
TEST(Checks, Core2MiscBit9IsAKnownHardwareDeviation) {
  Snapshot s = load_testdata("core2_penryn_t9600");
  set_msr(s, msr::kVmxMisc, get_msr(s, msr::kVmxMisc) | bit(9));
  Diagnosis r = diagnose(std::move(s));
  const CheckResult* c = check(r, "misc.reserved");
  EXPECT_EQ(c->outcome, Outcome::kFail);
  EXPECT_EQ(c->check->severity, Severity::kWarning);
  EXPECT_NE(c->detail.find("known hardware deviation"), std::string::npos) << c->detail;
  EXPECT_EQ(r.exit, ExitCode::kVmxUsable);
  // Elsewhere the same bit is only a reserved bit.
  Snapshot k = load_testdata("corei7_skylake_x");
  set_msr(k, msr::kVmxMisc, get_msr(k, msr::kVmxMisc) | bit(9));
  Diagnosis rk = diagnose(std::move(k));
  EXPECT_EQ(check(rk, "misc.reserved")->detail.find("known hardware deviation"), std::string::npos);
  EXPECT_EQ(rk.exit, ExitCode::kVmxUsable);
}

// Every capability MSR read but IA32_FEATURE_CONTROL not: not "no MSR access"
// (5) but "VMX enablement unknown" (9), saying which read failed.
TEST(Verdicts, FeatureControlUnreadable) {
  Snapshot s = load_testdata("corei7_skylake_x");
  for (auto& m : s.cpus[0].msrs)
    if (m.index == msr::kFeatureControl) m.status = MsrStatus::kFault;
  Diagnosis r = diagnose(std::move(s));
  EXPECT_EQ(r.exit, ExitCode::kEnableUnknown);
  EXPECT_EQ(static_cast<int>(r.exit), 9);
  const Verdict* v = r.verdicts.find("vmx_usable");
  EXPECT_EQ(v->value, std::nullopt);
  EXPECT_NE(v->why.find("IA32_FEATURE_CONTROL (0x3a) could not be read (CPU 0: gp)"), std::string::npos) << v->why;
  EXPECT_NE(v->why.find("although the capability MSRs were"), std::string::npos) << v->why;
  bool finding = false;
  for (const auto& f : r.verdicts.findings) finding |= f.id == "feature_control_unread";
  EXPECT_TRUE(finding);
  EXPECT_NE(diagnosis_text(r).find("Result: exit 9 (vmx_enable_unknown)"), std::string::npos);
  EXPECT_EQ(r.verdicts.kvm.loads, std::nullopt);  // unknown, not "VMX not enabled (by BIOS)"
  // Broken capabilities still win (precedence 3, 4, 5, 7, 9, 0).
  set_msr(r.snapshot, msr::kVmxBasic, get_msr(r.snapshot, msr::kVmxBasic) | bit(31));
  EXPECT_EQ(diagnose(r.snapshot).exit, ExitCode::kInconsistent);
}

TEST(Checks, FailingCpusAreNamed) {
  Snapshot s = load_testdata("corei7_skylake_x");
  CpuState other = s.cpus[0];
  other.cpu = 3;
  s.cpus.push_back(other);
  set_msr(s, msr::kVmxBasic, get_msr(s, msr::kVmxBasic) | bit(31), 1);
  Diagnosis r = diagnose(std::move(s));
  const CheckResult* res = check(r, "basic.bit31_clear");
  EXPECT_EQ(res->failing_cpus, std::vector<int>({3}));
  EXPECT_NE(res->detail.find("CPU 3"), std::string::npos) << res->detail;
  auto diffs = cpu_differences(r.snapshot);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].what, "IA32_VMX_BASIC");
  EXPECT_EQ(diffs[0].cpu, 3);
}

TEST(Verdicts, FeatureControl) {
  struct {
    u64 value;
    ExitCode exit;
  } rows[] = {
      {0x5, ExitCode::kVmxUsable},  // locked, VMX outside SMX
      {0x1, ExitCode::kDisabled},   // locked with VMX off: disabled by firmware
      {0x0, ExitCode::kDisabled},   // unlocked: VMXON #GPs (Vol. 3C 24.7)
      {0x4, ExitCode::kDisabled},   // enabled but unlocked: VMXON still #GPs
      {0x3, ExitCode::kDisabled},   // only inside SMX
  };
  for (const auto& row : rows) {
    Snapshot s = load_testdata("corei7_skylake_x");
    set_msr(s, msr::kFeatureControl, row.value);
    Diagnosis r = diagnose(std::move(s));
    EXPECT_EQ(r.exit, row.exit) << std::hex << row.value;
    const Verdict* v = r.verdicts.find("vmx_usable");
    EXPECT_EQ(v->value, std::optional<bool>(row.value == 0x5)) << v->why;
    EXPECT_EQ(r.verdicts.kvm.loads, std::optional<bool>(row.value == 0x5));
  }
}

TEST(Verdicts, KvmTurnsEptOffWithoutAllContextInvept) {
  Snapshot s = load_testdata("corei7_skylake_x");
  set_msr(s, msr::kVmxEptVpidCap, get_msr(s, msr::kVmxEptVpidCap) & ~ept_vpid_cap::kInveptAllContext);
  Diagnosis r = diagnose(std::move(s));
  EXPECT_EQ(r.verdicts.find("invept_single_context")->value, true);
  EXPECT_EQ(r.verdicts.find("invept_all_context")->value, false);
  EXPECT_EQ(r.verdicts.find("ept")->value, true);  // the control itself is still there
  const Verdict* ept = r.verdicts.find("kvm.enable_ept");
  EXPECT_EQ(ept->value, false);
  EXPECT_NE(ept->why.find("All-context INVEPT"), std::string::npos) << ept->why;
  EXPECT_EQ(r.verdicts.find("kvm.enable_unrestricted_guest")->value, false);
  EXPECT_EQ(r.verdicts.find("kvm.enable_ept_ad_bits")->value, false);
  EXPECT_EQ(r.verdicts.kvm.loads, true);  // with shadow paging (the CPU has NX)
}

TEST(Verdicts, KvmTurnsVpidOffWithoutUsableInvvpid) {
  Snapshot s = load_testdata("corei7_skylake_x");
  set_msr(s, msr::kVmxEptVpidCap, get_msr(s, msr::kVmxEptVpidCap) & ~(bit(41) | bit(42)));
  Diagnosis r = diagnose(std::move(s));
  EXPECT_EQ(r.verdicts.find("vpid")->value, true);
  EXPECT_EQ(r.verdicts.find("kvm.enable_vpid")->value, false);
}

TEST(Verdicts, KvmRefusesWithoutRequiredControlOrNx) {
  Snapshot s = load_testdata("corei7_skylake_x");
  // HLT exiting (primary bit 7) may not be 1.
  set_msr(s, msr::kVmxProcbasedCtls, get_msr(s, msr::kVmxProcbasedCtls) & ~bit(32 + 7));
  set_msr(s, msr::kVmxTrueProcbasedCtls, get_msr(s, msr::kVmxTrueProcbasedCtls) & ~bit(32 + 7));
  Diagnosis r = diagnose(std::move(s));
  EXPECT_EQ(r.verdicts.kvm.loads, false);
  ASSERT_FALSE(r.verdicts.kvm.blockers.empty());
  EXPECT_NE(r.verdicts.kvm.blockers[0].find("HLT exiting"), std::string::npos) << r.verdicts.kvm.blockers[0];

  Snapshot p = load_testdata("core2_penryn_t9600");  // no EPT: shadow paging needs NX
  p.identity.nx = false;
  Diagnosis rp = diagnose(std::move(p));
  EXPECT_EQ(rp.verdicts.kvm.loads, false);
}

TEST(Verdicts, NestedIsAFinding) {
  Snapshot s = load_testdata("corei7_skylake_x");
  s.identity.hypervisor = true;
  s.identity.hypervisor_signature = "KVMKVMKVM";
  Diagnosis r = diagnose(std::move(s));
  ASSERT_FALSE(r.verdicts.findings.empty());
  EXPECT_EQ(r.verdicts.findings[0].id, "nested");
  EXPECT_NE(r.verdicts.findings[0].text.find("KVMKVMKVM"), std::string::npos);
  EXPECT_NE(diagnosis_text(r).find("Running under a hypervisor"), std::string::npos);
}

}  // namespace
}  // namespace vmxb::diag
