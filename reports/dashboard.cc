#include "reports/dashboard.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "reports/diag_view.h"
#include "reports/plot.h"
#include "reports/report.h"
#include "reports/text_format.h"
#include "reports/touch_counters.h"
#include "reports/series.h"
#include "reports/timeutil.h"
#include "reports/touch_view.h"
#include "stats/mann_whitney.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

constexpr const char* kCss = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}.meta{color:#5a6272;font-size:13px;margin:0 0 16px}
table{border-collapse:collapse;font-size:13px;margin:6px 0 12px}th,td{border:1px solid #d5d9e0;padding:3px 8px;text-align:left}
th{background:#eef1f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1b5e20}.bad{color:#b71c1c;font-weight:600}.warn{color:#8a5a00}
tr.regression td{background:#fdecea}.badge{display:inline-block;font-size:12px;padding:1px 6px;border-radius:8px;margin-left:6px}
.badge.emulated{background:#fff3cd;color:#7a5200;border:1px solid #e6c36a}.badge.hardware{background:#e3f2e6;color:#1b5e20;border:1px solid #9cc9a5}
.badge.regressed{background:#fdecea;color:#b71c1c;border:1px solid #e8a3a0}
.plots{display:flex;flex-wrap:wrap;gap:12px}.pair{display:flex;flex-wrap:wrap;gap:12px;padding:8px;border:1px solid #c9d3e3;background:#f3f6fb;border-radius:6px;margin-bottom:12px}
.pair p{flex-basis:100%;margin:0;font-size:13px}.capability-head{font-size:14px;margin:10px 0 2px}
figure{margin:0;background:#fff;border:1px solid #d5d9e0;border-radius:6px;padding:4px}figure.regressed{border-color:#c62828;box-shadow:0 0 0 2px #f4c7c3}
svg text{font-size:11px;fill:#3a4150}svg .ptitle{font-size:12px;font-weight:600;fill:#1d2330}
svg .grid{stroke:#e6e9ee}svg .axis{stroke:#8a93a3}svg .whisker{stroke:#9aa7bd;stroke-width:2}
svg .bar.single{fill:#2d6cdf}svg .bar.global{fill:#e0892d}figure.live-bars{display:inline-block;margin:4px}
svg .trend{fill:none;stroke:#2d6cdf;stroke-width:1.8}svg .pt{fill:#2d6cdf}svg .pt.regression{fill:#c62828;stroke:#7f0000;stroke-width:1.5}
)";

std::string pct(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", f * 100);
  return buf;
}

std::string s(const json& v) {
  if (v.is_null()) return "unknown";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

struct Group {
  std::string host_id, host_name, backend, backend_detail, tick_unit;
  bool emulated = false;
  std::map<std::string, std::vector<const HistoryPoint*>> series;  // benchmark -> points by time
};

std::string backend_label(const Group& g) {
  std::string s = g.backend;
  if (!g.backend_detail.empty()) s += " (" + g.backend_detail + ")";
  return s;
}

std::string series_unit_label(const HistoryPoint& p) {
  Series s;
  s.unit = p.unit;
  s.metric = p.metric;
  s.emulated = p.emulated;
  std::string label = unit_label(s);
  if (label == "cycles" && (p.metric == "cycles_median" || p.metric == "ticks_median"))
    return "cycles (median per repetition)";
  if (label == "ns" && p.metric == "real_time") return "ns (real time)";
  if (label == "ns" && p.metric == "cpu_time") return "ns (CPU time)";
  return label;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::string render_dashboard(const std::vector<HistoryPoint>& points, const std::vector<HistoryReport>& reports,
                            const DashboardOptions& opt, DashboardSummary* summary_out) {
  DashboardSummary summary;
  std::map<std::string, Group> groups;  // ordered: host name, backend
  for (const HistoryPoint& p : points) {
    const std::string key = p.host_name + "\x1f" + p.host_id + "\x1f" + p.backend + "\x1f" + p.backend_detail + "\x1f" +
                            p.tick_unit;
    Group& g = groups[key];
    g.host_id = p.host_id;
    g.host_name = p.host_name;
    g.backend = p.backend;
    g.backend_detail = p.backend_detail;
    g.tick_unit = p.tick_unit;
    g.emulated = p.emulated;
    g.series[p.benchmark].push_back(&p);
  }
  for (auto& [key, g] : groups)
    for (auto& [name, pts] : g.series)
      std::stable_sort(pts.begin(), pts.end(),
                       [](const HistoryPoint* a, const HistoryPoint* b) { return a->timestamp < b->timestamp; });

  // Regressions: each point against the one before it in its series.
  std::map<const HistoryPoint*, DashboardRegression> flagged;
  for (auto& [key, g] : groups) {
    for (auto& [name, pts] : g.series) {
      for (size_t i = 1; i < pts.size(); ++i) {
        const HistoryPoint &a = *pts[i - 1], &b = *pts[i];
        if (!a.error.empty() || !b.error.empty() || !(a.median > 0)) continue;
        stats::UTest t = stats::mann_whitney_u(a.samples, b.samples);
        double change = b.median / a.median - 1;
        if (t.performed && t.p_value < opt.alpha && change > opt.threshold) {
          flagged[pts[i]] = {g.host_name, g.host_id,   backend_label(g), name,   series_unit_label(b),
                             a.timestamp, b.timestamp, a.median,        b.median, change,
                             t.p_value,   i + 1 == pts.size()};
        }
      }
    }
  }
  for (const auto& [p, r] : flagged) summary.regressions.push_back(r);
  std::sort(summary.regressions.begin(), summary.regressions.end(),
            [](const DashboardRegression& a, const DashboardRegression& b) {
              if (a.latest != b.latest) return a.latest;
              return a.to_timestamp > b.to_timestamp;
            });

  // Hosts (by name): the latest report of each, and per backend the latest
  // report with a diag part (under Bochs, diag describes the emulated CPU).
  struct HostInfo {
    std::string name;
    const HistoryReport* latest = nullptr;
    std::map<std::string, const HistoryReport*> latest_diag;  // backend label -> report
    int reports = 0;
  };
  std::map<std::string, HostInfo> hosts;  // name + id -> info
  for (const HistoryReport& r : reports) {
    HostInfo& h = hosts[r.host_name + "\x1f" + r.host_id];
    h.name = r.host_name;
    ++h.reports;
    if (!h.latest || r.timestamp >= h.latest->timestamp) h.latest = &r;
    if (r.report["diag"].is_null()) continue;
    const std::string label = backend_label(r.report["backend"]);
    const HistoryReport*& d = h.latest_diag[label];
    if (!d || r.timestamp >= d->timestamp) d = &r;
  }
  summary.hosts = static_cast<int>(hosts.size());
  summary.groups = static_cast<int>(groups.size());

  std::ostringstream o;
  const std::string generated = opt.generated_at.empty() ? format_utc(now_epoch_seconds()) : opt.generated_at;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<title>" << html_escape(opt.title) << "</title><style>" << kCss << "</style></head><body>\n";
  o << "<h1>" << html_escape(opt.title) << "</h1>\n<p class=\"meta\">Generated " << html_escape(generated) << " from "
    << reports.size() << " report(s), " << hosts.size() << " host(s)";
  if (!opt.source.empty()) o << ", " << html_escape(opt.source);
  o << ". Points are the median over a report's repetitions; whiskers span min to max. A red point is "
       "significantly slower than the point before it (two-sided Mann-Whitney U, alpha "
    << num(opt.alpha) << ") by more than " << pct(opt.threshold).substr(1)
    << ". Emulated (Bochs) rows count instructions: they are never latencies.</p>\n";

  // Regressions first.
  o << "<section id=\"regressions\"><h2>Regressions</h2>\n";
  if (summary.regressions.empty()) {
    o << "<p class=\"ok\" id=\"no-regressions\">No significant regression beyond the threshold.</p>\n";
  } else {
    o << "<table><tr><th>Host</th><th>Backend</th><th>Benchmark</th><th>Unit</th><th>Before</th><th>After</th>"
         "<th>Change</th><th>p</th><th>When</th><th></th></tr>\n";
    for (const DashboardRegression& r : summary.regressions) {
      o << "<tr class=\"regression\"><td>" << html_escape(r.host_name) << "</td><td>" << html_escape(r.backend)
        << "</td><td>" << html_escape(r.benchmark) << "</td><td>" << html_escape(r.unit_label) << "</td><td class=\"num\">"
        << num(r.from_median) << "</td><td class=\"num\">" << num(r.to_median) << "</td><td class=\"num bad\">"
        << pct(r.change) << "</td><td class=\"num\">" << num(r.p_value) << "</td><td>" << html_escape(r.to_timestamp)
        << "</td><td>" << (r.latest ? "<span class=\"bad\">latest run</span>" : "earlier") << "</td></tr>\n";
    }
    o << "</table>\n";
  }
  o << "</section>\n";

  // Hosts and their capability summaries.
  o << "<section id=\"hosts\"><h2>Hosts</h2>\n";
  for (const auto& [key, h] : hosts) {
    const json& host = h.latest->report["host"];
    const std::string id = h.latest->host_id;
    o << "<div class=\"host\" id=\"host-" << html_escape(id) << "\"><h3>" << html_escape(s(host["name"]))
      << " <small>(" << html_escape(id) << ")</small></h3>\n<table>"
      << "<tr><th>CPU</th><td>" << html_escape(s(host["cpu_vendor"])) << " family " << html_escape(s(host["cpu_family"]))
      << " model " << html_escape(s(host["cpu_model"])) << " stepping " << html_escape(s(host["cpu_stepping"]))
      << " — " << html_escape(s(host["cpu_brand"])) << "</td></tr>"
      << "<tr><th>Microcode</th><td>" << html_escape(s(host["microcode"])) << "</td></tr>"
      << "<tr><th>Kernel</th><td>" << html_escape(s(host["kernel"])) << "</td></tr>"
      << "<tr><th>Hypervisor</th><td>" << html_escape(s(host["hypervisor"])) << "</td></tr>"
      << "<tr><th>Reports</th><td>" << h.reports << ", latest " << html_escape(h.latest->timestamp) << "</td></tr>"
      << "</table>\n";
    if (h.latest_diag.empty())
      o << "<p class=\"warn capability\">No diag results in this host's reports: capability summary unavailable.</p>\n";
    for (const auto& [backend, r] : h.latest_diag) {
      const json& d = r->report["diag"];
      o << "<p class=\"capability-head\"><b>Capabilities seen by " << html_escape(backend) << "</b>"
        << (r->report["backend"]["emulated"].get<bool>() ? " (the emulated CPU)" : "") << ": VMX capability hash <code>"
        << html_escape(s(r->report["host"]["vmx_capability_hash"])) << "</code>, diag schema "
        << html_escape(s(d["schema_version"])) << ", report of " << html_escape(r->timestamp) << "</p>\n";
      const DiagSummary ds = summarize_diag(d);
      if (!ds.exit_id.empty() || ds.checks_total() > 0) {
        o << "<p class=\"capability-head\">";
        if (!ds.exit_id.empty())
          o << "diag: <b class=\"" << (ds.exit_id == "vmx_usable" ? "ok" : "bad") << "\">" << html_escape(ds.exit_id)
            << "</b> — " << html_escape(ds.exit_meaning) << ". ";
        if (ds.checks_total() > 0) {
          // Only a failed error is bad (it moves diag's exit); a warning or an
          // observation is shown with its text, not as a failure.
          o << "SDM checks: " << ds.checks_passed << " pass, <span class=\""
            << (ds.errors_failed ? "bad" : ds.checks_failed ? "warn" : "ok") << "\">" << ds.checks_failed
            << " fail</span>";
          if (ds.checks_failed) o << " (" << ds.errors_failed << " errors, " << ds.warnings_failed << " warnings)";
          o << ", " << ds.checks_skipped << " skipped, " << ds.checks_observed << " observed.";
        }
        o << "</p>\n";
        if (!ds.notable.empty()) {
          o << "<ul class=\"capability checks\">";
          for (const NotableCheck& n : ds.notable) {
            const std::string kind = n.outcome == "observed" ? "observation" : n.severity.empty() ? "fail" : n.severity;
            o << "<li><b class=\"" << (kind == "error" || kind == "fail" ? "bad" : kind == "warning" ? "warn" : "ok")
              << "\">" << html_escape(kind) << "</b> <code>" << html_escape(n.id) << "</code>";
            if (!n.rule.empty()) o << " (" << html_escape(n.rule) << ")";
            if (!n.detail.empty()) o << ": " << html_escape(n.detail);
            o << "</li>";
          }
          o << "</ul>\n";
        }
      }
      std::vector<Verdict> verdicts = diag_verdicts(d);
      if (verdicts.empty()) {
        o << "<p class=\"warn capability\">The diag part has no verdicts.</p>\n";
        continue;
      }
      o << "<table class=\"capability\"><tr><th>Check</th><th>Verdict</th><th>Detail</th></tr>";
      for (const Verdict& v : verdicts) {
        std::string lv = v.verdict;
        std::transform(lv.begin(), lv.end(), lv.begin(), [](unsigned char c) { return std::tolower(c); });
        const char* cls = (lv == "fail" || lv == "failed" || lv == "error" || lv == "unsupported" || lv == "no")
                              ? "bad"
                              : (lv == "warn" || lv == "warning" || lv == "unknown" || lv == "skip") ? "warn" : "ok";
        o << "<tr><td>" << html_escape(v.name) << "</td><td class=\"" << cls << "\">" << html_escape(v.verdict)
          << "</td><td>" << html_escape(v.detail) << "</td></tr>";
      }
      o << "</table>\n";
    }
    o << "</div>\n";
  }
  o << "</section>\n";

  // One section per host and backend.
  int gi = 0;
  for (auto& [key, g] : groups) {
    ++gi;
    o << "<section class=\"group\" id=\"group-" << gi << "\"><h2>" << html_escape(g.host_name) << " — "
      << html_escape(backend_label(g));
    if (g.emulated)
      o << "<span class=\"badge emulated\">emulated: "
        << (g.tick_unit == "instructions" ? std::string("instruction counts") : html_escape(g.tick_unit))
        << ", not latency</span>";
    else
      o << "<span class=\"badge hardware\">hardware: " << html_escape(g.tick_unit) << "</span>";
    o << "</h2>\n";

    auto plot_of = [&](const std::string& name, const std::vector<const HistoryPoint*>& pts, double lo, double hi) {
      PlotSpec spec;
      spec.title = name;
      spec.y_label = series_unit_label(*pts.front());
      spec.y_lo = lo;
      spec.y_hi = hi;
      bool regressed = false;
      for (const HistoryPoint* p : pts) {
        if (!p->error.empty()) continue;
        PlotPoint pp;
        pp.x = static_cast<double>(parse_iso8601(p->timestamp).value_or(0));
        pp.median = p->median;
        pp.lo = p->samples.empty() ? p->median : p->min;
        pp.hi = p->samples.empty() ? p->median : p->max;
        pp.regression = flagged.count(p) > 0;
        regressed = regressed || (pp.regression && p == pts.back());
        pp.tooltip = p->timestamp + ": median " + num(p->median) + " " + spec.y_label + " over " +
                     std::to_string(p->samples.size()) + " repetition(s), min " + num(p->min) + ", max " +
                     num(p->max) + (pp.regression ? " — REGRESSION vs the previous run" : "");
        spec.points.push_back(pp);
      }
      ++summary.plots;
      std::string cls = regressed ? "regressed" : "";
      return "<figure class=\"" + cls + "\" data-benchmark=\"" + html_escape(name) + "\">" + render_svg_plot(spec) +
             "</figure>";
    };

    // INVEPT single-context vs global, side by side on one y scale.
    std::string single, global;
    for (const auto& [name, pts] : g.series) {
      if (ends_with(name, "invept_single_context")) single = name;
      if (ends_with(name, "invept_global")) global = name;
    }
    std::set<std::string> in_pair;
    if (!single.empty() && !global.empty()) {
      in_pair = {single, global};
      ++summary.invept_pairs;
      std::vector<PlotPoint> both;
      for (const std::string& n : {single, global})
        for (const HistoryPoint* p : g.series[n])
          both.push_back({0, p->median, p->samples.empty() ? p->median : p->min,
                          p->samples.empty() ? p->median : p->max, false, ""});
      double lo, hi;
      auto_range(both, lo, hi);
      const HistoryPoint* ls = g.series[single].back();
      const HistoryPoint* lg = g.series[global].back();
      o << "<div class=\"pair invept\"><p><b>INVEPT: single-context vs global</b> (same scale). Latest: single-context "
        << num(ls->median) << ", global " << num(lg->median) << " " << html_escape(series_unit_label(*lg));
      if (ls->median > 0) o << "; global / single-context = " << num(lg->median / ls->median);
      o << ".</p>" << plot_of(single, g.series[single], lo, hi) << plot_of(global, g.series[global], lo, hi)
        << "</div>\n";
    }
    // The live-invalidation views come from the group's latest report that has them.
    const HistoryReport* live = nullptr;
    for (const HistoryReport& r : reports) {
      if (r.host_id != g.host_id || backend_label(r.report["backend"]) != backend_label(g) ||
          r.report["backend"]["tick_unit"] != g.tick_unit || (live && r.timestamp < live->timestamp))
        continue;
      if (!touch_counters(r.report).empty()) live = &r;
    }
    if (live != nullptr) {
      Series unit;
      unit.unit = g.tick_unit;
      unit.emulated = g.emulated;
      LiveViewStats live_stats;
      o << render_live_invalidation_views(live->report, live->timestamp, unit_label(unit), &live_stats);
      summary.live_views += live_stats.views;
    }
    o << "<div class=\"plots\">";
    for (const auto& [name, pts] : g.series)
      if (!in_pair.count(name)) o << plot_of(name, pts, 0, 0);
    o << "</div></section>\n";
  }
  if (groups.empty()) o << "<p class=\"warn\" id=\"empty\">The history has no results for this selection.</p>\n";
  o << "</body></html>\n";
  if (summary_out) *summary_out = summary;
  return o.str();
}

}  // namespace vmxb::reports
