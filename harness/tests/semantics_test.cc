// The semantics suite, guest entries included, on five Bochs CPU models (the model without long mode,
// core_duo_t2400_yonah, is image_robustness_test's: the image stops before it). Every model must finish (END
// line, no hang), with zero FAIL lines; what must PASS, SKIP or be KNOWN on
// each model follows from its capability MSRs.
#include <set>
#include <string>

#include "harness/tests/image_runs.h"

namespace vmxb::harness {
namespace {

using testing::boot;
using testing::joined;

struct ModelCase {
  const char* model;
  bool vmx;
  bool ept;                  // EPT and VPID advertised
  bool vmcs_shadowing;       // IA32_VMX_PROCBASED_CTLS2 allows "VMCS shadowing"
  bool rdrand_rdseed;        // 0F C7 /6 and /7 with a register operand are RDRAND and RDSEED
  bool ept_accessed_dirty;   // IA32_VMX_EPT_VPID_CAP[21]
  bool eptp_switching;       // "enable VM functions" and IA32_VMX_VMFUNC[0]
};

// The guest cases (semantics/guest_cases.cc): those every 64-bit VMX model
// runs, those that need EPT and those that need EPTP switching.
constexpr const char* kGuestCases[] = {
    "vmlaunch_launched_vmcs", "vmresume_clear_vmcs", "vmlaunch_control_must_be_1_bit_clear",
    "vmlaunch_control_must_be_0_bit_set", "vmlaunch_host_cr4_vmxe_clear", "vmlaunch_host_tr_selector_0",
    "vmlaunch_vmcs_link_pointer_wrong_revision", "vmlaunch_guest_rflags_bit_1_clear", "vmcall_exit_reason_18",
    "cpuid_exit_reason_10"};
constexpr const char* kGuestEptCases[] = {"ept_violation_read_of_unmapped_gpa", "ept_misconfiguration_gpa"};
constexpr const char* kGuestVmfuncCases[] = {"vmfunc_invalid_eptp_list_entry", "vmfunc_eptp_index_512",
                                             "vmfunc_disabled_function_1", "vmfunc_function_64_ud"};

// The SKIP line's reason for `name`, or "" when it did not skip.
std::string skip_reason(const std::string& lines, const std::string& name) {
  const std::string head = "SKIP: " + name + ": ";
  const size_t at = lines.find(head);
  if (at == std::string::npos) return "";
  const size_t end = lines.find('\n', at);
  return lines.substr(at + head.size(), end == std::string::npos ? std::string::npos : end - at - head.size());
}

void expect_all(const std::set<std::string>& got, std::initializer_list<const char*> names, const std::string& lines) {
  for (const char* name : names) EXPECT_TRUE(got.count(name)) << name << "\n" << lines;
}

class SemanticsTest : public ::testing::TestWithParam<ModelCase> {};

std::set<std::string> names_with(const ImageReport& r, const std::string& verdict) {
  std::set<std::string> out;
  for (const auto& t : r.tests)
    if (t.verdict == verdict) out.insert(t.name);
  return out;
}

TEST_P(SemanticsTest, SuiteCompletesWithoutFailures) {
  const ModelCase& c = GetParam();
  const auto r = boot(c.model, make_plan(PlanMode::kSemantics));
  ASSERT_TRUE(r.run.completed) << r.run.error << "\n" << joined(r.run.lines);
  ASSERT_TRUE(r.report.summary.has_value()) << joined(r.run.lines);
  EXPECT_TRUE(r.report.malformed.empty()) << r.report.malformed.front();
  EXPECT_TRUE(r.report.exceptions.empty());
  const Summary& s = *r.report.summary;
  EXPECT_EQ(s.failures, 0u) << joined(r.run.lines);
  EXPECT_EQ(s.tests, r.report.tests.size()) << "SUMMARY must count every line";
  EXPECT_EQ(s.skipped, names_with(r.report, "SKIP").size());
  EXPECT_EQ(s.known, names_with(r.report, "KNOWN").size());
  EXPECT_TRUE(r.run.end_ok);
  ASSERT_TRUE(r.report.cpu.has_value());
  EXPECT_EQ(r.report.cpu->vmx, c.vmx);

  const auto pass = names_with(r.report, "PASS");
  const auto skip = names_with(r.report, "SKIP");
  const auto known = names_with(r.report, "KNOWN");
  const auto observed = names_with(r.report, "OBSERVED");
  if (!c.vmx) {
    EXPECT_TRUE(pass.empty()) << "no VMX: nothing may run";
    EXPECT_EQ(skip, std::set<std::string>{"vmx_semantics"});
    return;
  }
  // Always executed with VMX (SDM 31.3, independent of EPT).
  for (const char* name : {"vmxon_ud_with_cr4_vmxe_clear", "invept_ud_before_vmxon", "vmxon",
                           "vmxon_twice_without_current_vmcs", "vmxon_twice_with_current_vmcs",
                           "vmread_unsupported_field", "vmptrld_wrong_revision_id", "vmptrld_vmxon_pointer",
                           "vmclear_vmxon_pointer", "vmxoff", "invept_ud_after_vmxoff",
                           // Bochs advertises no dual-monitor treatment (IA32_VMX_BASIC[49] = 0).
                           "vmcall_without_current_vmcs"})
    EXPECT_TRUE(pass.count(name)) << name << "\n" << joined(r.run.lines);
  // Also with VMX: VMXON's failures (31.3 VMXON), VMWRITE, VMCS pointers
  // beyond MAXPHYADDR, losing the current VMCS, and bad operands.
  const std::string lines = joined(r.run.lines);
  expect_all(pass,
             {"vmcall_ud_before_vmxon", "vmcall_ud_before_vmxon_cr4_vmxe_set", "vmxon_unaligned_region",
              "vmxon_region_beyond_maxphyaddr", "vmxon_wrong_revision_id", "vmxon_revision_bit_31_set",
              "vmxon_gp_cr0_violates_fixed_bits", "vmwrite_without_current_vmcs", "vmwrite_unsupported_field",
              "vmwrite_encoding_bits_63_32_set", "vmptrld_address_beyond_maxphyaddr",
              "vmclear_address_beyond_maxphyaddr", "vmclear_current_vmcs_then_vmptrst_all_ones",
              "vmclear_current_vmcs_then_vmread_fails_invalid", "vmclear_current_vmcs_then_vmwrite_fails_invalid",
              "vmxoff_vmxon_leaves_no_current_vmcs", "current_vmcs_restored", "vmxon_register_operand_ud",
              "vmptrst_lock_prefix_ud", "vmread_lock_prefix_ud", "vmptrld_noncanonical_operand_gp",
              "vmptrld_noncanonical_stack_operand_ss", "vmptrld_unmapped_operand_pf",
              // At CPL 3 and in compatibility mode (31.3: #GP(0) and #UD), after
              // the negative controls that show the image got there.
              "cpl3_stub_runs_to_its_end", "compatibility_mode_stub_runs_to_its_end", "vmxon_gp_at_cpl3", "vmxoff_gp_at_cpl3", "vmclear_gp_at_cpl3", "vmptrld_gp_at_cpl3",
              "vmptrst_gp_at_cpl3", "vmread_gp_at_cpl3", "vmwrite_gp_at_cpl3", "vmptrst_ud_in_compatibility_mode",
              "vmread_ud_in_compatibility_mode", "vmxoff_ud_in_compatibility_mode"},
             lines);
  // Guest entries: every VMX model here has long mode, so these run everywhere.
  for (const char* name : kGuestCases) EXPECT_TRUE(pass.count(name)) << name << "\n" << lines;
  // EPT-induced exits need EPT, the VMFUNC exits EPTP switching; a skip
  // names the capability bit (IA32_VMX_PROCBASED_CTLS2 bit 33, bit 45).
  for (const char* name : kGuestEptCases) {
    EXPECT_TRUE((c.ept ? pass : skip).count(name)) << name << "\n" << lines;
    if (!c.ept) {
      EXPECT_EQ(skip_reason(lines, name), "IA32_VMX_PROCBASED_CTLS2[33] = 0: Enable EPT not supported");
    }
  }
  for (const char* name : kGuestVmfuncCases) {
    EXPECT_TRUE((c.eptp_switching ? pass : skip).count(name)) << name << "\n" << lines;
    if (!c.eptp_switching) {
      EXPECT_EQ(skip_reason(lines, name), "IA32_VMX_PROCBASED_CTLS2[45] = 0: Enable VM functions not supported");
    }
  }
  // Bochs's IA32_VMX_CR4_FIXED1 allows every CR4 bit MOV accepts.
  EXPECT_TRUE(skip.count("vmxon_gp_cr4_violates_fixed_bits")) << lines;
  // With VMCS shadowing VMPTRLD accepts the shadow-VMCS indicator (31.3 VMPTRLD).
  EXPECT_TRUE(pass.count(c.vmcs_shadowing ? "vmptrld_shadow_indicator_with_vmcs_shadowing" : "vmptrld_shadow_indicator"))
      << lines;
  // Register forms that are RDRAND/RDSEED on this CPU are not VMX instructions there.
  for (const char* name : {"vmclear_register_operand_ud", "vmptrld_register_operand_ud", "vmptrst_register_operand_ud"})
    EXPECT_TRUE((c.rdrand_rdseed ? skip : pass).count(name)) << name << "\n" << lines;
  // Bochs 2.7 cannot execute VMCALL in VMX root: recorded, never passed.
  EXPECT_TRUE(known.count("vmcall_in_vmx_root"));
  EXPECT_FALSE(pass.count("vmcall_in_vmx_root"));
  if (c.ept) {
    for (const char* name : {"invept_type_0_with_current_vmcs", "invept_type_1_with_current_vmcs",
                             "invept_type_2_with_current_vmcs", "invept_type_3_with_current_vmcs",
                             "invept_type_0_without_current_vmcs", "invept_type_3_without_current_vmcs",
                             "invept_eptp_reserved_memory_type", "invept_eptp_bits_above_maxphyaddr",
                             "invvpid_vpid_0_single_context", "invvpid_descriptor_bits_63_16_set",
                             "invvpid_noncanonical_address", "invvpid_type_sweep_4_to_7"})
      EXPECT_TRUE(pass.count(name)) << name << "\n" << joined(r.run.lines);
    EXPECT_TRUE(skip.count("invept_ud_when_not_advertised"));
    expect_all(pass,
               {"invept_eptp_walk_length_field_0", "invept_eptp_walk_length_field_7", "invept_eptp_reserved_bits_11_8",
                "invept_type_sweep_4_to_7", "invept_gp_at_cpl3", "invvpid_gp_at_cpl3", "invept_ud_in_compatibility_mode"},
               lines);
    EXPECT_TRUE((c.ept_accessed_dirty ? skip : pass).count("invept_eptp_accessed_dirty_unsupported")) << lines;
    // Every EPT model advertises both UC and WB.
    EXPECT_TRUE(skip.count("invept_eptp_unadvertised_memory_type")) << lines;
    // Bochs reads INVEPT's type as 32 bits without REX.W: recorded, never passed.
    EXPECT_EQ(known, (std::set<std::string>{"vmcall_in_vmx_root", "invept_type_bits_63_32_set",
                                            "invvpid_type_bits_63_32_set"}))
        << lines;
    EXPECT_NE(lines.find("KNOWN: invept_type_bits_63_32_set: emulator gives VMsucceed;"), std::string::npos);
    EXPECT_NE(lines.find("KNOWN: invvpid_type_bits_63_32_set: emulator gives VMsucceed;"), std::string::npos);
    // The SDM leaves INVEPT_DESC[127:64] unchecked (31.3): Bochs ignores them.
    EXPECT_EQ(observed, std::set<std::string>{"invept_descriptor_bits_127_64_set"}) << joined(r.run.lines);
    EXPECT_NE(joined(r.run.lines).find("OBSERVED: invept_descriptor_bits_127_64_set: VMsucceed;"), std::string::npos);
  } else {
    EXPECT_TRUE(observed.empty());
    EXPECT_TRUE(skip.count("invept_descriptor_bits_127_64_set"));
    // Gated: never executed where not advertised ...
    for (const char* name : {"invept_type_1_with_current_vmcs", "invvpid_type_2_with_current_vmcs"})
      EXPECT_TRUE(skip.count(name)) << name;
    // ... except the deliberate #UD probe, where Bochs departs from the SDM.
    EXPECT_TRUE(known.count("invept_ud_when_not_advertised")) << joined(r.run.lines);
    EXPECT_TRUE(known.count("invvpid_ud_when_not_advertised")) << joined(r.run.lines);
    EXPECT_EQ(known, (std::set<std::string>{"vmcall_in_vmx_root", "invept_ud_when_not_advertised",
                                            "invvpid_ud_when_not_advertised"}));
    for (const char* name : {"invept_eptp_walk_length_field_0", "invept_type_sweep_4_to_7", "invept_type_bits_63_32_set",
                             "invvpid_type_bits_63_32_set",
                             "invept_gp_at_cpl3", "invvpid_gp_at_cpl3", "invept_ud_in_compatibility_mode"})
      EXPECT_TRUE(skip.count(name)) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(BochsModels, SemanticsTest,
                         ::testing::Values(ModelCase{"corei7_skylake_x", true, true, true, true, true, true},
                                           ModelCase{"tigerlake", true, true, true, true, true, true},
                                           ModelCase{"corei7_sandy_bridge_2600k", true, true, false, false, false, false},
                                           ModelCase{"core2_penryn_t9600", true, false, false, false, false, false},
                                           ModelCase{"ryzen", false, false, false, false, false, false}),
                         [](const auto& info) { return std::string(info.param.model); });

}  // namespace
}  // namespace vmxb::harness
