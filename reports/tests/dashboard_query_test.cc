// What the dashboard reads from the history (reports/dashboard_query.h), on
// SQLite and on PostgreSQL: which runs stay as they are, how older runs are
// folded (every number worked out here from the inputs), and which reports
// are read whole.
#include "reports/dashboard_query.h"

#include <map>

#include <gtest/gtest.h>

#include "reports/dashboard.h"
#include "reports/report.h"
#include "reports/timeutil.h"
#include "reports/tests/fixtures.h"
#include "reports/tests/pg_environment.h"
#include "stats/descriptive.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

// Registers the one server of the binary before main() runs the tests.
const auto& registered_pg_environment = testing::pg_environment();

// Run `i` of a test's series: one a week (2026-01-01 is a Thursday, so run i
// is in the week of Monday 2025-12-29 + 7i), as the history stores its
// time (UTC, "Z"); daily_stamp(d) is day d.
std::string week_stamp(int i) { return format_utc(*parse_iso8601(testing::format_day(7 * i))); }
std::string daily_stamp(int d) { return format_utc(*parse_iso8601(testing::format_day(d))); }

constexpr char kSingle[] = "ring0/invept_single_context";
constexpr char kUserSpace[] = "userspace_capture/flag_outputs";

class DashboardQueryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      url_ = "sqlite:" + testing::temp_dir("dashboard-query") + "/history.sqlite";
    } else {
      std::string why;
      url_ = testing::pg_environment().new_database("vmxbench_dashboard_query_", why);
      ASSERT_FALSE(url_.empty()) << why;
    }
    history_ = std::make_unique<History>(open_database(url_));
  }

  static std::vector<double> single_context_samples(int day) { return testing::around(500.0 + day, 9, day); }

  // Run `day` of host `host` at `when` (default: week_stamp(day)):
  // INVEPT single-context (unsupported where asked), and a user-space row.
  json run(const std::string& host, int day, const testing::BackendSpec& backend = {}, const json* diag = nullptr,
           bool unsupported = false, const std::string& when = "") {
    testing::HostSpec h;
    h.name = host;
    std::map<std::string, std::vector<double>> rows = {{kUserSpace, testing::around(2.0 + day, 9, day + 50)}};
    if (!unsupported) rows[kSingle] = single_context_samples(day);
    json gb = testing::gb_doc(rows, when.empty() ? week_stamp(day) : when, h, backend);
    if (unsupported)
      for (const json& r : testing::unsupported_rows(kSingle, "IA32_VMX_EPT_VPID_CAP[25] is 0")) gb["benchmarks"].push_back(r);
    return build_report(gb, diag);
  }

  std::vector<const HistoryPoint*> series(const DashboardInput& in, const std::string& host, const std::string& name) {
    std::vector<const HistoryPoint*> out;
    for (const HistoryPoint& p : in.points)
      if (p.host_name == host && p.benchmark == name) out.push_back(&p);
    return out;
  }

  std::string url_;
  std::unique_ptr<History> history_;
};

TEST_P(DashboardQueryTest, KeepsTheNewestRunsAndFoldsTheOlderOnesIntoMeans) {
  for (int day = 0; day < 12; ++day) history_->ingest(run("alpha", day));
  const DashboardInput in = load_dashboard_input(*history_, {}, DashboardLimits{4, 3});
  const std::vector<const HistoryPoint*> points = series(in, "alpha", kSingle);
  // 12 runs, a week apart: from the week of the 4th newest on as they are;
  // the 8 weeks before in min(3, 8) = 3 slices by age: (age - 1) * 3 / 8 for
  // ages 1..8 puts 3, 3 and 2 weeks (runs) in them.
  ASSERT_EQ(points.size(), 7u);
  const std::vector<std::vector<int>> folded_days = {{0, 1}, {2, 3, 4}, {5, 6, 7}};
  for (size_t i = 0; i < folded_days.size(); ++i) {
    const HistoryPoint& p = *points[i];
    const std::vector<int>& days = folded_days[i];
    EXPECT_EQ(p.runs, static_cast<int64_t>(days.size())) << i;
    EXPECT_EQ(p.first_timestamp, week_stamp(days.front())) << i;
    EXPECT_EQ(p.timestamp, week_stamp(days.back())) << i;
    double sum = 0;
    for (int day : days) sum += stats::median(single_context_samples(day));
    EXPECT_NEAR(p.median, sum / static_cast<double>(days.size()), 1e-9) << i;
    EXPECT_TRUE(p.samples.empty()) << i;
    EXPECT_TRUE(p.error.empty()) << i;
  }
  for (size_t i = 3; i < points.size(); ++i) {
    EXPECT_EQ(points[i]->runs, 1);
    EXPECT_EQ(points[i]->timestamp, week_stamp(static_cast<int>(i) + 5));
    EXPECT_EQ(points[i]->samples.size(), 9u);
  }
  // Both series of the host fold the same way: 2 series x 8 runs.
  EXPECT_EQ(in.folded_runs, 16);
  EXPECT_EQ(in.folded_points, 6);
  EXPECT_EQ(in.runs.size(), 12u);
}

TEST_P(DashboardQueryTest, ASeriesThatFitsIsShownAsItIs) {
  for (int day = 0; day < 7; ++day) history_->ingest(run("alpha", day));
  const DashboardInput in = load_dashboard_input(*history_, {}, DashboardLimits{4, 3});  // 7 <= 4 + 3
  EXPECT_EQ(series(in, "alpha", kSingle).size(), 7u);
  EXPECT_EQ(in.folded_runs, 0);
  for (const HistoryPoint& p : in.points) EXPECT_EQ(p.runs, 1);
}

TEST_P(DashboardQueryTest, UnsupportedRunsFoldApartFromMeasuredOnes) {
  for (int day = 0; day < 10; ++day) history_->ingest(run("alpha", day, {}, nullptr, /*unsupported=*/day < 3));
  const DashboardInput in = load_dashboard_input(*history_, {}, DashboardLimits{2, 2});
  const std::vector<const HistoryPoint*> points = series(in, "alpha", kSingle);
  // Runs 8 and 9 as they are; weeks 7..0 in 2 slices: 0..3 and 4..7; runs
  // 0..2 were unsupported, so the first slice is read as its 3 unsupported
  // runs and its 1 measured run.
  ASSERT_EQ(points.size(), 5u);
  int64_t unsupported_runs = 0, measured_runs = 0;
  for (const HistoryPoint* p : points) {
    if (p->first_timestamp.empty()) continue;  // shown as it is
    (p->error.empty() ? measured_runs : unsupported_runs) += p->runs;
    if (!p->error.empty()) {
      EXPECT_EQ(row_outcome(p->error).reason, "IA32_VMX_EPT_VPID_CAP[25] is 0");
    }
  }
  EXPECT_EQ(unsupported_runs, 3);
  EXPECT_EQ(measured_runs, 5);
}

TEST_P(DashboardQueryTest, UserSpaceRowsFoldPerHostAcrossBackends) {
  testing::BackendSpec bochs;
  bochs.kind = "bochs";
  bochs.bochs_model = "corei7_skylake_x";
  for (int day = 0; day < 10; ++day) history_->ingest(run("alpha", day, day % 2 ? bochs : testing::BackendSpec{}));
  const DashboardInput in = load_dashboard_input(*history_, {}, DashboardLimits{2, 2});
  // The user-space series is the host's 10 runs; each ring-0 series is one backend's 5.
  std::vector<const HistoryPoint*> user = series(in, "alpha", kUserSpace);
  int64_t runs = 0;
  for (const HistoryPoint* p : user) runs += p->runs;
  EXPECT_EQ(runs, 10);
  EXPECT_EQ(user.size(), 4u);  // 2 as they are, 8 older in 2 slices
  int64_t ring0_runs = 0;
  for (const HistoryPoint* p : series(in, "alpha", kSingle)) ring0_runs += p->runs;
  EXPECT_EQ(ring0_runs, 10);
  // Per backend (5 runs): 2 as they are, 3 older weeks in min(2, 3) = 2 slices.
  EXPECT_EQ(series(in, "alpha", kSingle).size(), 8u);
}

TEST_P(DashboardQueryTest, ReadsWholeOnlyTheReportsThePageShows) {
  const json before = testing::diag_doc(), after = testing::diag_doc(0xf0106334141ull & ~(1ull << 25));
  for (int day = 0; day < 10; ++day) history_->ingest(run("alpha", day, {}, day < 6 ? &before : &after));
  for (int day = 0; day < 3; ++day) history_->ingest(run("beta", day));
  const DashboardInput in = load_dashboard_input(*history_, {}, DashboardLimits{2, 2});
  std::vector<std::string> read;
  for (const HistoryReport& r : in.reports) read.push_back(r.host_name + " " + r.timestamp);
  // alpha: both sides of its capability change (days 5 and 6) and its latest
  // (day 9, also its latest with a diag part); beta: its latest.
  EXPECT_EQ(read, (std::vector<std::string>{"beta " + week_stamp(2), "alpha " + week_stamp(5),
                                             "alpha " + week_stamp(6), "alpha " + week_stamp(9)}));
  EXPECT_EQ(in.runs.size(), 13u);
  // The page still names the change's items from those two reports.
  DashboardSummary summary;
  const std::string html = render_dashboard(in, {}, &summary);
  EXPECT_NE(html.find("lost: IA32_VMX_EPT_VPID_CAP bit 25"), std::string::npos);
  EXPECT_NE(html.find("id=\"folded\""), std::string::npos);
  EXPECT_EQ(summary.folded_runs, in.folded_runs);
  EXPECT_GT(summary.folded_runs, 0);
}

// The group's latest report with live rows is read whole even when later
// reports lack them: the page's live view comes from it.
TEST_P(DashboardQueryTest, ReadsTheLatestReportWithLiveRows) {
  testing::HostSpec h;
  h.name = "alpha";
  history_->ingest(run("alpha", 0));
  history_->ingest(testing::make_live_report({{kSingle, testing::around(500, 9, 1)}},
                                             {{"invept_single_context_live", 64, 900, 40, 90, 70}}, week_stamp(1), h));
  history_->ingest(run("alpha", 2));
  const DashboardInput in = load_dashboard_input(*history_, {}, DashboardLimits{2, 2});
  std::vector<std::string> read;
  for (const HistoryReport& r : in.reports) read.push_back(r.timestamp);
  EXPECT_EQ(read, (std::vector<std::string>{week_stamp(1), week_stamp(2)}));
  DashboardSummary summary;
  render_dashboard(in, {}, &summary);
  EXPECT_EQ(summary.live_views, 1);
}

TEST_P(DashboardQueryTest, NothingIsFoldedWithRecentRunsZero) {
  for (int day = 0; day < 12; ++day) history_->ingest(run("alpha", day));
  const DashboardInput in = load_dashboard_input(*history_, {}, DashboardLimits{0, 3});
  EXPECT_EQ(series(in, "alpha", kSingle).size(), 12u);
  EXPECT_EQ(in.folded_runs, 0);
  const std::string html = render_dashboard(in, {});
  EXPECT_EQ(html.find("id=\"folded\""), std::string::npos);
}

TEST_P(DashboardQueryTest, FoldsWithinTheSelection) {
  for (int day = 0; day < 12; ++day) history_->ingest(run("alpha", day));
  HistoryQuery q;
  q.since = week_stamp(6);
  q.benchmark = kSingle;
  const DashboardInput in = load_dashboard_input(*history_, q, DashboardLimits{2, 2});
  // Runs 6..11 only: 2 as they are, 4 older weeks in 2 slices; the user-space row is not selected.
  const std::vector<const HistoryPoint*> points = series(in, "alpha", kSingle);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points.front()->first_timestamp, week_stamp(6));
  EXPECT_TRUE(series(in, "alpha", kUserSpace).empty());
  EXPECT_EQ(in.runs.size(), 6u);
}

// The edge is a whole week: with a run a day, the week of the 4th newest
// run is shown entire, and only whole weeks are folded.
TEST_P(DashboardQueryTest, FoldsWholeWeeks) {
  for (int day = 0; day < 12; ++day) history_->ingest(run("alpha", day, {}, nullptr, false, daily_stamp(day)));
  const DashboardInput in = load_dashboard_input(*history_, {}, DashboardLimits{4, 3});
  const std::vector<const HistoryPoint*> points = series(in, "alpha", kSingle);
  // Days 0..3 (Thursday 2026-01-01 to Sunday) are the week before that of
  // day 8 (the 4th newest): one folded point; days 4..11 as they are.
  ASSERT_EQ(points.size(), 9u);
  EXPECT_EQ(points[0]->runs, 4);
  EXPECT_EQ(points[0]->first_timestamp, daily_stamp(0));
  EXPECT_EQ(points[0]->timestamp, daily_stamp(3));
  EXPECT_EQ(points[1]->timestamp, daily_stamp(4));
  EXPECT_TRUE(points[1]->first_timestamp.empty());
}

INSTANTIATE_TEST_SUITE_P(Storage, DashboardQueryTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace vmxb::reports
