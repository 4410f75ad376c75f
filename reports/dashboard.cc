#include "reports/dashboard.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "diag/capability_diff.h"
#include "reports/capability_changes.h"
#include "reports/dashboard_model.h"
#include "reports/diag_view.h"
#include "reports/html.h"
#include "reports/report.h"
#include "reports/text_format.h"
#include "reports/timeutil.h"
#include "reports/touch_counters.h"
#include "reports/touch_view.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

// Debian's dygraphs (libjs-dygraphs, through @dygraphs) and the page's own
// style and script, compiled in: the page needs no network.
constexpr const char kDygraphJs[] =
#include "reports/dygraph_min_js.inc"
    ;
constexpr const char kDygraphCss[] =
#include "reports/dygraph_min_css.inc"
    ;
constexpr const char kDashboardCss[] =
#include "reports/dashboard_css.inc"
    ;
constexpr const char kDashboardJs[] =
#include "reports/dashboard_js.inc"
    ;

// The summary's columns for the ring-0 rows: INVEPT single-context vs global,
// then the VM-exit round trip.
constexpr const char kInveptSingle[] = "ring0/invept_single_context";
constexpr const char kInveptGlobal[] = "ring0/invept_global";
constexpr const char kVmExitRoundTrip[] = "ring0/vmcall";
// The live-invalidation families the summary shows, at their largest page count.
constexpr const char kLiveSingle[] = "ring0/invept_single_context_live";
constexpr const char kLiveGlobal[] = "ring0/invept_global_live";

std::string pct(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", f * 100);
  return buf;
}

std::string s(const json& v) {
  if (v.is_null()) return "unknown";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string badge(const DashboardGroup& g) {
  if (g.user_space) return "<span class=\"badge userspace\">user space: the host's real nanoseconds</span>";
  if (g.emulated)
    return "<span class=\"badge emulated\">emulated: " +
           (g.tick_unit == "instructions" ? std::string("instruction counts") : html_escape(g.tick_unit)) +
           ", not latency</span>";
  return "<span class=\"badge hardware\">hardware: " + html_escape(g.tick_unit) + "</span>";
}

// A table cell for what a point says: its median, or why it has none.
std::string outcome_cell(const DashboardPoint& p) {
  const std::string when = " title=\"" + html_escape(p.point->timestamp) + "\"";
  switch (p.outcome.kind) {
    case RowOutcome::Kind::kUnsupported:
      return "<td class=\"unsupported\"" + when + ">unsupported: " + html_escape(p.outcome.reason) + "</td>";
    case RowOutcome::Kind::kFailed:
      return "<td class=\"failed\"" + when + ">failed: " + html_escape(p.outcome.reason) + "</td>";
    case RowOutcome::Kind::kMeasured:
      break;
  }
  return "<td class=\"num" + std::string(p.regression ? " bad" : "") + "\"" + when + ">" + num(p.point->median) +
         "</td>";
}

std::string latest_cell(const DashboardGroup& g, const std::string& benchmark) {
  if (g.user_space) return "<td class=\"na\">—</td>";
  const DashboardSeries* series = g.find(benchmark);
  if (series == nullptr) return "<td class=\"absent\">not measured</td>";
  return outcome_cell(series->latest());
}

std::string ratio_cell(const DashboardGroup& g) {
  const DashboardSeries *single = g.find(kInveptSingle), *global = g.find(kInveptGlobal);
  if (g.user_space || single == nullptr || global == nullptr) return "<td class=\"na\">—</td>";
  const DashboardPoint &a = single->latest(), &b = global->latest();
  if (a.outcome.kind != RowOutcome::Kind::kMeasured || b.outcome.kind != RowOutcome::Kind::kMeasured ||
      !(a.point->median > 0))
    return "<td class=\"na\">—</td>";
  return "<td class=\"num\">" + num(b.point->median / a.point->median) + "</td>";
}

// The group's latest report that has live-invalidation rows.
const HistoryReport* live_report(const DashboardGroup& g, const std::vector<HistoryReport>& reports) {
  const HistoryReport* live = nullptr;
  if (g.user_space) return nullptr;
  for (const HistoryReport& r : reports) {
    if (r.host_id != g.host_id || backend_label(r.report["backend"]) != g.backend_label ||
        r.report["backend"]["tick_unit"] != g.tick_unit || (live && r.timestamp < live->timestamp))
      continue;
    if (!touch_counters(r.report).empty()) live = &r;
  }
  return live;
}

// A change of the VMX capabilities between consecutive reports of one host
// and backend (a hypervisor, microcode or BIOS update), seen as a new
// capability hash, and item by item from the two diag parts when both decode
// (diag/capability_diff.h, the same tables as `reports compare`).
struct CapabilityHashChange {
  std::string timestamp, from, to;
  std::vector<std::string> items;  // "lost: IA32_VMX_EPT_VPID_CAP bit 17 (...): yes -> no"
};

std::vector<std::string> changed_items(const json& before_diag, const json& after_diag) {
  const auto before = decoded_capabilities(before_diag), after = decoded_capabilities(after_diag);
  if (!before || !after) return {};
  std::vector<std::string> lines;
  for (const diag::CapabilityChange& c : diag::diff_capabilities(*before, *after))
    lines.push_back(diag::capability_change_line(c));
  return lines;
}

using ReportsByHash = std::map<std::string, const HistoryReport*>;

// `runs`: every report's metadata, by time; `by_hash`: the reports read
// whole, which include both sides of every change (reports/dashboard_query.h).
std::vector<CapabilityHashChange> capability_changes(const DashboardGroup& g, const std::vector<ReportMeta>& runs,
                                                     const ReportsByHash& by_hash) {
  std::vector<CapabilityHashChange> out;
  if (g.user_space) return out;
  const std::string group = run_group_key(g.host_id, g.backend_label, g.tick_unit);
  const ReportMeta* last = nullptr;
  for (const ReportMeta& r : runs) {
    if (!r.capability_hash || run_group_key(r.host_id, backend_label(r.backend, r.backend_detail), r.tick_unit) != group)
      continue;
    if (last != nullptr && last->capability_hash != r.capability_hash) {
      const auto before = by_hash.find(last->content_hash), after = by_hash.find(r.content_hash);
      out.push_back({r.timestamp, *last->capability_hash, *r.capability_hash,
                     before == by_hash.end() || after == by_hash.end()
                         ? std::vector<std::string>{}
                         : changed_items(before->second->report["diag"], after->second->report["diag"])});
    }
    last = &r;
  }
  return out;
}

// "sha256:0123456789ab…": enough to tell two hashes apart in a sentence.
std::string short_hash(const std::string& hash) { return hash.size() > 19 ? hash.substr(0, 19) + "…" : hash; }

std::string capability_cell(const DashboardGroup& g, const std::vector<CapabilityHashChange>& changes) {
  if (g.user_space) return "<td class=\"na\">—</td>";
  if (changes.empty()) return "<td>no change seen</td>";
  return "<td class=\"bad\">changed " + html_escape(changes.back().timestamp) +
         (changes.size() > 1 ? " (" + std::to_string(changes.size()) + " changes)" : std::string()) + "</td>";
}

// "flush F, refill R, collateral C (N pages)" for a live family at its largest
// page count in the report, or why not.
std::string live_cell(const DashboardGroup& g, const HistoryReport* live, const std::string& family) {
  if (g.user_space) return "<td class=\"na\">—</td>";
  const std::map<std::string, TouchCounters> all =
      live != nullptr ? touch_counters(live->report) : std::map<std::string, TouchCounters>{};
  const TouchCounters* best = nullptr;
  for (const auto& [name, c] : all)
    if (c.family == family && (best == nullptr || c.pages > best->pages)) best = &c;
  if (best == nullptr) {
    // Not run: say why when the rows are in the history as unsupported.
    for (const auto& [name, series] : g.series)
      if (name.rfind(family + "/", 0) == 0 && series.latest().outcome.kind != RowOutcome::Kind::kMeasured)
        return outcome_cell(series.latest());
    return "<td class=\"absent\">not measured</td>";
  }
  auto counter = [&](const char* name) {
    const auto it = best->medians.find(name);
    return it == best->medians.end() ? std::string("-") : num(it->second);
  };
  return "<td class=\"num\">flush " + num(best->flush) + ", refill " + counter("refill") + ", collateral " +
         counter("collateral") + " (" + std::to_string(best->pages) + " pages)</td>";
}

// `changes[i]`: capability_changes() of model.groups[i], computed once for the
// summary and the group's section (each decodes two diag parts per change).
void write_summary(std::ostringstream& o, const DashboardModel& model, const std::vector<HistoryReport>& reports,
                   const std::vector<std::vector<CapabilityHashChange>>& changes) {
  o << "<section id=\"summary\"><h2>Summary</h2>\n"
       "<p class=\"meta\">The latest run of each host and backend (hover a cell for its time). Medians in the "
       "unit of the row; an operation the CPU does not support shows the reason, never a number.</p>\n"
       "<table id=\"summary-table\"><tr><th>Host</th><th>Where</th><th>Unit</th><th>INVEPT single-context</th>"
       "<th>INVEPT global</th><th>global / single</th><th>INVEPT single-context, live guests</th>"
       "<th>INVEPT global, live guests</th><th>VM-exit round trip (vmcall)</th><th>Regressions</th>"
       "<th>VMX capabilities</th></tr>\n";
  for (size_t gi = 0; gi < model.groups.size(); ++gi) {
    const DashboardGroup& g = model.groups[gi];
    int regressions = 0, latest = 0;
    for (const DashboardRegression& r : model.regressions)
      if (r.host_id == g.host_id && r.backend == g.where) {
        ++regressions;
        latest += r.latest ? 1 : 0;
      }
    std::string unit;
    for (const auto& [name, series] : g.series)
      if (series.latest().outcome.kind == RowOutcome::Kind::kMeasured) {
        unit = series.unit_label;
        break;
      }
    const HistoryReport* live = live_report(g, reports);
    o << "<tr data-host=\"" << html_escape(g.host_name) << "\" data-where=\"" << html_escape(g.where) << "\"><td>"
      << html_escape(g.host_name) << "</td><td>" << html_escape(g.where) << "</td><td>" << html_escape(unit) << "</td>"
      << latest_cell(g, kInveptSingle) << latest_cell(g, kInveptGlobal) << ratio_cell(g)
      << live_cell(g, live, kLiveSingle) << live_cell(g, live, kLiveGlobal) << latest_cell(g, kVmExitRoundTrip)
      << "<td class=\"num" << (latest ? " bad" : "") << "\">" << regressions
      << (latest ? " (" + std::to_string(latest) + " in the latest run)" : std::string()) << "</td>"
      << capability_cell(g, changes[gi]) << "</tr>\n";
  }
  o << "</table></section>\n";
}

void write_regressions(std::ostringstream& o, const DashboardModel& model) {
  o << "<section id=\"regressions\"><h2>Regressions</h2>\n";
  if (model.regressions.empty()) {
    o << "<p class=\"ok\" id=\"no-regressions\">No significant regression beyond the threshold.</p>\n</section>\n";
    return;
  }
  o << "<table><tr><th>Host</th><th>Where</th><th>Benchmark</th><th>Unit</th><th>Before</th><th>After</th>"
       "<th>Change</th><th>p</th><th>When</th><th></th></tr>\n";
  for (const DashboardRegression& r : model.regressions) {
    o << "<tr class=\"regression\"><td>" << html_escape(r.host_name) << "</td><td>" << html_escape(r.backend)
      << "</td><td>" << html_escape(r.benchmark) << "</td><td>" << html_escape(r.unit_label) << "</td><td class=\"num\">"
      << num(r.from_median) << "</td><td class=\"num\">" << num(r.to_median) << "</td><td class=\"num bad\">"
      << pct(r.change) << "</td><td class=\"num\">" << num(r.p_value) << "</td><td>" << html_escape(r.to_timestamp)
      << "</td><td>" << (r.latest ? "<span class=\"bad\">latest run</span>" : "earlier") << "</td></tr>\n";
  }
  o << "</table>\n</section>\n";
}

void write_filters(std::ostringstream& o, const DashboardModel& model) {
  std::set<std::string> hosts, wheres;
  for (const DashboardGroup& g : model.groups) {
    hosts.insert(g.host_name);
    wheres.insert(g.where);
  }
  o << "<div id=\"filters\"><label>Host <select id=\"filter-host\"><option value=\"\">all</option>";
  for (const std::string& h : hosts) o << "<option>" << html_escape(h) << "</option>";
  o << "</select></label><label>Where <select id=\"filter-where\"><option value=\"\">all</option>";
  for (const std::string& w : wheres) o << "<option>" << html_escape(w) << "</option>";
  o << "</select></label><label>Benchmark <input type=\"search\" id=\"filter-benchmark\" "
       "placeholder=\"contains, e.g. invept\"></label><label><input type=\"checkbox\" id=\"log-scale\"> log scale"
       "</label>"
       // Radio buttons, not a select: one click switches (time stays the default).
       "<span id=\"x-axis\">X axis: <label><input type=\"radio\" name=\"x-axis\" value=\"time\" "
       "id=\"x-axis-time\" checked> time</label><label><input type=\"radio\" name=\"x-axis\" value=\"order\" "
       "id=\"x-axis-order\"> revision order</label></span><span id=\"filter-status\"></span></div>\n";
}

// A number for the chart data: rounded to 6 significant digits, so that
// nlohmann prints it short ("503.2", not "503.19999999999999"). Where 6 digits
// would change the 5-digit text dashboard.js shows (its formatG5, C's %.5g as
// num()), e.g. 1.234549 -> 1.23455 -> "1.2346" instead of "1.2345", it keeps
// as many more digits as that text needs.
double short_number(double v) {
  if (!std::isfinite(v)) return v;
  const std::string text = num(v);
  for (int digits = 6; digits < 17; ++digits) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    const double rounded = std::strtod(buf, nullptr);
    if (num(rounded) == text) return rounded;
  }
  return v;
}

// One chart's data for dashboard.js, compact (a fleet's page holds tens of
// thousands of points; an object per point was ~170 bytes). The encoding,
// decoded by decodeChart() in reports/dashboard.js:
//
//   {"id", "host", "where", "family", "unit",
//    "runs": [[t, ts, rev, order, runs, first_ts], ...]  by time, then the rest
//       t: ms since the epoch; ts: the timestamp text; rev: the revision label
//       ("" for none); order: the revision order (null for none). Trailing
//       defaults are left out: [t, ts] is a run without a revision, and only a
//       downsampled point's run (HistoryPoint::first_timestamp set: `runs`
//       consecutive runs, first_ts .. ts) has the last two.
//    "reasons": ["...", ...]  the unsupported and failed reasons, each once
//    "series": [{"name", "points": [point, ...]}, ...]  each by time, where a point is
//       [run, median, min, max, repetitions]      measured (repetitions: the samples; 0 if none)
//       [run, median, min, max, repetitions, 1]   measured, a regression
//       [run, "u", reason]                        unsupported (reason: an index into "reasons")
//       [run, "f", reason]                        failed
//     run: an index into "runs"; numbers go through short_number(), texts are
//     formatted in the page (formatG5, the rule of num()).
//    "marks": [{"run", "t", "ts", "kind", "text", "items"}, ...]  capability
//       changes, at the run (an index into "runs": the first report that saw
//       them, or the downsampled point that holds it; -1 if none of the
//       chart's series ran then)}
json chart_data(const DashboardGroup& g, const std::string& id, const std::string& family,
                const std::vector<const DashboardSeries*>& series, const std::vector<CapabilityHashChange>& changes) {
  // A run of the chart: what its points share. Series of one report share
  // their run; a downsampled point's run is its own span of runs.
  using RunKey = std::tuple<int64_t, std::string, std::string, std::optional<int64_t>, int64_t, std::string>;
  auto key_of = [](const HistoryPoint& h) {
    return RunKey{parse_iso8601(h.timestamp).value_or(0) * 1000, h.timestamp, h.revision, h.revision_order,
                  h.runs, h.first_timestamp};
  };
  std::map<RunKey, int> run_index;
  for (const DashboardSeries* s : series)
    for (const DashboardPoint& p : s->points) run_index.emplace(key_of(*p.point), 0);
  json runs = json::array();
  for (auto& [key, index] : run_index) {
    const auto& [t, ts, rev, order, count, first_ts] = key;
    index = static_cast<int>(runs.size());
    json run = {t, ts};
    const bool folded = !first_ts.empty();
    if (!rev.empty() || order || folded) run.push_back(rev);
    if (order || folded) run.push_back(order ? json(*order) : json(nullptr));
    if (folded) run.insert(run.end(), {count, first_ts});
    runs.push_back(std::move(run));
  }

  std::map<std::string, int> reason_index;
  json reasons = json::array();
  auto reason_of = [&](const std::string& reason) {
    const auto [it, added] = reason_index.emplace(reason, static_cast<int>(reasons.size()));
    if (added) reasons.push_back(reason);
    return it->second;
  };
  json c = {{"id", id},
            {"host", g.host_name},
            {"where", g.where},
            {"family", family},
            {"unit", series.front()->unit_label},
            {"series", json::array()}};
  for (const DashboardSeries* s : series) {
    json points = json::array();
    for (const DashboardPoint& p : s->points) {
      const HistoryPoint& h = *p.point;
      const int run = run_index.at(key_of(h));
      switch (p.outcome.kind) {
        case RowOutcome::Kind::kMeasured: {
          // A run without samples (aggregates only) has no range of its own;
          // a downsampled point's min and max are its runs' extremes.
          const bool no_range = h.samples.empty() && h.first_timestamp.empty();
          const double lo = no_range ? h.median : h.min, hi = no_range ? h.median : h.max;
          json point = {run, short_number(h.median), short_number(lo), short_number(hi), h.samples.size()};
          // The model cannot flag a downsampled point (it has no samples); the
          // page must never say so either.
          if (p.regression && h.first_timestamp.empty()) point.push_back(1);
          points.push_back(std::move(point));
          break;
        }
        case RowOutcome::Kind::kUnsupported: points.push_back({run, "u", reason_of(p.outcome.reason)}); break;
        case RowOutcome::Kind::kFailed: points.push_back({run, "f", reason_of(p.outcome.reason)}); break;
      }
    }
    c["series"].push_back({{"name", s->benchmark}, {"points", std::move(points)}});
  }
  c["runs"] = std::move(runs);
  c["reasons"] = std::move(reasons);
  c["marks"] = json::array();
  for (const CapabilityHashChange& change : changes) {
    // The chart's run of that report: the first at its time, else the
    // downsampled point whose span holds it (ISO-8601 UTC texts sort by time).
    int run = -1;
    for (const auto& [key, index] : run_index)
      if (std::get<1>(key) == change.timestamp && (run < 0 || index < run)) run = index;
    for (const auto& [key, index] : run_index)
      if (run < 0 && std::get<4>(key) > 1 && std::get<5>(key) <= change.timestamp &&
          change.timestamp <= std::get<1>(key))
        run = index;
    c["marks"].push_back({{"run", run},
                          {"t", parse_iso8601(change.timestamp).value_or(0) * 1000},
                          {"ts", change.timestamp},
                          {"kind", "capability"},
                          {"text", "VMX capabilities changed"},
                          {"items", change.items}});
  }
  return c;
}

std::string item_list(const std::vector<const DashboardSeries*>& series, bool with_value) {
  std::string out;
  for (const DashboardSeries* s : series) {
    const DashboardPoint& p = s->latest();
    std::string text = html_escape(s->benchmark) + ": ";
    std::string cls = "item";
    if (with_value) {
      text += num(p.point->median);
    } else {
      const bool unsupported = p.outcome.kind == RowOutcome::Kind::kUnsupported;
      cls += unsupported ? " unsupported" : " failed";
      text += (unsupported ? "unsupported: " : "failed: ") + html_escape(p.outcome.reason);
    }
    out += (out.empty() ? "" : ", ") + std::string("<span class=\"") + cls + "\" data-benchmark=\"" +
           html_escape(s->benchmark) + "\">" + text + "</span>";
  }
  return out;
}

}  // namespace

std::string render_dashboard(const std::vector<HistoryPoint>& points, const std::vector<HistoryReport>& reports,
                            const DashboardOptions& opt, DashboardSummary* summary_out) {
  return render_dashboard(dashboard_input_of(points, reports), opt, summary_out);
}

std::string render_dashboard(const DashboardInput& input, const DashboardOptions& opt,
                             DashboardSummary* summary_out) {
  DashboardSummary summary;
  const DashboardModel model = build_dashboard_model(input.points, opt.alpha, opt.threshold);
  summary.regressions = model.regressions;
  summary.folded_runs = input.folded_runs;
  const std::vector<HistoryReport>& reports = input.reports;
  ReportsByHash by_hash;
  for (const HistoryReport& r : reports) by_hash[r.content_hash] = &r;

  // Hosts (by name): the latest report of each, and per backend the latest
  // report with a diag part (under Bochs, diag describes the emulated CPU).
  struct HostInfo {
    const HistoryReport* latest = nullptr;
    std::map<std::string, const HistoryReport*> latest_diag;  // backend label -> report
    int64_t reports = 0;
  };
  std::map<std::string, HostInfo> hosts;  // name + id -> info
  for (const ReportMeta& r : input.runs) {  // by time: each later one replaces
    HostInfo& h = hosts[r.host_name + "\x1f" + r.host_id];
    ++h.reports;
    const auto whole = by_hash.find(r.content_hash);
    if (whole == by_hash.end()) continue;
    h.latest = whole->second;
    if (r.capability_hash) h.latest_diag[backend_label(r.backend, r.backend_detail)] = whole->second;
  }
  summary.hosts = static_cast<int>(hosts.size());
  summary.groups = static_cast<int>(model.groups.size());

  std::ostringstream o;
  const std::string generated = opt.generated_at.empty() ? format_utc(now_epoch_seconds()) : opt.generated_at;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<title>" << html_escape(opt.title) << "</title><style>" << kDygraphCss << "\n" << kDashboardCss
    << "</style></head><body>\n";
  o << "<h1>" << html_escape(opt.title) << "</h1>\n<p class=\"meta\">Generated " << html_escape(generated) << " from "
    << input.runs.size() << " report(s), " << hosts.size() << " host(s)";
  if (!opt.source.empty()) o << ", " << html_escape(opt.source);
  o << ". Points are the median over a report's repetitions; the band spans min to max. A hollow square "
       "folds older runs: the mean of their medians, its band their min to max. A red point is "
       "significantly slower than the measured point before it (two-sided Mann-Whitney U, alpha "
    << num(opt.alpha) << ") by more than " << pct(opt.threshold).substr(1)
    << ". Emulated (Bochs) rows count instructions: they are never latencies. User-space rows are the host's "
       "real nanoseconds, filed under the host whatever backend ran the ring-0 rows.</p>\n";
  if (input.folded_runs > 0)
    o << "<p class=\"meta\" id=\"folded\">Each series shows its newest " << input.limits.recent_runs
      << " runs as they are; its older runs are folded into at most " << input.limits.older_points
      << " points, each the mean of consecutive runs' medians (" << input.folded_runs << " runs in "
      << input.folded_points << " points here). Every run of a period: <code>reports dashboard --since T --until T"
      << "</code>, or <code>--recent_runs 0</code>.</p>\n";

  std::vector<std::vector<CapabilityHashChange>> changes_by_group;
  for (const DashboardGroup& g : model.groups) changes_by_group.push_back(capability_changes(g, input.runs, by_hash));
  write_summary(o, model, reports, changes_by_group);
  write_regressions(o, model);
  write_filters(o, model);

  json charts = json::array();
  int gi = 0;
  for (const DashboardGroup& g : model.groups) {
    ++gi;
    o << "<section class=\"group\" id=\"group-" << gi << "\" data-host=\"" << html_escape(g.host_name)
      << "\" data-where=\"" << html_escape(g.where) << "\"><h2>" << html_escape(g.host_name) << " — "
      << html_escape(g.where) << badge(g) << "</h2>\n";
    const std::vector<CapabilityHashChange>& changes = changes_by_group[gi - 1];  // gi counts from 1
    if (!changes.empty()) {
      o << "<p class=\"capability-changes\"><b>VMX capabilities changed</b> (an orange line on the charts; "
           "<code>reports compare OLD NEW</code> names the bits):";
      for (const CapabilityHashChange& c : changes)
      {
        o << " <span class=\"item\">" << html_escape(c.timestamp) << ": <code>" << html_escape(short_hash(c.from))
          << "</code> → <code>" << html_escape(short_hash(c.to)) << "</code></span>";
        if (!c.items.empty()) {
          o << "<ul class=\"capability-items\">";
          for (const std::string& item : c.items) o << "<li>" << html_escape(item) << "</li>";
          o << "</ul>";
        }
      }
      o << "</p>\n";
    }
    o << "<div class=\"charts\">";
    const DashboardSeries *single = g.find(kInveptSingle), *global = g.find(kInveptGlobal);
    if (single && global && !single->never_measured && !global->never_measured) ++summary.invept_pairs;
    for (const auto& [family, series] : g.charts) {
      const std::string id = "chart-" + std::to_string(++summary.plots);
      bool regressed = false;
      for (const DashboardSeries* s : series) regressed = regressed || s->latest().regression;
      o << "<figure class=\"chart" << (regressed ? " regressed" : "") << "\" id=\"" << id << "\" data-family=\""
        << html_escape(family) << "\"><figcaption>" << html_escape(family) << " <small>"
        << html_escape(series.front()->unit_label) << "</small></figcaption><div class=\"plot\"></div>"
        << "<div class=\"legend\"></div><div class=\"toggles\">";
      for (size_t j = 0; j < series.size(); ++j)
        o << "<label><input type=\"checkbox\" checked data-series=\"" << j << "\"> "
          << html_escape(series[j]->benchmark) << "</label>";
      o << "</div></figure>";
      charts.push_back(chart_data(g, id, family, series, changes));
    }
    o << "</div>\n";
    if (!g.flat.empty()) {
      summary.flat_series += static_cast<int>(g.flat.size());
      o << "<p class=\"flat\"><b>" << g.flat.size() << " flat series</b> (the same median in every run, "
        << html_escape(g.flat.front()->unit_label) << "): " << item_list(g.flat, true) << "</p>\n";
    }
    if (!g.never_measured.empty()) {
      summary.never_measured_series += static_cast<int>(g.never_measured.size());
      o << "<p class=\"never-measured\"><b>" << g.never_measured.size() << " not measured in any run:</b> "
        << item_list(g.never_measured, false) << "</p>\n";
    }
    if (const HistoryReport* live = live_report(g, reports)) {
      Series unit;
      unit.unit = g.tick_unit;
      unit.emulated = g.emulated;
      LiveViewStats live_stats;
      o << render_live_invalidation_views(live->report, live->timestamp, unit_label(unit), &live_stats);
      summary.live_views += live_stats.views;
    }
    o << "</section>\n";
  }
  if (model.groups.empty()) o << "<p class=\"warn\" id=\"empty\">The history has no results for this selection.</p>\n";

  // Hosts and their capability summaries, folded.
  o << "<section id=\"hosts\"><h2>Hosts</h2>\n";
  for (const auto& [key, h] : hosts) {
    if (h.latest == nullptr) continue;  // its latest report is unreadable (named in the skipped rows)
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
      o << "<details class=\"capabilities\"><summary><b>Capabilities seen by " << html_escape(backend) << "</b>"
        << (r->report["backend"]["emulated"].get<bool>() ? " (the emulated CPU)" : "") << ": VMX capability hash <code>"
        << html_escape(s(r->report["host"]["vmx_capability_hash"])) << "</code>, diag schema "
        << html_escape(s(d["schema_version"])) << ", report of " << html_escape(r->timestamp) << "</summary>\n";
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
        o << "<p class=\"warn capability\">The diag part has no verdicts.</p></details>\n";
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
      o << "</table></details>\n";
    }
    o << "</div>\n";
  }
  o << "</section>\n";

  o << "<script type=\"application/json\" id=\"dashboard-data\">"
    << json_for_script(json{{"charts", std::move(charts)}, {"revision_url", opt.revision_url}}.dump(-1, ' ', false, json::error_handler_t::replace)) << "</script>\n<script>" << kDygraphJs
    << "</script>\n<script>" << kDashboardJs << "</script>\n</body></html>\n";
  if (summary_out) *summary_out = summary;
  return std::move(o).str();  // C++20: the page is not copied out of the stream
}

}  // namespace vmxb::reports
