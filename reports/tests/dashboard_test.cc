// The dashboard's HTML, checked as text: self-contained, one plot per
// benchmark and host/backend, INVEPT pairs, regressions highlighted,
// emulated rows labelled as instruction counts, capability summaries.
#include "reports/dashboard.h"

#include <cstdlib>
#include <regex>

#include <gtest/gtest.h>

#include "reports/plot.h"
#include "reports/tests/fixtures.h"

namespace vmxb::reports {
namespace {

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    history_ = std::make_unique<History>(open_database("sqlite:" + testing::temp_dir("dash") + "/h.sqlite"));
    demo_ = testing::populate_demo_history(*history_);
    DashboardOptions o;
    o.generated_at = "2026-11-07T00:00:00Z";
    html_ = render_dashboard(history_->query({}), history_->reports({}), o, &summary_);
    if (const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR"))
      testing::write_file(std::string(out) + "/dashboard.html", html_);
  }
  std::unique_ptr<History> history_;
  testing::DemoHistory demo_;
  DashboardSummary summary_;
  std::string html_;
};

TEST_F(DashboardTest, IsSelfContained) {
  EXPECT_EQ(html_.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html_.find("</html>"), std::string::npos);
  for (const char* external : {"http:", "https:", "//cdn", "src=", "<link", "<script", "url(", "@import", "<iframe"})
    EXPECT_EQ(html_.find(external), std::string::npos) << external;
}

TEST_F(DashboardTest, OnePlotPerBenchmarkAndHostBackend) {
  // alpha hardware 4 + alpha bochs 3 + beta 2 benchmarks.
  EXPECT_EQ(summary_.plots, 9);
  EXPECT_EQ(count(html_, "<svg "), 9u);
  EXPECT_EQ(summary_.groups, 3);
  EXPECT_EQ(summary_.hosts, 2);
  EXPECT_EQ(count(html_, "<section class=\"group\""), 3u);
  // Each plot of six reports has six points.
  std::regex fig("<figure[^>]*data-benchmark=\"ring0/vmread\">(.*?)</figure>");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(html_, m, fig));
  EXPECT_EQ(count(m[1].str(), "<circle"), 6u);
}

TEST_F(DashboardTest, InveptSingleContextAndGlobalSideBySide) {
  EXPECT_EQ(summary_.invept_pairs, 3);
  EXPECT_EQ(count(html_, "<div class=\"pair invept\">"), 3u);
  // Inside a pair: the single-context plot, then the global one.
  size_t pair = html_.find("<div class=\"pair invept\">");
  size_t single = html_.find("data-benchmark=\"ring0/invept_single_context\"", pair);
  size_t global = html_.find("data-benchmark=\"ring0/invept_global\"", pair);
  size_t end = html_.find("</div>", pair);
  EXPECT_LT(single, global);
  EXPECT_LT(global, end);
}

TEST_F(DashboardTest, HighlightsRegressions) {
  ASSERT_EQ(summary_.regressions.size(), 2u);
  const DashboardRegression& latest = summary_.regressions[0];
  EXPECT_TRUE(latest.latest);
  EXPECT_EQ(latest.host_name, demo_.regressed_host);
  EXPECT_EQ(latest.benchmark, demo_.regressed_benchmark);
  EXPECT_NEAR(latest.change, 0.20, 0.04);
  EXPECT_LT(latest.p_value, 0.05);
  EXPECT_FALSE(summary_.regressions[1].latest);
  EXPECT_EQ(summary_.regressions[1].benchmark, demo_.recovered_benchmark);
  EXPECT_EQ(count(html_, "<tr class=\"regression\">"), 2u);
  EXPECT_EQ(count(html_, "class=\"pt regression\""), 2u);
  EXPECT_EQ(count(html_, "<figure class=\"regressed\""), 1u);  // only a regression in the latest run marks a plot
  EXPECT_EQ(html_.find("id=\"no-regressions\""), std::string::npos);
}

TEST_F(DashboardTest, NoRegressionsSaysSo) {
  HistoryQuery q;
  q.until = "2026-11-02T23:59:59Z";  // before any slowdown
  DashboardSummary s;
  std::string html = render_dashboard(history_->query(q), history_->reports(q), {}, &s);
  EXPECT_TRUE(s.regressions.empty());
  EXPECT_NE(html.find("id=\"no-regressions\""), std::string::npos);
  EXPECT_EQ(count(html, "class=\"pt regression\""), 0u);
}

TEST_F(DashboardTest, EmulatedRowsAreInstructionCountsNeverLatency) {
  size_t bochs = html_.find("alpha — bochs (corei7_skylake_x)");
  ASSERT_NE(bochs, std::string::npos);
  size_t end = html_.find("</section>", bochs);
  const std::string section = html_.substr(bochs, end - bochs);
  EXPECT_NE(section.find("emulated: instruction counts, not latency"), std::string::npos);
  EXPECT_EQ(count(section, ">instruction counts (emulated)</text>"), 3u);  // every y axis
  EXPECT_EQ(section.find("cycles"), std::string::npos);
  EXPECT_EQ(section.find(" ns"), std::string::npos);
  // Hardware sections label cycles.
  size_t hw = html_.find("alpha — module");
  ASSERT_NE(hw, std::string::npos);
  EXPECT_NE(html_.find("cycles (median per repetition)", hw), std::string::npos);
}

TEST_F(DashboardTest, CapabilitySummaryPerHost) {
  size_t alpha = html_.find("id=\"host-");
  ASSERT_NE(alpha, std::string::npos);
  // alpha: one summary from its hardware reports, one from Bochs (the emulated CPU).
  EXPECT_EQ(count(html_, "<table class=\"capability\">"), 2u);
  EXPECT_NE(html_.find("Capabilities seen by module"), std::string::npos);
  EXPECT_NE(html_.find("Capabilities seen by bochs (corei7_skylake_x)</b> (the emulated CPU)"), std::string::npos);
  EXPECT_NE(html_.find("vmx_enabled"), std::string::npos);
  EXPECT_NE(html_.find("<td class=\"bad\">fail</td>"), std::string::npos);  // vmfunc
  EXPECT_NE(html_.find("sha256:"), std::string::npos);
  // beta has no diag part.
  EXPECT_NE(html_.find("No diag results in this host's reports"), std::string::npos);
}

TEST_F(DashboardTest, EscapesWhatItPrints) {
  testing::HostSpec evil;
  evil.name = "<script>alert(1)</script>";
  history_->ingest(testing::make_report({{"x<y>", {1, 2}}}, "2026-11-08T00:00:00+00:00", evil));
  std::string html = render_dashboard(history_->query({}), history_->reports({}), {});
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST_F(DashboardTest, NoLiveViewWithoutLiveRows) {
  EXPECT_EQ(summary_.live_views, 0);
  EXPECT_EQ(html_.find("class=\"pair live\""), std::string::npos);
}

// The live-invalidation view: single-context next to global per page count,
// flush, refill and collateral each, from the latest report of the host and
// backend (an older report with other values must not show).
TEST(LiveInvalidationView, SingleNextToGlobalPerPageCount) {
  auto history = std::make_unique<History>(open_database("sqlite:" + testing::temp_dir("live") + "/h.sqlite"));
  using testing::LiveRowSpec;
  std::vector<LiveRowSpec> older, latest;
  for (const int pages : {1, 64, 512}) {
    older.push_back({"invept_single_context_live", pages, 1, 1, 1, 1});
    older.push_back({"invept_global_live", pages, 1, 1, 1, 1});
    latest.push_back({"invept_single_context_live", pages, 800.0 + pages, 10.0 * pages, 30.0 * pages, 10.0 * pages + 7});
    latest.push_back({"invept_global_live", pages, 900.0 + pages, 10.0 * pages, 31.0 * pages, 29.0 * pages});
  }
  history->ingest(testing::make_live_report({{"ring0/vmread", {100, 101, 99}}}, older, testing::format_day(0)));
  history->ingest(testing::make_live_report({{"ring0/vmread", {100, 101, 99}}}, latest, testing::format_day(1)));
  DashboardSummary summary;
  const std::string html = render_dashboard(history->query({}), history->reports({}), {}, &summary);
  EXPECT_EQ(summary.live_views, 1);
  const size_t view = html.find("<div class=\"pair live\" data-view=\"invept_live\">");
  ASSERT_NE(view, std::string::npos) << html;
  const std::string section = html.substr(view, html.find("</div>", view) - view);
  EXPECT_NE(section.find("single-context vs global"), std::string::npos);
  EXPECT_NE(section.find(testing::format_day(1).substr(0, 10)), std::string::npos) << "says which report";
  EXPECT_EQ(section.find("Emulated:"), std::string::npos) << "hardware rows";
  EXPECT_EQ(count(section, "<tr data-pages="), 3u);
  // Columns: flush, refill, refill penalty, collateral, collateral penalty; single then global.
  const std::string want64 = "<tr data-pages=\"64\"><td class=\"num\">64</td>"
                             "<td class=\"num\">864</td><td class=\"num\">964</td>"
                             "<td class=\"num\">1920</td><td class=\"num\">1984</td>"
                             "<td class=\"num\">1280</td><td class=\"num\">1344</td>"
                             "<td class=\"num\">647</td><td class=\"num\">1856</td>"
                             "<td class=\"num\">7</td><td class=\"num\">1216</td></tr>";
  EXPECT_NE(section.find(want64), std::string::npos) << section;
  EXPECT_LT(section.find("data-pages=\"1\""), section.find("data-pages=\"512\"")) << "ordered by page count";
  // Bars: one figure per page count, single and global bar per series.
  EXPECT_EQ(count(section, "<figure class=\"live-bars\""), 3u);
  EXPECT_EQ(count(section, "<rect class=\"bar single\""), 9u);
  EXPECT_EQ(count(section, "<rect class=\"bar global\""), 9u);
  EXPECT_NE(section.find("<title>global collateral: 1856 cycles</title>"), std::string::npos) << section;
}

TEST(LiveInvalidationView, EmulatedRowsSayRefillEqualsWarmByConstruction) {
  auto history = std::make_unique<History>(open_database("sqlite:" + testing::temp_dir("live_bochs") + "/h.sqlite"));
  testing::BackendSpec bochs{"bochs", "corei7_skylake_x"};
  history->ingest(testing::make_live_report({}, {{"invept_single_context_live", 64, 13, 258, 258, 258},
                                                 {"invept_global_live", 64, 12, 258, 258, 258}},
                                            testing::format_day(0), {}, bochs));
  const std::string html = render_dashboard(history->query({}), history->reports({}), {});
  const size_t view = html.find("data-view=\"invept_live\"");
  ASSERT_NE(view, std::string::npos);
  const std::string section = html.substr(view, html.find("</div>", view) - view);
  EXPECT_NE(section.find("Emulated:"), std::string::npos);
  EXPECT_NE(section.find("instruction counts (emulated)"), std::string::npos);
  EXPECT_EQ(section.find("cycles"), std::string::npos);
}

TEST(Plot, TicksAndEmptyPlots) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2.5, 5, 7.5, 10}));
  EXPECT_EQ(nice_ticks(95, 105, 5), (std::vector<double>{95, 97.5, 100, 102.5, 105}));
  PlotSpec empty;
  empty.title = "nothing";
  std::string svg = render_svg_plot(empty);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
}

}  // namespace
}  // namespace vmxb::reports
