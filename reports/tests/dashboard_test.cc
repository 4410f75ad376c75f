// The dashboard's HTML, checked as text: self-contained (dygraphs inlined),
// the summary table first with unsupported reasons, user-space rows under the
// host, flat series collapsed, one chart per family with INVEPT single-context
// and global together, regressions highlighted, emulated rows labelled as
// instruction counts, capability summaries folded. The browser test drives
// the charts.
#include "reports/dashboard.h"

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "reports/tests/fixtures.h"
#include "reports/text_format.h"
#include "reports/timeutil.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// The text from `start` (which must be found) to the next `end`.
std::string slice(const std::string& html, const std::string& start, const std::string& end) {
  const size_t from = html.find(start);
  if (from == std::string::npos) return "(" + start + " not found)";
  return html.substr(from, html.find(end, from) - from);
}

// The section of one host and where.
std::string group_section(const std::string& html, const std::string& host, const std::string& where) {
  return slice(html, "data-host=\"" + host + "\" data-where=\"" + where + "\"><h2>", "</section>");
}

// The summary table's row of one host and where.
std::string summary_row(const std::string& html, const std::string& host, const std::string& where) {
  return slice(html, "<tr data-host=\"" + host + "\" data-where=\"" + where + "\">", "</tr>");
}

// The chart data the page's script reads.
json chart_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"dashboard-data\">";
  const size_t from = html.find(open);
  if (from == std::string::npos) return nullptr;
  const size_t start = from + open.size();
  return json::parse(html.substr(start, html.find("</script>", start) - start));
}

// One chart of chart_data()'s compact encoding (its comment in
// reports/dashboard.cc) with each point as an object, as dashboard.js's
// decodeChart() reads it: {"t", "ts", "rev", "rev_order", "runs", "first_ts",
// "s", and "v", "lo", "hi", "n", "reg" when measured, "why" otherwise}.
// Written from the comment, not from the C++ encoder, so a test reading the
// facts back checks the encoding as the page sees it.
json decoded_chart(json chart) {
  const json& runs = chart["runs"];
  for (json& series : chart["series"])
    for (json& p : series["points"]) {
      const json& run = runs.at(p.at(0).get<size_t>());
      json point = {{"t", run.at(0)},
                    {"ts", run.at(1)},
                    {"rev", run.size() > 2 ? run[2] : json("")},
                    {"rev_order", run.size() > 3 ? run[3] : json(nullptr)},
                    {"runs", run.size() > 4 ? run[4] : json(1)},
                    {"first_ts", run.size() > 5 ? run[5] : json("")}};
      if (p.at(1).is_string()) {
        point["s"] = p[1] == "u" ? "unsupported" : "failed";
        point["why"] = chart["reasons"].at(p.at(2).get<size_t>());
      } else {
        point.update({{"s", "measured"}, {"v", p.at(1)}, {"lo", p.at(2)}, {"hi", p.at(3)}, {"n", p.at(4)},
                      {"reg", p.size() > 5 && p[5] == 1}});
      }
      p = std::move(point);
    }
  return chart;
}

json decoded_charts(const std::string& html) {
  json charts = json::array();
  const json data = chart_data(html);  // not a temporary in the loop: its charts would dangle
  for (const json& chart : data["charts"]) charts.push_back(decoded_chart(chart));
  return charts;
}

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    history_ = std::make_unique<History>(open_database("sqlite:" + testing::temp_dir("dash") + "/h.sqlite"));
    demo_ = testing::populate_demo_history(*history_);
    points_ = history_->query({});
    DashboardOptions o;
    o.generated_at = "2026-11-07T00:00:00Z";
    html_ = render_dashboard(points_, history_->reports({}), o, &summary_);
    if (const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR"))
      testing::write_file(std::string(out) + "/dashboard.html", html_);
  }
  const json& charts() {
    if (data_.is_null()) data_ = decoded_charts(html_);
    return data_;
  }
  // The latest point of a series, straight from the history.
  const HistoryPoint& latest(const std::string& host, const std::string& backend, const std::string& benchmark) {
    const HistoryPoint* found = nullptr;
    for (const HistoryPoint& p : points_)
      if (p.host_name == host && p.backend == backend && p.benchmark == benchmark &&
          (found == nullptr || p.timestamp > found->timestamp))
        found = &p;
    EXPECT_NE(found, nullptr) << host << " " << benchmark;
    return *found;
  }
  std::unique_ptr<History> history_;
  testing::DemoHistory demo_;
  std::vector<HistoryPoint> points_;
  DashboardSummary summary_;
  std::string html_;
  json data_;
};

TEST_F(DashboardTest, IsSelfContained) {
  EXPECT_EQ(html_.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html_.find("</html>"), std::string::npos);
  // Three scripts, all inline (no src): the data, Debian's dygraphs, the page's own.
  EXPECT_EQ(count(html_, "<script"), 3u);
  EXPECT_EQ(count(html_, "</script>"), 3u);
  EXPECT_EQ(count(html_, "<script>") + count(html_, "<script type=\"application/json\" id=\"dashboard-data\">"), 3u);
  // Outside the scripts (whose code may spell URLs), nothing refers to another resource.
  std::string markup;
  for (size_t at = 0;;) {
    const size_t open = html_.find("<script", at);
    markup += html_.substr(at, open == std::string::npos ? std::string::npos : open - at);
    if (open == std::string::npos) break;
    at = html_.find("</script>", open) + 9;
  }
  for (const char* external : {"http:", "https:", "//cdn", "src=", "<link", "url(", "@import", "<iframe"})
    EXPECT_EQ(markup.find(external), std::string::npos) << external;
  EXPECT_NE(html_.find("@license https://github.com/danvk/dygraphs"), std::string::npos) << "dygraphs inlined";
  EXPECT_NE(html_.find("window.vmxbDashboard"), std::string::npos) << "dashboard.js inlined";
  EXPECT_TRUE(chart_data(html_).is_object());
}

TEST_F(DashboardTest, OpensWithTheSummaryTable) {
  const size_t summary = html_.find("<table id=\"summary-table\">");
  ASSERT_NE(summary, std::string::npos);
  EXPECT_LT(summary, html_.find("<section id=\"regressions\">"));
  EXPECT_LT(summary, html_.find("<section class=\"group\""));
  EXPECT_LT(summary, html_.find("<figure class=\"chart"));
  // One row per host and where: alpha's user space, module and Bochs, beta's module, gamma's Bochs.
  EXPECT_EQ(count(html_, "<tr data-host="), 5u);
  EXPECT_EQ(summary_.groups, 5);
  // alpha on hardware: the latest medians, their ratio, the round trip not measured.
  const std::string row = summary_row(html_, "alpha", "module");
  const HistoryPoint& single = latest("alpha", "module", "ring0/invept_single_context");
  const HistoryPoint& global = latest("alpha", "module", "ring0/invept_global");
  EXPECT_NE(row.find(">" + num(single.median) + "</td>"), std::string::npos) << row;
  EXPECT_NE(row.find(">" + num(global.median) + "</td>"), std::string::npos) << row;
  EXPECT_NE(row.find("<td class=\"num\">" + num(global.median / single.median) + "</td>"), std::string::npos) << row;
  EXPECT_NE(row.find("title=\"" + global.timestamp + "\""), std::string::npos) << "hover says when";
  EXPECT_NE(row.find(">not measured</td>"), std::string::npos) << "no vmcall row: " << row;
  EXPECT_NE(row.find(">2 (1 in the latest run)</td>"), std::string::npos) << "vmread on day 3, invept_global on day 6";
  // gamma: the VM-exit round trip under Bochs.
  EXPECT_NE(summary_row(html_, "gamma", demo_.unsupported_where)
                .find(">" + num(latest("gamma", "bochs", "ring0/vmcall").median) + "</td>"),
            std::string::npos);
}

TEST_F(DashboardTest, UnsupportedCellsShowTheReasonNeverZero) {
  const std::string row = summary_row(html_, "gamma", demo_.unsupported_where);
  const std::string cell = ">unsupported: " + demo_.unsupported_reason + "</td>";
  EXPECT_EQ(count(row, "<td class=\"unsupported\""), 2u) << row;
  EXPECT_EQ(count(row, cell), 2u) << row;
  EXPECT_EQ(count(row, "<td class=\"num\" title="), 1u) << "only vmcall has a value: " << row;
  // In gamma's section: listed with the reason, not charted.
  const std::string section = group_section(html_, "gamma", demo_.unsupported_where);
  EXPECT_NE(section.find("2 not measured in any run:"), std::string::npos) << section;
  EXPECT_EQ(count(section, "unsupported: " + demo_.unsupported_reason), 2u);
  EXPECT_EQ(summary_.never_measured_series, 2);
  int gamma_charts = 0;
  for (const json& chart : charts()) {
    if (chart["host"] != demo_.unsupported_host) continue;
    ++gamma_charts;
    for (const json& series : chart["series"])
      EXPECT_EQ(series["name"].get<std::string>().find("invept"), std::string::npos)
          << "gamma's INVEPT rows have no value to chart (" << chart["id"] << ")";
  }
  EXPECT_EQ(gamma_charts, 1) << "vmcall";
}

TEST_F(DashboardTest, UnsupportedPointsOfAChartedSeriesCarryTheirReason) {
  // alpha's INVEPT global turns unsupported in a newer report (a hypervisor
  // update took it away): the chart keeps the measured points and says why
  // the last one has no value; the summary shows the reason.
  testing::HostSpec alpha;
  alpha.name = "alpha";
  history_->ingest(testing::make_report_with_rows(
      {}, testing::unsupported_rows("ring0/invept_global", "INVEPT lost"), "2026-11-07T06:00:00+00:00", alpha));
  const std::string html = render_dashboard(history_->query({}), history_->reports({}), {});
  const std::string row = summary_row(html, "alpha", "module");
  EXPECT_NE(row.find(">unsupported: INVEPT lost</td>"), std::string::npos) << row;
  const json data = decoded_charts(html);
  int found = 0;
  for (const json& chart : data)
    for (const json& series : chart["series"])
      if (chart["host"] == "alpha" && series["name"] == "ring0/invept_global") {
        ++found;
        ASSERT_EQ(series["points"].size(), 7u);
        const json& last = series["points"].back();
        EXPECT_EQ(last["ts"], "2026-11-07T06:00:00Z");
        EXPECT_EQ(last["s"], "unsupported");
        EXPECT_EQ(last["why"], "INVEPT lost");
        EXPECT_FALSE(last.contains("v")) << "no value, not 0";
        EXPECT_EQ(series["points"][0]["s"], "measured");
      }
  EXPECT_EQ(found, 1) << data.dump();
}

TEST_F(DashboardTest, UserSpaceRowsAreFiledUnderTheHost) {
  const std::string user = group_section(html_, "alpha", "user space");
  EXPECT_NE(user.find("userspace_capture/flag_outputs"), std::string::npos) << user;
  EXPECT_NE(user.find("user space: the host's real nanoseconds"), std::string::npos);
  EXPECT_EQ(user.find("emulated"), std::string::npos);
  EXPECT_NE(user.find("ns (real time)"), std::string::npos);
  for (const char* where : {"module", "bochs (corei7_skylake_x)"})
    EXPECT_EQ(group_section(html_, "alpha", where).find("userspace_capture"), std::string::npos) << where;
  EXPECT_NE(summary_row(html_, "alpha", "user space").find("<td>ns (real time)</td>"), std::string::npos);
}

TEST_F(DashboardTest, OneChartPerFamilyWithInveptSingleAndGlobalTogether) {
  // alpha: user space 1 (userspace_capture), module 2 (ring0/invept, ring0/vmread);
  // beta 1 (ring0/invept); gamma 1 (ring0/vmcall); alpha's Bochs rows are all flat.
  EXPECT_EQ(summary_.plots, 5);
  EXPECT_EQ(count(html_, "<figure class=\"chart"), 5u);
  EXPECT_EQ(charts().size(), 5u);
  EXPECT_EQ(summary_.invept_pairs, 3);  // alpha module, alpha Bochs, beta
  const std::string figure = slice(group_section(html_, "alpha", "module"), "data-family=\"ring0/invept\"", "</figure>");
  const size_t single = figure.find("> ring0/invept_single_context</label>");
  const size_t global = figure.find("> ring0/invept_global</label>");
  EXPECT_NE(single, std::string::npos) << figure;
  EXPECT_NE(global, std::string::npos) << figure;
  // Every point of six reports is in the data, with its value.
  for (const json& chart : charts())
    for (const json& series : chart["series"])
      if (series["name"] == "ring0/vmread") {
        ASSERT_EQ(series["points"].size(), 6u);
        const HistoryPoint& p = latest("alpha", "module", "ring0/vmread");
        // The page shows num() of the value it gets: rounding for the JSON keeps that text.
        EXPECT_EQ(num(series["points"].back()["v"].get<double>()), num(p.median));
        EXPECT_EQ(series["points"].back()["n"], p.samples.size());
      }
}

TEST_F(DashboardTest, CapabilityChangesAreMarked) {
  // alpha on hardware: the summary, the section and every chart's marks.
  EXPECT_NE(summary_row(html_, "alpha", "module").find("<td class=\"bad\">changed " + demo_.capability_change_at + "</td>"),
            std::string::npos)
      << summary_row(html_, "alpha", "module");
  const std::string section = group_section(html_, "alpha", "module");
  EXPECT_NE(section.find("<b>VMX capabilities changed</b>"), std::string::npos);
  EXPECT_NE(section.find(demo_.capability_change_at + ": <code>sha256:"), std::string::npos) << section;
  // Named from diag's tables, as compare names them: EPT 1-GByte pages (bit 17) lost.
  const std::string lost = slice(section, "<ul class=\"capability-items\">", "</ul>");
  EXPECT_EQ(count(lost, "<li>"), 1u) << lost;
  EXPECT_NE(lost.find("<li>lost: IA32_VMX_EPT_VPID_CAP bit 17"), std::string::npos) << lost;
  int marked = 0;
  for (const json& chart : charts()) {
    const bool alpha_hw = chart["host"] == "alpha" && chart["where"] == "module";
    EXPECT_EQ(chart["marks"].size(), alpha_hw ? 1u : 0u) << chart["id"];
    if (alpha_hw) {
      EXPECT_EQ(chart["marks"][0]["ts"], demo_.capability_change_at);
      EXPECT_EQ(chart["marks"][0]["t"], *parse_iso8601(demo_.capability_change_at) * 1000);
      // ... and at that report's run, whose revision order the order axis uses.
      const json& run = chart["runs"].at(chart["marks"][0]["run"].get<size_t>());
      EXPECT_EQ(run[1], demo_.capability_change_at);
      EXPECT_EQ(run[3], 6) << "rev-6, the day-6 run";
      ASSERT_EQ(chart["marks"][0]["items"].size(), 1u);
      EXPECT_EQ(chart["marks"][0]["items"][0].get<std::string>().rfind("lost: IA32_VMX_EPT_VPID_CAP bit 17", 0), 0u);
      ++marked;
    }
  }
  EXPECT_EQ(marked, 2);  // ring0/invept, ring0/vmread
  // alpha's Bochs reports kept the same capabilities; beta has no diag part.
  EXPECT_NE(summary_row(html_, "alpha", "bochs (corei7_skylake_x)").find("<td>no change seen</td>"), std::string::npos);
  EXPECT_NE(summary_row(html_, "beta", "module").find("<td>no change seen</td>"), std::string::npos);
  EXPECT_EQ(group_section(html_, "beta", "module").find("VMX capabilities changed"), std::string::npos);
}

// A capability change inside a downsampled point's span is marked at that
// point's run (the revision-order axis draws the mark at its order).
TEST_F(DashboardTest, CapabilityChangeInADownsampledPointIsMarkedAtIt) {
  std::vector<HistoryPoint> points = points_;
  for (HistoryPoint& p : points)
    if (p.host_name == "alpha" && p.backend == "module" && p.timestamp == demo_.capability_change_at) {
      p.first_timestamp = "2026-11-05T06:00:00Z";
      p.timestamp = "2026-11-06T18:00:00Z";
      p.runs = 2;
      p.samples.clear();
    }
  const json data = chart_data(render_dashboard(points, history_->reports({}), {}));
  int marked = 0;
  for (const json& chart : data["charts"]) {
    if (chart["host"] != "alpha" || chart["where"] != "module") continue;
    ASSERT_EQ(chart["marks"].size(), 1u) << chart["id"];
    const int run = chart["marks"][0]["run"];
    ASSERT_GE(run, 0) << chart.dump();
    EXPECT_EQ(chart["runs"][run][1], "2026-11-06T18:00:00Z");
    EXPECT_EQ(chart["runs"][run][4], 2);
    ++marked;
  }
  EXPECT_EQ(marked, 2);
}

TEST_F(DashboardTest, FlatSeriesAreOneLine) {
  const std::string section = group_section(html_, "alpha", "bochs (corei7_skylake_x)");
  EXPECT_NE(section.find("<b>3 flat series</b>"), std::string::npos) << section;
  EXPECT_EQ(section.find("<figure class=\"chart"), std::string::npos);
  EXPECT_NE(section.find("data-benchmark=\"ring0/vmread\">ring0/vmread: 1</span>"), std::string::npos) << section;
  EXPECT_EQ(summary_.flat_series, 3);
}

TEST_F(DashboardTest, ChartDataHasTimesForRunsCloseTogether) {
  std::vector<std::string> stamps;
  for (const json& chart : charts())
    for (const json& series : chart["series"])
      if (series["name"] == "ring0/vmcall")
        for (const json& p : series["points"]) stamps.push_back(p["ts"]);
  ASSERT_EQ(stamps.size(), demo_.close_runs.size());
  for (size_t i = 0; i < stamps.size(); ++i)
    EXPECT_EQ(stamps[i], format_utc(*parse_iso8601(demo_.close_runs[i])));
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
  int flagged = 0;
  for (const json& chart : charts())
    for (const json& series : chart["series"])
      for (const json& p : series["points"]) flagged += p.value("reg", false) ? 1 : 0;
  EXPECT_EQ(flagged, 2);
  EXPECT_EQ(count(html_, "<figure class=\"chart regressed\""), 1u);  // only a regression in the latest run marks a chart
  EXPECT_EQ(html_.find("id=\"no-regressions\""), std::string::npos);
}

TEST_F(DashboardTest, NoRegressionsSaysSo) {
  HistoryQuery q;
  q.until = "2026-11-02T23:59:59Z";  // before any slowdown
  DashboardSummary s;
  std::string html = render_dashboard(history_->query(q), history_->reports(q), {}, &s);
  EXPECT_TRUE(s.regressions.empty());
  EXPECT_NE(html.find("id=\"no-regressions\""), std::string::npos);
  int measured = 0;
  for (const json& chart : decoded_charts(html))
    for (const json& series : chart["series"])
      for (const json& p : series["points"]) {
        EXPECT_FALSE(p.value("reg", false)) << p.dump();
        measured += p["s"] == "measured" ? 1 : 0;
      }
  EXPECT_GT(measured, 0);
}

TEST_F(DashboardTest, EmulatedRowsAreInstructionCountsNeverLatency) {
  const std::string section = group_section(html_, "alpha", "bochs (corei7_skylake_x)");
  EXPECT_NE(section.find("emulated: instruction counts, not latency"), std::string::npos);
  EXPECT_NE(section.find("(the same median in every run, instruction counts (emulated))"), std::string::npos);
  EXPECT_EQ(section.find("cycles"), std::string::npos);
  EXPECT_EQ(section.find(" ns"), std::string::npos);
  EXPECT_NE(summary_row(html_, "alpha", "bochs (corei7_skylake_x)").find("<td>instruction counts (emulated)</td>"),
            std::string::npos);
  // Hardware sections label cycles.
  EXPECT_NE(group_section(html_, "alpha", "module").find("cycles (median per repetition)"), std::string::npos);
}

TEST_F(DashboardTest, CapabilitySummaryPerHostFolded) {
  // alpha: one summary from its hardware reports, one from Bochs (the emulated CPU).
  EXPECT_EQ(count(html_, "<details class=\"capabilities\">"), 2u);
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
  for (const char* date : {"2026-11-08T00:00:00+00:00", "2026-11-09T00:00:00+00:00"}) {
    const double v = date[9] == '8' ? 1 : 2;  // two values: a chart, not a flat line
    history_->ingest(testing::make_report({{"x</script><script>alert(2)//", {v, v}}, {"y<!--", {v, 3}}}, date, evil));
  }
  std::string html = render_dashboard(history_->query({}), history_->reports({}), {});
  const json data = chart_data(html);
  ASSERT_TRUE(data.is_object());
  EXPECT_EQ(count(html, "<script"), 3u);
  EXPECT_EQ(count(html, "</script"), 3u);
  EXPECT_EQ(html.find("<!--"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  // The data still reads back as the same names.
  bool found = false;
  for (const json& chart : data["charts"])
    for (const json& series : chart["series"]) found = found || series["name"] == "x</script><script>alert(2)//";
  EXPECT_TRUE(found);
}

// The compact encoding: one run table per chart, the reasons once, numbers
// short, and fewer bytes than the object per point it replaced (~170).
TEST_F(DashboardTest, ChartDataIsCompact) {
  const json raw = chart_data(html_);
  size_t points = 0;
  for (const json& chart : raw["charts"]) {
    // Runs by time, each once.
    for (size_t i = 1; i < chart["runs"].size(); ++i)
      EXPECT_LE(chart["runs"][i - 1][0].get<int64_t>(), chart["runs"][i][0].get<int64_t>()) << chart["id"];
    std::set<std::string> reasons;
    for (const json& r : chart["reasons"]) EXPECT_TRUE(reasons.insert(r.get<std::string>()).second) << r;
    for (const json& series : chart["series"]) {
      points += series["points"].size();
      for (const json& p : series["points"]) {
        ASSERT_TRUE(p.is_array()) << p;
        EXPECT_LT(p[0].get<size_t>(), chart["runs"].size());
        // Every value short: 6 significant digits, more only where 6 would
        // change the 5-digit text the page shows (917.8649999999999 is
        // "917.86"; 917.865 would read "917.87").
        for (size_t k = 1; k < 4 && p[1].is_number(); ++k) {
          const double v = p[k].get<double>();
          char six[40];
          std::snprintf(six, sizeof six, "%.6g", v);
          if (std::strtod(six, nullptr) != v) EXPECT_NE(num(std::strtod(six, nullptr)), num(v)) << p[k].dump();
        }
      }
    }
  }
  ASSERT_GT(points, 30u);
  const std::string text = raw["charts"].dump();
  EXPECT_LT(text.size() / points, 120u) << text.size() << " bytes for " << points << " points";
}

// A fleet's page (50 hosts x 20 series x 50 runs) stays well under 5 MB.
TEST(DashboardFleet, PageOfAFleetStaysSmall) {
  std::vector<HistoryPoint> points;
  for (int host = 0; host < 50; ++host)
    for (int bench = 0; bench < 20; ++bench)
      for (int run = 0; run < 50; ++run) {
        HistoryPoint p;
        p.timestamp = format_utc(*parse_iso8601("2026-01-01T00:00:00Z") + run * 3600 + host);
        p.host_id = "id-" + std::to_string(host);
        p.host_name = "fleet-host-" + std::to_string(host);
        p.backend = "module";
        p.tick_unit = "cycles";
        p.benchmark = "ring0/op" + std::to_string(bench % 5) + "_" + std::to_string(bench);
        p.metric = "cycles_median";
        p.unit = "cycles";
        p.median = p.mean = 1000.0 / 3 + bench * 7.77777 + run * 0.1234567 + host;
        p.min = p.median * 0.97;
        p.max = p.median * 1.05;
        p.revision = "0123456789ab" + std::to_string(run);
        p.revision_order = run;
        points.push_back(std::move(p));
      }
  const std::string html = render_dashboard(points, {}, {});
  size_t charted = 0;
  const json data = chart_data(html);
  for (const json& chart : data["charts"])
    for (const json& series : chart["series"]) charted += series["points"].size();
  EXPECT_EQ(charted, points.size()) << "every series is charted (none flat)";
  // 2.65 MB when written (~50 bytes a point, the run tables included).
  EXPECT_LT(html.size(), 3u * 1000 * 1000) << html.size() << " bytes";
}

// Downsampled points (runs > 1): the run table says how many runs and from
// when, the range is their extremes, and none is ever a regression.
TEST(DashboardDownsampled, RunsAndSpanAreInTheData) {
  const testing::DownsampledHistory d = testing::downsampled_history();
  const std::string html = render_dashboard(d.points, {}, {});
  const json charts = decoded_charts(html);
  ASSERT_EQ(charts.size(), 1u) << charts.dump();
  const json& chart = charts[0];
  EXPECT_EQ(chart["host"], d.host);
  ASSERT_EQ(chart["series"].size(), 2u);
  int downsampled = 0, failed = 0;
  for (const json& series : chart["series"]) {
    ASSERT_EQ(series["points"].size(), 8u);
    for (size_t i = 0; i < 8; ++i) {
      const json& p = series["points"][i];
      const HistoryPoint* h = nullptr;
      for (const HistoryPoint& q : d.points)
        if (q.benchmark == series["name"] && q.timestamp == p["ts"]) h = &q;
      ASSERT_NE(h, nullptr) << p;
      EXPECT_EQ(p["runs"], h->runs);
      EXPECT_EQ(p["first_ts"], h->first_timestamp);
      EXPECT_EQ(p["rev"], h->revision);
      EXPECT_EQ(p["rev_order"], h->revision_order ? json(*h->revision_order) : json(nullptr));
      if (!h->error.empty()) {
        ++failed;
        EXPECT_EQ(p["s"], "failed");
        EXPECT_EQ(p["why"], d.failed_reason);
        continue;
      }
      EXPECT_EQ(num(p["v"].get<double>()), num(h->median));
      EXPECT_EQ(num(p["lo"].get<double>()), num(h->min));
      EXPECT_EQ(num(p["hi"].get<double>()), num(h->max));
      EXPECT_FALSE(p["reg"]);
      if (h->runs > 1) {
        ++downsampled;
        EXPECT_EQ(p["runs"], d.downsampled_runs);
        EXPECT_EQ(p["n"], 0) << "no samples of its own";
      }
    }
  }
  EXPECT_EQ(downsampled, 4);
  EXPECT_EQ(failed, 1);
  size_t unordered = 0;
  for (const json& run : chart["runs"]) unordered += run.size() < 4 || run[3].is_null() ? 1 : 0;
  EXPECT_EQ(unordered, static_cast<size_t>(d.unordered_runs));
}

// A downsampled point is never marked a regression, even a large step up.
TEST(DashboardDownsampled, NeverARegression) {
  testing::DownsampledHistory d = testing::downsampled_history();
  for (HistoryPoint& p : d.points)
    if (p.runs > 1 && p.timestamp.substr(0, 10) == "2026-01-02") p.median = p.mean = p.max = 5000;
  DashboardSummary summary;
  const std::string html = render_dashboard(d.points, {}, {}, &summary);
  for (const DashboardRegression& r : summary.regressions) EXPECT_NE(r.to_timestamp.substr(0, 10), "2026-01-02");
  for (const json& chart : decoded_charts(html))
    for (const json& series : chart["series"])
      for (const json& p : series["points"])
        if (p["runs"] != 1) EXPECT_FALSE(p["reg"]) << p;
}

TEST(DashboardModel, ChartFamilies) {
  EXPECT_EQ(chart_family("ring0/invept_single_context"), "ring0/invept");
  EXPECT_EQ(chart_family("ring0/invept_global"), "ring0/invept");
  EXPECT_EQ(chart_family("ring0/invept_global_live/pages:64"), "ring0/invept live");
  EXPECT_EQ(chart_family("ring0/nop_10"), "ring0/nop");
  EXPECT_EQ(chart_family("ring0/vmcall"), "ring0/vmcall");
  EXPECT_EQ(chart_family("userspace_capture/asm_goto/branch_on_result"), "userspace_capture");
  EXPECT_EQ(chart_family("plain"), "plain");
}

TEST(DashboardModel, RowOutcomes) {
  EXPECT_EQ(row_outcome("").kind, RowOutcome::Kind::kMeasured);
  const RowOutcome u = row_outcome("unsupported: IA32_VMX_EPT_VPID_CAP[25] is 0");
  EXPECT_EQ(u.kind, RowOutcome::Kind::kUnsupported);
  EXPECT_EQ(u.reason, "IA32_VMX_EPT_VPID_CAP[25] is 0");
  const RowOutcome f = row_outcome("vmfail-valid error 7: bad field");
  EXPECT_EQ(f.kind, RowOutcome::Kind::kFailed);
  EXPECT_EQ(f.reason, "vmfail-valid error 7: bad field");
  EXPECT_TRUE(runs_in_backend("ring0/vmread"));
  EXPECT_FALSE(runs_in_backend("userspace_capture/asm_goto"));
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
  // The summary: flush, refill and collateral of each at the largest page count.
  const std::string row = summary_row(html, "lab-host-1", "module");
  EXPECT_NE(row.find("<td class=\"num\">flush 1312, refill 15360, collateral 5127 (512 pages)</td>"), std::string::npos)
      << row;
  EXPECT_NE(row.find("<td class=\"num\">flush 1412, refill 15872, collateral 14848 (512 pages)</td>"), std::string::npos)
      << row;
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

}  // namespace
}  // namespace vmxb::reports
