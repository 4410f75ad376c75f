// The dashboard in headless Chromium (Debian package chromium), driven over
// the DevTools protocol (reports/tests/devtools.h) with real mouse and
// keyboard input: it loads with no console errors and no request beyond its
// own file, hovering a point shows that point's value, dragging zooms, a
// series toggle and the filters hide series and charts, the summary table
// shows an unsupported operation's reason, and runs hours apart get times on
// the axis. The screenshots (the top of the page, and a hovered chart) are
// kept in TEST_UNDECLARED_OUTPUTS_DIR. A negative
// control page shows that the error checks do catch errors.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "reports/dashboard.h"
#include "reports/tests/devtools.h"
#include "reports/tests/fixtures.h"
#include "reports/tests/subprocess.h"
#include "reports/text_format.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;
using testing::DevTools;

std::string quoted(const std::string& s) { return json(s).dump(); }

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    auto chromium = testing::find_executable({"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"});
    ASSERT_TRUE(chromium.has_value())
        << "headless Chromium not found (/usr/bin/chromium): install the Debian package chromium "
           "(tools/setup installs it)";
    chromium_ = *chromium;
    dir_ = testing::temp_dir("browser");
  }

  std::unique_ptr<DevTools> start() {
    static int n = 0;
    const std::string tag = std::to_string(++n);
    return std::make_unique<DevTools>(
        chromium_, dir_ + "/profile" + tag, dir_ + "/chromium" + tag + ".log",
        std::map<std::string, std::string>{
            {"HOME", dir_}, {"XDG_CONFIG_HOME", dir_ + "/config"}, {"XDG_CACHE_HOME", dir_ + "/cache"}});
  }

  // The centre of an element, scrolled into view first (viewport coordinates).
  static std::pair<double, double> centre_of(DevTools& page, const std::string& selector) {
    const json r = page.eval("(() => { const e = document.querySelector(" + quoted(selector) +
                             "); e.scrollIntoView({block: 'center'}); const b = e.getBoundingClientRect();"
                             " return [b.left + b.width / 2, b.top + b.height / 2]; })()");
    return {r[0].get<double>(), r[1].get<double>()};
  }

  std::string chromium_, dir_;
};

TEST_F(Browser, NegativeControlIsCaught) {
  const std::string page = dir_ + "/broken.html";
  testing::write_file(page, "<!DOCTYPE html><html><head><title>x</title></head><body>"
                            "<img src=\"missing-image.png\"><script>undefinedFunction();</script></body></html>");
  std::unique_ptr<DevTools> browser = start();
  browser->open("file://" + page, 800, 600);
  browser->eval("1");  // every event sent before this reply has been read
  const std::vector<std::string> errors = browser->page_errors();
  EXPECT_EQ(errors.size(), 2u) << join(errors);
  EXPECT_NE(join(errors).find("undefinedFunction"), std::string::npos) << join(errors);
  EXPECT_NE(join(browser->requested_urls()).find("missing-image.png"), std::string::npos);
}

TEST_F(Browser, DashboardIsInteractive) {
  History history(open_database("sqlite:" + dir_ + "/h.sqlite"));
  const testing::DemoHistory demo = testing::populate_demo_history(history);
  const std::vector<HistoryPoint> points = history.query({});
  DashboardSummary summary;
  DashboardOptions options;
  options.revision_url = "https://git.example.org/vmxbench/commit/{revision}?from=dashboard";
  const std::string html = render_dashboard(points, history.reports({}), options, &summary);
  const std::string page = dir_ + "/dashboard.html";
  testing::write_file(page, html);
  const HistoryPoint* regressed = nullptr;  // alpha's last invept_global on hardware
  for (const HistoryPoint& p : points)
    if (p.host_name == "alpha" && p.backend == "module" && p.benchmark == demo.regressed_benchmark &&
        (regressed == nullptr || p.timestamp > regressed->timestamp))
      regressed = &p;
  ASSERT_NE(regressed, nullptr);

  std::unique_ptr<DevTools> browser = start();
  DevTools& tab = *browser;
  tab.open("file://" + page, 1280, 1000);

  // Loaded: every chart drawn, nothing fetched beyond the file, no errors.
  ASSERT_EQ(tab.eval("window.vmxbDashboard ? window.vmxbDashboard.charts.length : -1"), summary.plots);
  EXPECT_EQ(tab.eval("document.querySelectorAll('figure.chart canvas').length > 0"), true);
  for (const std::string& url : tab.requested_urls()) EXPECT_EQ(url, "file://" + page) << "the page needs no network";
  EXPECT_TRUE(tab.page_errors().empty()) << join(tab.page_errors());

  // The summary table comes first and shows gamma's unsupported INVEPT with the reason.
  EXPECT_EQ(tab.eval("document.querySelector('table').id"), "summary-table");
  const std::string gamma_row =
      tab.eval("document.querySelector('#summary-table tr[data-host=\"gamma\"]').innerText").get<std::string>();
  EXPECT_NE(gamma_row.find("unsupported: " + demo.unsupported_reason), std::string::npos) << gamma_row;

  // alpha's INVEPT chart on hardware: single-context and global.
  const std::string find_chart =
      "window.vmxbDashboard.charts.find(c => c.spec.host === 'alpha' && c.spec.where === 'module' && "
      "c.spec.family === 'ring0/invept')";
  const std::string chart_id = tab.eval(find_chart + ".spec.id");
  const std::string chart = "window.vmxbDashboard.chart(" + quoted(chart_id) + ")";
  const json names = tab.eval(chart + ".spec.series.map(s => s.name)");
  ASSERT_EQ(names, json({"ring0/invept_global", "ring0/invept_single_context"}));  // by name
  const json both = {true, true}, single_hidden = {true, false};

  // Hover: the legend shows the hovered point's median, time and regression mark.
  centre_of(tab, "#" + chart_id);
  const double t = static_cast<double>(*parse_iso8601(regressed->timestamp)) * 1000;
  const json at = tab.eval("window.vmxbDashboard.pointPosition(" + quoted(chart_id) + ", " +
                           quoted(demo.regressed_benchmark) + ", " + json(t).dump() + ")");
  tab.mouse_move(at["x"].get<double>(), at["y"].get<double>());
  const std::string legend = tab.eval("document.querySelector('#" + chart_id + " .legend').innerText");
  EXPECT_NE(legend.find(demo.regressed_benchmark + ": " + num(regressed->median) + " cycles"), std::string::npos)
      << legend;
  EXPECT_NE(legend.find(format_utc(*parse_iso8601(regressed->timestamp))), std::string::npos) << legend;
  EXPECT_NE(legend.find("regression"), std::string::npos) << legend;
  EXPECT_NE(legend.find("VMX capabilities changed"), std::string::npos) << "that run's capability change: " << legend;
  EXPECT_NE(legend.find("lost: IA32_VMX_EPT_VPID_CAP bit 17"), std::string::npos) << legend;
  // ... and the run's revision, linked through --revision_url.
  EXPECT_NE(legend.find("revision rev-6 (order 6)"), std::string::npos) << legend;
  EXPECT_EQ(tab.eval("document.querySelector('#" + chart_id + " .legend a.revision').getAttribute('href')"),
            "https://git.example.org/vmxbench/commit/rev-6?from=dashboard");
  const std::string hover_shot = tab.screenshot_png();

  // Zoom: a drag across the middle of the plot narrows the time range; a double-click resets it.
  const json range = tab.eval(chart + ".graph.xAxisRange()");
  const json area = tab.eval("(() => { const g = " + chart + ".graph; const a = g.getArea();"
                             " const b = g.graphDiv.getBoundingClientRect();"
                             " return [b.left + a.x, b.top + a.y, a.w, a.h]; })()");
  const double left = area[0], top = area[1], width = area[2], height = area[3];
  tab.drag(left + width * 0.3, top + height / 2, left + width * 0.7, top + height / 2);
  EXPECT_EQ(tab.eval(chart + ".graph.isZoomed('x')"), true);
  const json zoomed = tab.eval(chart + ".graph.xAxisRange()");
  EXPECT_LT(zoomed[1].get<double>() - zoomed[0].get<double>(), (range[1].get<double>() - range[0].get<double>()) * 0.6);
  tab.click(left + width / 2, top + height / 2, 2);
  EXPECT_EQ(tab.eval(chart + ".graph.isZoomed('x')"), false);

  // A series toggle: clicking single-context's checkbox hides that series only; again shows it.
  const std::string toggle = "#" + chart_id + " .toggles input[data-series=\"1\"]";
  auto [bx, by] = centre_of(tab, toggle);
  tab.click(bx, by);
  EXPECT_EQ(tab.eval(chart + ".graph.visibility()"), single_hidden);
  EXPECT_EQ(tab.eval("document.querySelector(" + quoted(toggle) + ").checked"), false);
  tab.click(bx, by);
  EXPECT_EQ(tab.eval(chart + ".graph.visibility()"), both);

  // The benchmark filter, typed: single-context disappears from the chart, the vmread chart goes.
  auto [fx, fy] = centre_of(tab, "#filter-benchmark");
  tab.click(fx, fy);
  tab.type_text("invept_global");
  EXPECT_EQ(tab.eval(chart + ".graph.visibility()"), single_hidden);
  EXPECT_EQ(tab.eval("window.vmxbDashboard.charts.filter(c => !c.figure.hidden).map(c => c.spec.family)"),
            json({"ring0/invept", "ring0/invept"}))
      << "alpha's and beta's INVEPT charts only";
  const std::string status = tab.eval("document.getElementById('filter-status').textContent");
  EXPECT_EQ(status, "2 of " + std::to_string(summary.plots) + " charts shown");
  tab.eval("(() => { const f = document.getElementById('filter-benchmark'); f.value = '';"
           " f.dispatchEvent(new Event('input')); })()");
  EXPECT_EQ(tab.eval(chart + ".graph.visibility()"), both);

  // The host and where filters hide whole sections.
  auto choose = [&](const std::string& id, const std::string& value) {
    tab.eval("(() => { const s = document.getElementById(" + quoted(id) + "); s.value = " + quoted(value) +
             "; s.dispatchEvent(new Event('change')); })()");
  };
  const std::string visible_sections =
      "Array.from(document.querySelectorAll('section.group')).filter(s => !s.hidden)"
      ".map(s => s.dataset.host + ' / ' + s.dataset.where)";
  choose("filter-host", "beta");
  EXPECT_EQ(tab.eval(visible_sections), json({"beta / module"}));
  choose("filter-host", "alpha");
  choose("filter-where", "user space");
  EXPECT_EQ(tab.eval(visible_sections), json({"alpha / user space"}));
  choose("filter-host", "");
  choose("filter-where", "");
  EXPECT_EQ(tab.eval(visible_sections + ".length"), summary.groups);

  // gamma's runs are 90 minutes apart: its time axis shows times, not one date thrice.
  const std::string gamma_chart =
      tab.eval("window.vmxbDashboard.charts.find(c => c.spec.host === 'gamma').spec.id");
  centre_of(tab, "#" + gamma_chart);
  const json ticks = tab.eval("Array.from(document.querySelectorAll('#" + gamma_chart +
                              " .dygraph-axis-label-x')).map(e => e.textContent)");
  ASSERT_FALSE(ticks.empty());
  std::set<std::string> distinct;
  for (const json& tick : ticks) {
    EXPECT_TRUE(std::regex_search(tick.get<std::string>(), std::regex("\\d\\d:\\d\\d"))) << ticks.dump();
    distinct.insert(tick.get<std::string>());
  }
  EXPECT_EQ(distinct.size(), ticks.size()) << ticks.dump();

  // X axis by revision order, chosen with a click: alpha's runs at orders 1..6.
  tab.eval("window.scrollTo(0, 0)");
  auto [ox, oy] = centre_of(tab, "#x-axis-order");
  tab.click(ox, oy);
  ASSERT_EQ(tab.eval("window.vmxbDashboard.xAxis()"), "order");
  EXPECT_EQ(tab.eval(chart + ".graph.isZoomed('x')"), false);
  json orders = json::array();
  for (const HistoryPoint& p : points)
    if (p.host_name == "alpha" && p.backend == "module" && p.benchmark == demo.regressed_benchmark)
      orders.push_back(*p.revision_order);
  std::sort(orders.begin(), orders.end());
  EXPECT_EQ(tab.eval("(() => { const g = " + chart + ".graph; const xs = [];"
                     " for (let i = 0; i < g.numRows(); ++i) xs.push(g.getValue(i, 0)); return xs; })()"),
            orders);
  const json order_range = tab.eval(chart + ".graph.xAxisRange()");
  EXPECT_LE(order_range[0].get<double>(), orders.front().get<double>());
  EXPECT_GT(order_range[0].get<double>(), orders.front().get<double>() - 1);
  EXPECT_GE(order_range[1].get<double>(), orders.back().get<double>());
  EXPECT_LT(order_range[1].get<double>(), orders.back().get<double>() + 1);
  centre_of(tab, "#" + chart_id);
  const json order_ticks = tab.eval("Array.from(document.querySelectorAll('#" + chart_id +
                                    " .dygraph-axis-label-x')).map(e => e.textContent)");
  ASSERT_FALSE(order_ticks.empty());
  for (const json& tick : order_ticks) {
    const int order = std::stoi(tick.get<std::string>());
    EXPECT_EQ(std::to_string(order), tick.get<std::string>()) << "whole orders: " << order_ticks.dump();
    EXPECT_GE(order, orders.front().get<int>());
    EXPECT_LE(order, orders.back().get<int>());
  }
  // Hover the regressed run at its order: its revision, value and the capability change.
  const json at_order =
      tab.eval("window.vmxbDashboard.pointPosition(" + quoted(chart_id) + ", " + quoted(demo.regressed_benchmark) +
               ", " + json(*regressed->revision_order).dump() + ")");
  tab.mouse_move(at_order["x"].get<double>(), at_order["y"].get<double>());
  const std::string order_legend = tab.eval("document.querySelector('#" + chart_id + " .legend').innerText");
  const std::string revision_text =
      "revision " + regressed->revision + " (order " + std::to_string(*regressed->revision_order) + ")";
  EXPECT_NE(order_legend.find(revision_text), std::string::npos) << order_legend;
  EXPECT_NE(order_legend.find(demo.regressed_benchmark + ": " + num(regressed->median) + " cycles"), std::string::npos)
      << order_legend;
  EXPECT_NE(order_legend.find("VMX capabilities changed"), std::string::npos)
      << "marks at the run's order: " << order_legend;
  EXPECT_EQ(tab.eval("document.querySelector('#" + chart_id + " .legend a.revision').getAttribute('href')"),
            "https://git.example.org/vmxbench/commit/" + regressed->revision + "?from=dashboard");
  EXPECT_EQ(tab.eval("document.querySelector('#" + chart_id + " .chart-status').textContent"), "")
      << "every alpha hardware run has an order";
  const std::string order_shot = tab.screenshot_png();
  // beta's runs name no revision: its chart says so and draws nothing.
  const std::string beta_chart = "window.vmxbDashboard.charts.find(c => c.spec.host === 'beta')";
  EXPECT_EQ(tab.eval(beta_chart + ".graph === null"), true);
  const std::string beta_status = tab.eval(beta_chart + ".status.textContent");
  EXPECT_NE(beta_status.find("No run of this chart has a revision order"), std::string::npos) << beta_status;
  // Zoom, then back to time with a click: the zoom resets, x is time again.
  {
    const json a = tab.eval("(() => { const g = " + chart + ".graph; const a = g.getArea();"
                            " const b = g.graphDiv.getBoundingClientRect();"
                            " return [b.left + a.x, b.top + a.y, a.w, a.h]; })()");
    tab.drag(a[0].get<double>() + a[2].get<double>() * 0.3, a[1].get<double>() + a[3].get<double>() / 2,
             a[0].get<double>() + a[2].get<double>() * 0.7, a[1].get<double>() + a[3].get<double>() / 2);
    EXPECT_EQ(tab.eval(chart + ".graph.isZoomed('x')"), true);
  }
  tab.eval("window.scrollTo(0, 0)");
  auto [tx, ty] = centre_of(tab, "#x-axis-time");
  tab.click(tx, ty);
  ASSERT_EQ(tab.eval("window.vmxbDashboard.xAxis()"), "time");
  EXPECT_EQ(tab.eval(chart + ".graph.isZoomed('x')"), false);
  EXPECT_EQ(tab.eval(chart + ".graph.getValue(" + std::to_string(orders.size() - 1) + ", 0)"), t);
  EXPECT_EQ(tab.eval(beta_chart + ".graph !== null"), true);
  EXPECT_EQ(tab.eval(beta_chart + ".status.textContent"), "");

  // formatG5 in the page is num(): the same text for ties, tiny, huge and ordinary values.
  std::vector<double> values = {0, 1, -1, 0.5, -0.5, 12344.5, 12345.5, 99999.5, 999995, 123456, 1.25, 2.5e-7,
                                1e-5, 0.0001, 1e21, 1e300, 503.2, 917.865, 0.1, 100000, 9.99995, -1234.5};
  unsigned state = 7;
  for (int i = 0; i < 400; ++i) {
    state = state * 1103515245u + 12345u;
    const double r = static_cast<double>(state >> 8) / (1u << 24);
    values.push_back((r - 0.3) * std::pow(10.0, static_cast<int>(state % 19) - 9));
    values.push_back(static_cast<double>(state >> 12) / 2);  // a median of two integers: x.5 ties
  }
  const json page_texts = tab.eval("(" + json(values).dump() + ").map(window.vmxbDashboard.formatG5)");
  ASSERT_EQ(page_texts.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(page_texts[i], num(values[i])) << json(values[i]).dump();

  // Nothing went wrong on the way.
  tab.eval("1");
  EXPECT_TRUE(tab.page_errors().empty()) << join(tab.page_errors());

  // The screenshot: a PNG of the viewport, far from blank (a blank page's is the baseline).
  tab.eval("window.scrollTo(0, 0)");
  const std::string shot = tab.screenshot_png();
  ASSERT_GT(shot.size(), 33u);
  EXPECT_EQ(shot.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(shot.substr(12, 4), "IHDR");
  auto be32 = [&](size_t at) {
    return (static_cast<unsigned char>(shot[at]) << 24) | (static_cast<unsigned char>(shot[at + 1]) << 16) |
           (static_cast<unsigned char>(shot[at + 2]) << 8) | static_cast<unsigned char>(shot[at + 3]);
  };
  EXPECT_EQ(be32(16), 1280u);
  EXPECT_EQ(be32(20), 1000u);
  const std::string blank = dir_ + "/blank.html";
  testing::write_file(blank, "<!DOCTYPE html><html><head><title>b</title></head><body></body></html>");
  tab.open("file://" + blank, 1280, 1000);
  const std::string blank_shot = tab.screenshot_png();
  EXPECT_GT(shot.size(), 5 * blank_shot.size()) << "dashboard " << shot.size() << " bytes, blank " << blank_shot.size();
  if (const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    testing::write_file(std::string(out) + "/dashboard.png", shot);
    testing::write_file(std::string(out) + "/dashboard-hover.png", hover_shot);
    testing::write_file(std::string(out) + "/dashboard-order.png", order_shot);
    testing::write_file(std::string(out) + "/dashboard.html", html);
  }
}

}  // namespace
}  // namespace vmxb::reports

namespace vmxb::reports {
namespace {

// Downsampled points (reports/dashboard_query.h): the legend says "mean of N
// runs' medians" and the span of runs, never "repetitions" or "regression";
// by revision order the runs without one are counted in the status line.
TEST_F(Browser, DownsampledPointsSayHowManyRuns) {
  const testing::DownsampledHistory d = testing::downsampled_history();
  const std::string page = dir_ + "/downsampled.html";
  testing::write_file(page, render_dashboard(d.points, {}, {}));
  std::unique_ptr<DevTools> browser = start();
  DevTools& tab = *browser;
  tab.open("file://" + page, 1280, 1000);
  ASSERT_EQ(tab.eval("window.vmxbDashboard.charts.length"), 1);
  const std::string chart_id = tab.eval("window.vmxbDashboard.charts[0].spec.id");
  const HistoryPoint* first = nullptr;
  for (const HistoryPoint& p : d.points)
    if (p.benchmark == "ring0/invept_global" && p.runs > 1 && (first == nullptr || p.timestamp < first->timestamp))
      first = &p;
  ASSERT_NE(first, nullptr);
  centre_of(tab, "#" + chart_id);
  const double t = static_cast<double>(*parse_iso8601(first->timestamp)) * 1000;
  const json at = tab.eval("window.vmxbDashboard.pointPosition(" + quoted(chart_id) + ", \"ring0/invept_global\", " +
                           json(t).dump() + ")");
  tab.mouse_move(at["x"].get<double>(), at["y"].get<double>());
  const std::string legend = tab.eval("document.querySelector('#" + chart_id + " .legend').innerText");
  const std::string unit = tab.eval("window.vmxbDashboard.charts[0].spec.unit");
  EXPECT_EQ(unit, point_unit_label(*first));
  EXPECT_NE(legend.find("ring0/invept_global: mean of " + std::to_string(first->runs) + " runs' medians " +
                        num(first->median) + " " + unit + " (min " + num(first->min) + ", max " +
                        num(first->max) + "), " + first->first_timestamp + " … " + first->timestamp),
            std::string::npos)
      << legend;
  EXPECT_FALSE(std::regex_search(legend, std::regex("\\d+ repetitions?"))) << "runs, not repetitions: " << legend;
  EXPECT_EQ(legend.find("regression"), std::string::npos) << legend;
  const std::string hover_shot = tab.screenshot_png();

  // By revision order: the unordered runs are left out, and the status line says how many.
  auto [ox, oy] = centre_of(tab, "#x-axis-order");
  tab.click(ox, oy);
  ASSERT_EQ(tab.eval("window.vmxbDashboard.xAxis()"), "order");
  EXPECT_EQ(tab.eval("document.querySelector('#" + chart_id + " .chart-status').textContent"),
            std::to_string(d.unordered_runs) + " runs without a revision order not shown");
  std::set<int64_t> orders;
  for (const HistoryPoint& p : d.points)
    if (p.revision_order) orders.insert(*p.revision_order);
  EXPECT_EQ(tab.eval("window.vmxbDashboard.charts[0].graph.numRows()"), orders.size());
  EXPECT_EQ(tab.eval("window.vmxbDashboard.charts[0].graph.getValue(0, 0)"), *orders.begin());
  // The failed point at its order says why.
  const HistoryPoint* failed = nullptr;
  for (const HistoryPoint& p : d.points)
    if (!p.error.empty()) failed = &p;
  ASSERT_NE(failed, nullptr);
  const json near = tab.eval("window.vmxbDashboard.pointPosition(" + quoted(chart_id) +
                             ", \"ring0/invept_single_context\", " + std::to_string(*failed->revision_order) + ")");
  tab.mouse_move(near["x"].get<double>(), near["y"].get<double>());
  const std::string failed_legend = tab.eval("document.querySelector('#" + chart_id + " .legend').innerText");
  EXPECT_NE(failed_legend.find("ring0/invept_global: failed: " + d.failed_reason), std::string::npos) << failed_legend;
  EXPECT_NE(failed_legend.find("revision " + failed->revision), std::string::npos) << failed_legend;
  tab.eval("1");
  EXPECT_TRUE(tab.page_errors().empty()) << join(tab.page_errors());
  if (const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR"))
    testing::write_file(std::string(out) + "/dashboard-downsampled.png", hover_shot);

  // One revision measured twice (the last two runs at one order): by order,
  // the newer run is drawn, and the status line says the older is not.
  testing::DownsampledHistory again = testing::downsampled_history();
  int64_t last_order = 0;
  for (HistoryPoint& p : again.points)
    if (p.timestamp == "2026-01-08T12:00:00Z") {
      p.revision_order = *p.revision_order - 10;
      last_order = *p.revision_order;
    }
  ASSERT_GT(last_order, 0);
  const std::string again_page = dir_ + "/measured-again.html";
  testing::write_file(again_page, render_dashboard(again.points, {}, {}));
  tab.open("file://" + again_page, 1280, 1000);
  auto [ax, ay] = centre_of(tab, "#x-axis-order");
  tab.click(ax, ay);
  ASSERT_EQ(tab.eval("window.vmxbDashboard.xAxis()"), "order");
  EXPECT_EQ(tab.eval("window.vmxbDashboard.charts[0].status.textContent"),
            std::to_string(again.unordered_runs) + " runs without a revision order not shown; "
                                                   "2 older points at a revision order measured again not shown");
  const std::string last_stamp =
      tab.eval("(() => { const c = window.vmxbDashboard.charts[0]; return c.stamps[c.rowOf[" +
               std::to_string(last_order) + "]]; })()");
  EXPECT_EQ(last_stamp, "2026-01-08T12:00:00Z");
  tab.eval("1");
  EXPECT_TRUE(tab.page_errors().empty()) << join(tab.page_errors());
}

}  // namespace
}  // namespace vmxb::reports
