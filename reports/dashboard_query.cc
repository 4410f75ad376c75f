#include "reports/dashboard_query.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "reports/report.h"
#include "reports/series.h"
#include "reports/touch_counters.h"

namespace vmxb::reports {
namespace {

std::string param(std::vector<DbValue>& params, DbValue v) {
  params.push_back(std::move(v));
  return "$" + std::to_string(params.size());
}

// The week from which each series is shown run by run: the week of its
// `recent_runs`-th newest run, for a series with more runs than
// recent_runs + older_points (a series that fits has no edge: every run is
// shown). Reports are ranked, not result rows, so this costs a pass over the
// reports' index: a ring-0 row's series runs are its report's host, backend
// and tick unit (group_edge), a user-space row's its host's (host_edge), as
// build_dashboard_model() groups them.
std::string edges(const HistoryQuery& q, const DashboardLimits& limits, std::vector<DbValue>& params) {
  const std::string group = "r.host_name, r.host_id, r.backend, r.backend_detail, r.tick_unit";
  const std::string host = "r.host_name, r.host_id";
  const std::string newest_first = " ORDER BY r.timestamp DESC, r.content_hash DESC";
  const std::string ranked =
      "ranked AS (SELECT r.content_hash AS hash, r.host_name AS host_name, r.host_id AS host_id, r.backend AS "
      "backend, r.backend_detail AS backend_detail, r.tick_unit AS tick_unit, r.week AS week, ROW_NUMBER() OVER "
      "(PARTITION BY " + group + newest_first + ") AS age, COUNT(*) OVER (PARTITION BY " + group +
      ") AS total, ROW_NUMBER() OVER (PARTITION BY " + host + newest_first +
      ") AS host_age, COUNT(*) OVER (PARTITION BY " + host + ") AS host_total FROM vmxbench_reports r" +
      History::where_clause(q, false, params) + ")";
  const std::string recent = param(params, limits.recent_runs);
  const std::string fits = param(params, limits.recent_runs + std::max<int64_t>(1, limits.older_points));
  return ranked +
         ", group_edge AS (SELECT host_name, host_id, backend, backend_detail, tick_unit, week AS edge FROM ranked "
         "WHERE age = " + recent + " AND total > " + fits +
         "), host_edge AS (SELECT host_name, host_id, week AS edge FROM ranked WHERE host_age = " + recent +
         " AND host_total > " + fits + ")";
}

std::string in_backend(const std::string& benchmark) {
  return benchmark + " LIKE '" + kBackendRowPrefix + "%'";
}

// The points shown as they are, as History::query reads them: every run of
// a series from its edge's week on, or all of them where it has no edge.
std::vector<HistoryPoint> recent_points(History& h, const HistoryQuery& q, const DashboardLimits& limits) {
  std::vector<DbValue> params;
  const std::string with = edges(q, limits, params);
  const std::string shown =
      "shown AS (SELECT k.hash, k.week, ge.edge AS group_edge, he.edge AS host_edge FROM ranked k LEFT JOIN "
      "group_edge ge ON ge.host_name = k.host_name AND ge.host_id = k.host_id AND ge.backend = k.backend AND "
      "ge.backend_detail = k.backend_detail AND ge.tick_unit = k.tick_unit LEFT JOIN host_edge he ON "
      "he.host_name = k.host_name AND he.host_id = k.host_id WHERE ge.edge IS NULL OR k.week >= ge.edge OR "
      "he.edge IS NULL OR k.week >= he.edge)";
  const std::string sql =
      "WITH " + with + ", " + shown + " SELECT " + History::point_columns() +
      " FROM shown k JOIN vmxbench_results s ON s.content_hash = k.hash JOIN vmxbench_reports r ON "
      "r.content_hash = k.hash" + History::where_clause(q, true, params) + " AND CASE WHEN " +
      in_backend("s.benchmark") +
      " THEN (k.group_edge IS NULL OR k.week >= k.group_edge) ELSE (k.host_edge IS NULL OR k.week >= k.host_edge) "
      "END";
  std::vector<HistoryPoint> out;
  h.db().for_each_row(sql, params, [&](const DbRow& row) {
    if (std::optional<HistoryPoint> p = h.read_point(row)) out.push_back(std::move(*p));
  });
  return out;
}

// The weeks before a series' edge, from the weekly rollups
// (history_rollups.h): at most `older_points` slices of whole weeks by age,
// each read as a point of its measured runs and one of its runs without a
// value (their latest error), where it has them.
std::vector<HistoryPoint> folded_points(History& h, const HistoryQuery& q, const DashboardLimits& limits) {
  std::vector<DbValue> params;
  const std::string with = edges(q, limits, params);
  const std::string series = "u.host_name, u.host_id, u.benchmark, u.series_backend, u.series_detail, u.series_tick";
  HistoryFilterColumns rollup_columns;
  rollup_columns.host_name = "u.host_name";
  rollup_columns.host_id = "u.host_id";
  rollup_columns.benchmark = "u.benchmark";
  rollup_columns.ends = "u.last_timestamp";
  rollup_columns.starts = "u.first_timestamp";
  const std::string older =
      "older AS (SELECT u.*, ROW_NUMBER() OVER (PARTITION BY " + series +
      " ORDER BY u.week DESC) AS week_age, COUNT(*) OVER (PARTITION BY " + series +
      ") AS weeks FROM vmxbench_rollups u LEFT JOIN group_edge ge ON ge.host_name = u.host_name AND ge.host_id = "
      "u.host_id AND ge.backend = u.series_backend AND ge.backend_detail = u.series_detail AND ge.tick_unit = "
      "u.series_tick LEFT JOIN host_edge he ON he.host_name = u.host_name AND he.host_id = u.host_id" +
      History::where_clause(q, true, params, rollup_columns) + " AND CASE WHEN " + in_backend("u.benchmark") +
      " THEN ge.edge IS NOT NULL AND u.week < ge.edge ELSE he.edge IS NOT NULL AND u.week < he.edge END)";
  const std::string most = param(params, std::max<int64_t>(1, limits.older_points));
  const std::string slice = "(week_age - 1) * (CASE WHEN weeks < " + most + " THEN weeks ELSE " + most +
                            " END) / weeks";
  const std::string sql =
      "WITH " + with + ", " + older +
      " SELECT host_name, host_id, benchmark, MAX(backend), MAX(backend_detail), MAX(tick_unit), MAX(emulated), "
      "MAX(metric), MAX(unit), MAX(repetitions), SUM(measured_runs), SUM(median_sum), MIN(low), MAX(high), "
      "SUM(error_runs), MAX(error), MIN(first_timestamp), MAX(last_timestamp) FROM older GROUP BY host_name, "
      "host_id, benchmark, series_backend, series_detail, series_tick, " + slice;
  std::vector<HistoryPoint> out;
  h.db().for_each_row(sql, params, [&](const DbRow& row) {
    HistoryPoint p;
    p.host_name = as_string(row[0]);
    p.host_id = as_string(row[1]);
    p.benchmark = as_string(row[2]);
    p.backend = as_string(row[3]);
    p.backend_detail = as_string(row[4]);
    p.tick_unit = as_string(row[5]);
    p.emulated = as_int(row[6]) != 0;
    p.metric = as_string(row[7]);
    p.unit = as_string(row[8]);
    p.repetitions = as_int(row[9]);
    p.first_timestamp = as_string(row[16]);
    p.timestamp = as_string(row[17]);
    const int64_t measured = as_int(row[10]), failed = as_int(row[14]);
    if (measured > 0) {
      HistoryPoint m = p;
      m.runs = measured;
      m.median = m.mean = as_double(row[11]) / static_cast<double>(measured);
      m.min = as_double(row[12]);
      m.max = as_double(row[13]);
      out.push_back(std::move(m));
    }
    if (failed > 0) {
      // Drawn at the slice's first run, so it never shares a time with the measured point.
      p.runs = failed;
      p.error = as_string(row[15]);
      if (measured > 0) p.timestamp = p.first_timestamp;
      out.push_back(std::move(p));
    }
  });
  return out;
}

std::vector<ReportMeta> report_metas(History& h, const HistoryQuery& q) {
  std::vector<DbValue> params;
  const std::string sql =
      "SELECT r.content_hash, r.timestamp, r.host_id, r.host_name, r.backend, r.backend_detail, r.tick_unit, "
      "r.capability_hash FROM vmxbench_reports r" +
      History::where_clause(q, false, params) + " ORDER BY r.timestamp, r.content_hash";
  std::vector<ReportMeta> out;
  for (const DbRow& row : h.db().query(sql, params)) {
    ReportMeta m{as_string(row[0]), as_string(row[1]), as_string(row[2]), as_string(row[3]),
                 as_string(row[4]), as_string(row[5]), as_string(row[6]), std::nullopt};
    if (!is_null(row[7])) m.capability_hash = as_string(row[7]);
    out.push_back(std::move(m));
  }
  return out;
}

// The reports with at least one measured live-invalidation row.
std::set<std::string> reports_with_live_rows(History& h, const HistoryQuery& q) {
  std::vector<DbValue> params;
  std::string like = "%";
  for (const char* c = kLiveRowNameInfix; *c; ++c) {
    if (*c == '%' || *c == '_' || *c == '\\') like += '\\';
    like += *c;
  }
  like += "%";
  const std::string where = History::where_clause(q, false, params);
  const std::string sql = "SELECT DISTINCT s.content_hash FROM vmxbench_results s JOIN vmxbench_reports r ON "
                          "r.content_hash = s.content_hash" + where +
                          " AND s.error IS NULL AND s.benchmark LIKE " + param(params, like) + " ESCAPE '\\'";
  std::set<std::string> out;
  for (const DbRow& row : h.db().query(sql, params)) out.insert(as_string(row[0]));
  return out;
}

// The content hashes of the reports the page reads whole (see the header).
std::vector<std::string> reports_the_page_reads(const std::vector<ReportMeta>& runs,
                                                const std::set<std::string>& with_live_rows) {
  std::map<std::string, const ReportMeta*> latest_of_host, latest_diag, latest_live, last_hash;
  std::set<std::string> wanted;
  for (const ReportMeta& m : runs) {  // by time: each later one replaces
    const std::string group = run_group_key(m.host_id, backend_label(m.backend, m.backend_detail), m.tick_unit);
    latest_of_host[m.host_name + "\x1f" + m.host_id] = &m;
    if (with_live_rows.count(m.content_hash)) latest_live[group] = &m;
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
  if (limits.recent_runs <= 0) {
    in.points = history.query(q);
  } else {
    in.points = recent_points(history, q, limits);
    std::vector<HistoryPoint> older = folded_points(history, q, limits);
    for (const HistoryPoint& p : older) in.folded_runs += p.runs;
    in.folded_points = static_cast<int64_t>(older.size());
    in.points.insert(in.points.end(), std::make_move_iterator(older.begin()), std::make_move_iterator(older.end()));
    std::sort(in.points.begin(), in.points.end(), series_then_time);
  }
  in.points.shrink_to_fit();  // the page is built next, and its memory adds to this
  in.runs = report_metas(history, q);
  in.reports = history.reports_by_hash(reports_the_page_reads(in.runs, reports_with_live_rows(history, q)));
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
                       backend["tick_unit"].get<std::string>(),
                       hash.is_string() ? std::optional<std::string>(hash.get<std::string>()) : std::nullopt});
  }
  std::stable_sort(in.runs.begin(), in.runs.end(),
                   [](const ReportMeta& a, const ReportMeta& b) { return a.timestamp < b.timestamp; });
  in.reports = std::move(reports);
  return in;
}

}  // namespace vmxb::reports
