// Reports built with diag's own JSON (//diag:diag_lib on the Bochs dumps in
// diag/testdata): the capability hash and the summary come out of the real
// document, not only out of the hand-written fixtures.
#include <gtest/gtest.h>

#include "diag/dump.h"
#include "diag/diagnosis.h"
#include "reports/dashboard.h"
#include "reports/diag_view.h"
#include "reports/report.h"
#include "reports/tests/fixtures.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

json diag_report_of(const std::string& model) {
  diag::Snapshot s;
  std::string error;
  const std::string path = testing::runfile_path("diag/testdata/" + model + ".json");
  EXPECT_TRUE(diag::read_snapshot_file(path, s, error)) << error;
  return diag::diagnosis_json(diag::diagnose(std::move(s)));
}

std::map<std::string, std::string> verdicts_by_name(const json& d) {
  std::map<std::string, std::string> m;
  for (const Verdict& v : diag_verdicts(d)) m[v.name] = v.verdict;
  return m;
}

TEST(DiagIntegration, ReportsCarryDiagsDocument) {
  json skylake = diag_report_of("corei7_skylake_x"), penryn = diag_report_of("core2_penryn_t9600");
  json r = testing::make_report({{"ring0/invept_global", {1, 1, 1}}}, "2026-11-26T06:00:00+00:00", {},
                               {"bochs", "corei7_skylake_x"}, &skylake);
  EXPECT_EQ(validate_report(r), std::nullopt);
  EXPECT_EQ(r["diag"], skylake);
  ASSERT_TRUE(r["host"]["vmx_capability_hash"].is_string());

  // The hash covers the MSRs diag read: another model, another hash.
  EXPECT_NE(capability_hash(skylake), capability_hash(penryn));
  std::map<std::string, std::string> msrs;
  std::string why;
  ASSERT_TRUE(capability_msrs(skylake, msrs, why)) << why;
  EXPECT_EQ(msrs["0x480"], "0x00d810000000002b");  // IA32_VMX_BASIC of Bochs corei7_skylake_x
  EXPECT_EQ(msrs["0x48c"], "0x00000f0106334141");  // IA32_VMX_EPT_VPID_CAP

  // Verdicts as diag states them: EPT and INVEPT single-context on skylake_x, no EPT on penryn.
  auto sv = verdicts_by_name(skylake), pv = verdicts_by_name(penryn);
  EXPECT_EQ(sv["EPT"], "yes");
  EXPECT_EQ(sv["INVEPT single-context (type 1)"], "yes");
  EXPECT_EQ(pv["EPT"], "no");
  DiagSummary ds = summarize_diag(skylake);
  EXPECT_GT(ds.checks_passed, 0);
  EXPECT_FALSE(ds.exit_id.empty());
}

TEST(DiagIntegration, DashboardShowsTheSummary) {
  json skylake = diag_report_of("corei7_skylake_x");
  History h(open_database("sqlite:" + testing::temp_dir("diagdash") + "/h.sqlite"));
  h.ingest(testing::make_report({{"ring0/invept_global", {1, 1, 1}}}, "2026-11-26T06:00:00+00:00", {},
                               {"bochs", "corei7_skylake_x"}, &skylake));
  const std::string html = render_dashboard(h.query({}), h.reports({}), {});
  EXPECT_NE(html.find("INVEPT single-context (type 1)</td><td class=\"ok\">yes"), std::string::npos);
  EXPECT_NE(html.find("SDM checks: "), std::string::npos);
  EXPECT_NE(html.find("(the emulated CPU)"), std::string::npos);
}

const NotableCheck* notable(const DiagSummary& ds, const std::string& id) {
  for (const NotableCheck& n : ds.notable)
    if (n.id == id) return &n;
  return nullptr;
}

// Real-hardware dumps (diag/testdata/hw_*.json): the Ivy Bridge's VMCS_ENUM
// observation and the Core 2's MISC bit 9 warning are counted and carried
// with their text, not lost among pass/fail/skip.
TEST(DiagIntegration, SummaryKeepsObservationsAndWarnings) {
  DiagSummary ivy = summarize_diag(diag_report_of("hw_ivybridge_06_3a"));
  EXPECT_EQ(ivy.exit_id, "vmx_usable");
  EXPECT_EQ(ivy.checks_failed, 0);
  EXPECT_EQ(ivy.checks_observed, 1);
  ASSERT_EQ(ivy.notable.size(), 1u);
  EXPECT_EQ(ivy.notable[0].id, "vmcs_enum.feature_index");
  EXPECT_EQ(ivy.notable[0].severity, "observation");
  EXPECT_EQ(ivy.notable[0].outcome, "observed");
  EXPECT_NE(ivy.notable[0].detail.find("VMX-preemption timer value"), std::string::npos) << ivy.notable[0].detail;
  EXPECT_NE(ivy.notable[0].rule.find("real CPUs of these generations report less than their features imply"),
            std::string::npos);

  DiagSummary core2 = summarize_diag(diag_report_of("hw_core2_penryn_06_17"));
  EXPECT_EQ(core2.exit_id, "vmx_usable");
  EXPECT_EQ(core2.checks_failed, 1);
  EXPECT_EQ(core2.warnings_failed, 1);
  EXPECT_EQ(core2.errors_failed, 0);
  EXPECT_EQ(core2.checks_observed, 0);
  const NotableCheck* misc = notable(core2, "misc.reserved");
  ASSERT_NE(misc, nullptr);
  EXPECT_EQ(misc->severity, "warning");
  EXPECT_NE(misc->detail.find("known hardware deviation"), std::string::npos) << misc->detail;
}

TEST(DiagIntegration, DashboardShowsObservationsAndWarnings) {
  json ivy = diag_report_of("hw_ivybridge_06_3a"), core2 = diag_report_of("hw_core2_penryn_06_17");
  History h(open_database("sqlite:" + testing::temp_dir("diagnotes") + "/h.sqlite"));
  h.ingest(testing::make_report({{"ring0/invept_global", {1, 1, 1}}}, "2026-11-26T06:00:00+00:00", {},
                               {"bochs", "ivybridge"}, &ivy));
  h.ingest(testing::make_report({{"ring0/invept_global", {1, 1, 1}}}, "2026-11-26T07:00:00+00:00", {},
                               {"bochs", "core2"}, &core2));
  const std::string html = render_dashboard(h.query({}), h.reports({}), {});
  const std::string ivy_counts =
      "0 fail</span>, " + std::to_string(summarize_diag(ivy).checks_skipped) + " skipped, 1 observed.";
  EXPECT_NE(html.find(ivy_counts), std::string::npos) << ivy_counts;
  EXPECT_NE(html.find("<b class=\"ok\">observation</b> <code>vmcs_enum.feature_index</code>"), std::string::npos);
  EXPECT_NE(html.find("real CPUs of these generations report less than their features imply"), std::string::npos);
  // The Core 2's warning: amber, not red, with its text.
  EXPECT_NE(html.find("<span class=\"warn\">1 fail</span> (0 errors, 1 warnings)"), std::string::npos);
  EXPECT_NE(html.find("<b class=\"warn\">warning</b> <code>misc.reserved</code>"), std::string::npos);
  EXPECT_NE(html.find("known hardware deviation"), std::string::npos);
}

}  // namespace
}  // namespace vmxb::reports
