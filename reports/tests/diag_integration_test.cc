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

}  // namespace
}  // namespace vmxb::reports
