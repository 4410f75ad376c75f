// The revision a run measured: the label and order rules (one place, used by
// bench's flags and report validation), validation of a report's context,
// and compare naming both sides' revisions.
#include "reports/revision.h"

#include <gtest/gtest.h>

#include "reports/report.h"
#include "reports/tests/fixtures.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

TEST(Revision, LabelsAreFreeFormButBounded) {
  EXPECT_EQ(revision_label_error("6058494"), "");
  EXPECT_EQ(revision_label_error("linux 6.12.118 / microcode 0x2007006"), "");
  EXPECT_EQ(revision_label_error(""), "a revision label cannot be empty");
  EXPECT_EQ(revision_label_error(std::string(kMaxRevisionLabel, 'x')), "");
  EXPECT_EQ(revision_label_error(std::string(kMaxRevisionLabel + 1, 'x')), "a revision label has at most 128 bytes, not 129");
  EXPECT_EQ(revision_label_error("two\nlines"), "a revision label cannot hold control characters");
  EXPECT_EQ(revision_label_error("esc\x1b[31m"), "a revision label cannot hold control characters");
}

TEST(Revision, OrdersAreWholeNumbersExactInJson) {
  std::string why;
  EXPECT_EQ(parse_revision_order("20261202", &why), 20261202);
  EXPECT_EQ(parse_revision_order("0", &why), 0);
  EXPECT_EQ(parse_revision_order("9007199254740992", &why), kMaxRevisionOrder);
  for (const char* bad : {"", "-1", "1.5", "v2", "9007199254740993", "99999999999999999999"}) {
    EXPECT_FALSE(parse_revision_order(bad, &why).has_value()) << bad;
    EXPECT_NE(why.find("a revision order is a whole number 0..9007199254740992"), std::string::npos) << why;
  }
}

json report_with_context(const json& extra) {
  json gb = testing::gb_doc({{"ring0/vmread", testing::around(100)}}, "2026-12-02T06:00:00+00:00");
  for (const auto& [k, v] : extra.items()) gb["context"][k] = v;
  return build_report(gb, nullptr);
}

TEST(Revision, AReportCarriesItInItsContextAndIsValidated) {
  const json r = report_with_context({{"vmxbench_revision", "abc123"}, {"vmxbench_revision_order", "42"}});
  EXPECT_EQ(validate_report(r), std::nullopt);
  const auto rev = report_revision(r);
  ASSERT_TRUE(rev.has_value());
  EXPECT_EQ(rev->label, "abc123");
  EXPECT_EQ(rev->order, 42);
  EXPECT_EQ(revision_suffix(rev), ", revision abc123 (order 42)");
  EXPECT_EQ(revision_json(rev), json({{"label", "abc123"}, {"order", 42}}));
  EXPECT_FALSE(report_revision(report_with_context(json::object())).has_value());
  EXPECT_TRUE(revision_json(std::nullopt).is_null());

  json bad = r;
  bad["google_benchmark"]["context"]["vmxbench_revision_order"] = "soon";
  ASSERT_TRUE(validate_report(bad).has_value());
  EXPECT_NE(validate_report(bad)->find("/google_benchmark/context/vmxbench_revision_order: a revision order"),
            std::string::npos)
      << *validate_report(bad);
  bad = r;
  bad["google_benchmark"]["context"].erase("vmxbench_revision");
  ASSERT_TRUE(validate_report(bad).has_value());
  EXPECT_NE(validate_report(bad)->find("vmxbench_revision_order without vmxbench_revision"), std::string::npos);
  EXPECT_THROW(report_with_context({{"vmxbench_revision", ""}}), ReportError);
}

}  // namespace
}  // namespace vmxb::reports
