#include "reports/dashboard_query.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "reports/history_rollups.h"
#include "reports/report.h"
#include "reports/series.h"
#include "reports/touch_counters.h"

namespace vmxb::reports {
namespace {

std::string param(std::vector<DbValue>& params, DbValue v) {
  params.push_back(std::move(v));
  return "$" + std::to_string(params.size());
}

// A ring-0 row's series runs are its report's host, backend and tick unit;
// a user-space row's are its host's, as build_dashboard_model() groups them.
std::string backend_runs_key(const std::string& host_name, const std::string& host_id, const std::string& backend,
                             const std::string& detail, const std::string& tick_unit) {
  return host_name + "\x1f" + host_id + "\x1f" + backend + "\x1f" + detail + "\x1f" + tick_unit;
}
std::string host_runs_key(const std::string& host_name, const std::string& host_id) {
  return host_name + "\x1f" + host_id;
}

// The week from which each series is shown run by run: the week of its
// `recent_runs`-th newest run, for a series with more runs than
// recent_runs + older_points (a series that fits has no edge: every run is
// shown). From the reports' metadata (by time), per backend_runs_key and
// host_runs_key.
struct Edges {
  std::map<std::string, std::string> of_backend_runs, of_host_runs;
};

Edges find_edges(const std::vector<ReportMeta>& runs, const DashboardLimits& limits) {
  std::map<std::string, std::vector<const ReportMeta*>> backend_runs, host_runs;
  for (const ReportMeta& m : runs) {
    backend_runs[backend_runs_key(m.host_name, m.host_id, m.backend, m.backend_detail, m.tick_unit)].push_back(&m);
    host_runs[host_runs_key(m.host_name, m.host_id)].push_back(&m);
  }
  const size_t recent = static_cast<size_t>(limits.recent_runs);
  const size_t fits = recent + static_cast<size_t>(std::max<int64_t>(1, limits.older_points));
  Edges e;
  auto edges_of = [&](const std::map<std::string, std::vector<const ReportMeta*>>& by_key,
                      std::map<std::string, std::string>& out) {
    for (const auto& [key, list] : by_key)
      if (list.size() > fits) out[key] = list[list.size() - recent]->week;
  };
  edges_of(backend_runs, e.of_backend_runs);
  edges_of(host_runs, e.of_host_runs);
  return e;
}

// Where a series has no edge, every run is shown: "" sorts before every week.
const std::string& edge_of(const std::map<std::string, std::string>& edges, const std::string& key) {
  static const std::string none;
  const auto it = edges.find(key);
  return it == edges.end() ? none : it->second;
}

// The points shown as they are, as History::query reads them: each series'
// runs from its edge's week on. The reports that hold any are read by
// content hash, so the cost follows what is shown.
std::vector<HistoryPoint> recent_points(History& h, const HistoryQuery& q, const std::vector<ReportMeta>& runs,
                                        const Edges& edges) {
  std::vector<std::string> hashes;
  std::set<std::string> ring0_shown, user_space_shown;
  for (const ReportMeta& m : runs) {
    const bool ring0 = m.week >= edge_of(edges.of_backend_runs, backend_runs_key(m.host_name, m.host_id, m.backend,
                                                                                 m.backend_detail, m.tick_unit));
    const bool user_space = m.week >= edge_of(edges.of_host_runs, host_runs_key(m.host_name, m.host_id));
    if (ring0) ring0_shown.insert(m.content_hash);
    if (user_space) user_space_shown.insert(m.content_hash);
    if (ring0 || user_space) hashes.push_back(m.content_hash);
  }
  std::vector<HistoryPoint> out;
  const size_t slice = 200;  // content hashes per statement
  for (size_t from = 0; from < hashes.size(); from += slice) {
    std::vector<DbValue> params;
    std::string sql = "SELECT " + History::point_columns() +
                      " FROM vmxbench_results s JOIN vmxbench_reports r ON r.content_hash = s.content_hash" +
                      History::where_clause(q, true, params) + " AND s.content_hash IN (";
    for (size_t i = from; i < hashes.size() && i < from + slice; ++i)
      sql += (i == from ? "" : ", ") + param(params, hashes[i]);
    h.db().for_each_row(sql + ")", params, [&](const DbRow& row) {
      std::optional<HistoryPoint> p = h.read_point(row);
      if (!p) return;
      const std::set<std::string>& shown = runs_in_backend(p->benchmark) ? ring0_shown : user_space_shown;
      if (shown.count(p->content_hash)) out.push_back(std::move(*p));
    });
  }
  return out;
}

// One week of one series, as the rollups keep it (history_rollups.h).
struct RollupWeek {
  std::string week, backend, backend_detail, tick_unit, metric, unit, error, first_timestamp, last_timestamp;
  bool emulated = false;
  int64_t measured_runs = 0, error_runs = 0, repetitions = 0;
  double median_sum = 0;
  std::optional<double> low, high;
};

// A series' weeks before its edge (newest first) as at most `older_points`
// slices of whole weeks by age, each read as a point of its measured runs
// and one of its runs without a value (their latest error), where it has them.
void fold_weeks(const std::string& host_name, const std::string& host_id, const std::string& benchmark,
                const std::vector<RollupWeek>& weeks, int64_t older_points, std::vector<HistoryPoint>& out) {
  const size_t n = weeks.size();
  const size_t slices = std::min(n, static_cast<size_t>(std::max<int64_t>(1, older_points)));
  for (size_t from = 0; from < n;) {
    size_t to = from;
    while (to < n && to * slices / n == from * slices / n) ++to;
    HistoryPoint p;
    p.host_name = host_name;
    p.host_id = host_id;
    p.benchmark = benchmark;
    // The slice's newest week labels it.
    const RollupWeek& newest = weeks[from];
    p.backend = newest.backend;
    p.backend_detail = newest.backend_detail;
    p.tick_unit = newest.tick_unit;
    p.emulated = newest.emulated;
    p.metric = newest.metric;
    p.unit = newest.unit;
    p.repetitions = newest.repetitions;
    p.first_timestamp = newest.first_timestamp;
    p.timestamp = newest.last_timestamp;
    int64_t measured = 0, failed = 0;
    double median_sum = 0;
    std::optional<double> low, high;
    std::string error, error_at;
    bool labelled = false;
    for (size_t i = from; i < to; ++i) {
      const RollupWeek& w = weeks[i];
      p.first_timestamp = std::min(p.first_timestamp, w.first_timestamp);
      measured += w.measured_runs;
      median_sum += w.median_sum;
      if (w.low) low = std::min(low.value_or(*w.low), *w.low);
      if (w.high) high = std::max(high.value_or(*w.high), *w.high);
      failed += w.error_runs;
      if (w.error_runs > 0 && w.last_timestamp > error_at) {
        error = w.error;
        error_at = w.last_timestamp;
      }
      if (w.measured_runs > 0 && !labelled) {  // a measured point is labelled by its measured runs
        labelled = true;
        p.metric = w.metric;
        p.unit = w.unit;
        p.repetitions = w.repetitions;
      }
    }
    if (measured > 0) {
      HistoryPoint m = p;
      m.runs = measured;
      m.median = m.mean = median_sum / static_cast<double>(measured);
      m.min = low.value_or(m.median);
      m.max = high.value_or(m.median);
      out.push_back(std::move(m));
    }
    if (failed > 0) {
      p.runs = failed;
      p.error = error;
      if (measured > 0) p.timestamp = p.first_timestamp;  // never at the measured point's time
      out.push_back(std::move(p));
    }
    from = to;
  }
}

// The weeks before each series' edge, from the weekly rollups, read in key
// order one series at a time.
std::vector<HistoryPoint> folded_points(History& h, const HistoryQuery& q, const DashboardLimits& limits,
                                        const Edges& edges) {
  HistoryFilterColumns rollup_columns;
  rollup_columns.host_name = "u.host_name";
  rollup_columns.host_id = "u.host_id";
  rollup_columns.benchmark = "u.benchmark";
  rollup_columns.ends = "u.last_timestamp";
  rollup_columns.starts = "u.first_timestamp";
  std::vector<DbValue> params;
  const std::string sql =
      "SELECT u.host_name, u.host_id, u.benchmark, u.series_backend, u.series_detail, u.series_tick, u.week, "
      "u.measured_runs, u.median_sum, u.low, u.high, u.error_runs, u.error, u.first_timestamp, u.last_timestamp, "
      "u.backend, u.backend_detail, u.tick_unit, u.emulated, u.metric, u.unit, u.repetitions FROM vmxbench_rollups u" +
      History::where_clause(q, true, params, rollup_columns) +
      " ORDER BY u.host_name, u.host_id, u.benchmark, u.series_backend, u.series_detail, u.series_tick, u.week DESC";
  std::vector<HistoryPoint> out;
  std::string series_key, host_name, host_id, benchmark;
  std::vector<RollupWeek> weeks;
  auto flush = [&] {
    if (!weeks.empty()) fold_weeks(host_name, host_id, benchmark, weeks, limits.older_points, out);
    weeks.clear();
  };
  h.db().for_each_row(sql, params, [&](const DbRow& row) {
    const std::string key = as_string(row[0]) + "\x1f" + as_string(row[1]) + "\x1f" + as_string(row[2]) + "\x1f" +
                            as_string(row[3]) + "\x1f" + as_string(row[4]) + "\x1f" + as_string(row[5]);
    if (key != series_key) {
      flush();
      series_key = key;
      host_name = as_string(row[0]);
      host_id = as_string(row[1]);
      benchmark = as_string(row[2]);
    }
    const std::string& edge =
        runs_in_backend(benchmark)
            ? edge_of(edges.of_backend_runs,
                      backend_runs_key(host_name, host_id, as_string(row[3]), as_string(row[4]), as_string(row[5])))
            : edge_of(edges.of_host_runs, host_runs_key(host_name, host_id));
    const std::string week = as_string(row[6]);
    if (edge.empty() || week >= edge) return;  // shown as it is
    RollupWeek w;
    w.week = week;
    w.measured_runs = as_int(row[7]);
    w.median_sum = as_double(row[8]);
    if (!is_null(row[9])) w.low = as_double(row[9]);
    if (!is_null(row[10])) w.high = as_double(row[10]);
    w.error_runs = as_int(row[11]);
    w.error = as_string(row[12]);
    w.first_timestamp = as_string(row[13]);
    w.last_timestamp = as_string(row[14]);
    w.backend = as_string(row[15]);
    w.backend_detail = as_string(row[16]);
    w.tick_unit = as_string(row[17]);
    w.emulated = as_int(row[18]) != 0;
    w.metric = as_string(row[19]);
    w.unit = as_string(row[20]);
    w.repetitions = as_int(row[21]);
    weeks.push_back(std::move(w));
  });
  flush();
  return out;
}

// Every report of the selection, without its JSON, by time.
std::vector<ReportMeta> report_metas(History& h, const HistoryQuery& q) {
  std::vector<DbValue> params;
  const std::string sql =
      "SELECT r.content_hash, r.timestamp, r.host_id, r.host_name, r.backend, r.backend_detail, r.tick_unit, "
      "r.capability_hash, r.week FROM vmxbench_reports r" +
      History::where_clause(q, false, params) + " ORDER BY r.timestamp, r.content_hash";
  std::vector<ReportMeta> out;
  h.db().for_each_row(sql, params, [&](const DbRow& row) {
    ReportMeta m{as_string(row[0]), as_string(row[1]), as_string(row[2]), as_string(row[3]), as_string(row[4]),
                 as_string(row[5]), as_string(row[6]), as_string(row[8]), std::nullopt};
    if (!is_null(row[7])) m.capability_hash = as_string(row[7]);
    out.push_back(std::move(m));
  });
  return out;
}

// Whether the report has a measured live-invalidation row (a lookup by
// content hash: the results' primary key).
bool has_live_rows(History& h, const std::string& content_hash) {
  // Probed once per candidate report: the pattern is made once.
  static const std::string like = [] {
    std::string pattern = "%";
    for (const char* c = kLiveRowNameInfix; *c; ++c) {
      if (*c == '%' || *c == '_' || *c == '\\') pattern += '\\';
      pattern += *c;
    }
    return pattern + "%";
  }();
  return !h.db()
              .query("SELECT 1 FROM vmxbench_results WHERE content_hash = $1 AND error IS NULL AND benchmark LIKE $2 "
                     "ESCAPE '\\' LIMIT 1",
                     {content_hash, like})
              .empty();
}

// The content hashes of the reports the page reads whole (see the header).
std::vector<std::string> reports_the_page_reads(History& h, const std::vector<ReportMeta>& runs) {
  std::map<std::string, const ReportMeta*> latest_of_host, latest_diag, latest_live, last_hash;
  // Each group's latest report with live rows: newest first, until one has them.
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    const std::string group = run_group_key(it->host_id, backend_label(it->backend, it->backend_detail), it->tick_unit);
    if (!latest_live.count(group) && has_live_rows(h, it->content_hash)) latest_live[group] = &*it;
  }
  std::set<std::string> wanted;
  for (const ReportMeta& m : runs) {  // by time: each later one replaces
    const std::string group = run_group_key(m.host_id, backend_label(m.backend, m.backend_detail), m.tick_unit);
    latest_of_host[m.host_name + "\x1f" + m.host_id] = &m;
    if (!m.capability_hash) continue;
    latest_diag[m.host_name + "\x1f" + m.host_id + "\x1f" + backend_label(m.backend, m.backend_detail)] = &m;
    const ReportMeta*& before = last_hash[group];
    if (before != nullptr && before->capability_hash != m.capability_hash) {
      wanted.insert(before->content_hash);
      wanted.insert(m.content_hash);
    }
    before = &m;
  }
  for (const auto* chosen : {&latest_of_host, &latest_diag, &latest_live})
    for (const auto& [key, m] : *chosen) wanted.insert(m->content_hash);
  return {wanted.begin(), wanted.end()};
}

bool series_then_time(const HistoryPoint& a, const HistoryPoint& b) {
  return std::tie(a.benchmark, a.host_name, a.host_id, a.timestamp, a.content_hash) <
         std::tie(b.benchmark, b.host_name, b.host_id, b.timestamp, b.content_hash);
}

}  // namespace

std::string run_group_key(const std::string& host_id, const std::string& backend_label, const std::string& tick_unit) {
  return host_id + "\x1f" + backend_label + "\x1f" + tick_unit;
}

DashboardInput load_dashboard_input(History& history, const HistoryQuery& q, const DashboardLimits& limits) {
  DashboardInput in;
  in.limits = limits;
  in.runs = report_metas(history, q);
  if (limits.recent_runs <= 0) {
    in.points = history.query(q);
  } else {
    const Edges edges = find_edges(in.runs, limits);
    in.points = recent_points(history, q, in.runs, edges);
    std::vector<HistoryPoint> older = folded_points(history, q, limits, edges);
    for (const HistoryPoint& p : older) in.folded_runs += p.runs;
    in.folded_points = static_cast<int64_t>(older.size());
    in.points.insert(in.points.end(), std::make_move_iterator(older.begin()), std::make_move_iterator(older.end()));
    std::sort(in.points.begin(), in.points.end(), series_then_time);
  }
  in.points.shrink_to_fit();  // the page is built next, and its memory adds to this
  in.reports = history.reports_by_hash(reports_the_page_reads(history, in.runs));
  return in;
}

DashboardInput dashboard_input_of(std::vector<HistoryPoint> points, std::vector<HistoryReport> reports) {
  DashboardInput in;
  in.limits.recent_runs = 0;
  in.points = std::move(points);
  for (const HistoryReport& r : reports) {
    const nlohmann::json& backend = r.report["backend"];
    const nlohmann::json& hash = r.report["host"]["vmx_capability_hash"];
    in.runs.push_back({r.content_hash, r.timestamp, r.host_id, r.host_name, r.backend, backend_detail(backend),
                       backend["tick_unit"].get<std::string>(), week_of(r.timestamp),
                       hash.is_string() ? std::optional<std::string>(hash.get<std::string>()) : std::nullopt});
  }
  std::stable_sort(in.runs.begin(), in.runs.end(),
                   [](const ReportMeta& a, const ReportMeta& b) { return a.timestamp < b.timestamp; });
  in.reports = std::move(reports);
  return in;
}

}  // namespace vmxb::reports
