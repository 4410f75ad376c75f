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

// What makes a series, as build_dashboard_model() groups the points: the
// host, the benchmark and, for ring-0 rows only, the backend and its tick
// unit (user-space rows are the host's, whichever backend ran the report).
std::vector<std::string> series_columns() {
  const std::string in_backend = std::string("s.benchmark LIKE '") + kBackendRowPrefix + "%'";
  return {"r.host_name", "r.host_id", "s.benchmark", "CASE WHEN " + in_backend + " THEN r.backend END",
          "CASE WHEN " + in_backend + " THEN r.backend_detail END", "CASE WHEN " + in_backend + " THEN r.tick_unit END"};
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// A series' runs, newest first: age 1 is the latest.
std::string age_over_series() {
  return "ROW_NUMBER() OVER (PARTITION BY " + joined(series_columns()) +
         " ORDER BY r.timestamp DESC, r.content_hash DESC)";
}

const char kResultsJoinReports[] = " FROM vmxbench_results s JOIN vmxbench_reports r ON r.content_hash = s.content_hash";

// The newest `recent_runs` points of every series, as History::query reads them.
std::vector<HistoryPoint> recent_points(History& h, const HistoryQuery& q, int64_t recent_runs) {
  std::vector<DbValue> params;
  const std::string inner = "SELECT s.content_hash AS hash, s.benchmark AS name, " + age_over_series() + " AS age" +
                            kResultsJoinReports + History::where_clause(q, true, params);
  const std::string sql = "SELECT " + History::point_columns() + " FROM (" + inner +
                          ") k JOIN vmxbench_results s ON s.content_hash = k.hash AND s.benchmark = k.name "
                          "JOIN vmxbench_reports r ON r.content_hash = k.hash WHERE k.age <= " +
                          param(params, recent_runs);
  std::vector<HistoryPoint> out;
  for (const DbRow& row : h.db().query(sql, params))
    if (std::optional<HistoryPoint> p = h.read_point(row)) out.push_back(std::move(*p));
  return out;
}

// The runs before those, folded: per series, runs of the same outcome (one
// error text, or measured) in at most `older_points` slices by age.
std::vector<HistoryPoint> folded_points(History& h, const HistoryQuery& q, const DashboardLimits& limits) {
  std::vector<DbValue> params;
  const std::vector<std::string> key = series_columns();
  std::string inner = "SELECT r.host_name AS host_name, r.host_id AS host_id, s.benchmark AS benchmark, "
                      "r.backend AS backend, r.backend_detail AS backend_detail, r.tick_unit AS tick_unit, "
                      "r.emulated AS emulated, r.timestamp AS stamp, s.metric AS metric, s.unit AS unit, "
                      "s.repetitions AS repetitions, s.median AS median, s.min AS low, s.max AS high, "
                      "COALESCE(s.error, '') AS error, r.revision AS revision";
  for (size_t i = 3; i < key.size(); ++i) inner += ", " + key[i] + " AS key" + std::to_string(i);
  inner += ", " + age_over_series() + " AS age, COUNT(*) OVER (PARTITION BY " + joined(key) + ") AS total" +
           kResultsJoinReports + History::where_clause(q, true, params);
  const std::string recent = param(params, limits.recent_runs);
  const std::string slices = param(params, std::max<int64_t>(1, limits.older_points));
  const std::string sql =
      "SELECT k.host_name, k.host_id, k.benchmark, MAX(k.backend), MAX(k.backend_detail), MAX(k.tick_unit), "
      "MAX(k.emulated), COALESCE(MAX(CASE WHEN k.median IS NOT NULL THEN k.metric END), MAX(k.metric)), "
      "COALESCE(MAX(CASE WHEN k.median IS NOT NULL THEN k.unit END), MAX(k.unit)), MAX(k.repetitions), "
      "AVG(k.median), MIN(k.low), MAX(k.high), k.error, COUNT(*), MIN(k.stamp), MAX(k.stamp) FROM (" +
      inner + ") k WHERE k.age > " + recent +
      " GROUP BY k.host_name, k.host_id, k.benchmark, k.key3, k.key4, k.key5, k.error, (k.age - " + recent +
      " - 1) * " + slices + " / (k.total - " + recent + ")";
  std::vector<HistoryPoint> out;
  for (const DbRow& row : h.db().query(sql, params)) {
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
    p.median = p.mean = as_double(row[10]);
    p.min = as_double(row[11]);
    p.max = as_double(row[12]);
    p.error = as_string(row[13]);
    p.runs = as_int(row[14]);
    p.first_timestamp = as_string(row[15]);
    p.timestamp = as_string(row[16]);
    out.push_back(std::move(p));
  }
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
  const std::string sql = std::string("SELECT DISTINCT s.content_hash") + kResultsJoinReports + where +
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
    in.points = recent_points(history, q, limits.recent_runs);
    std::vector<HistoryPoint> older = folded_points(history, q, limits);
    for (const HistoryPoint& p : older) in.folded_runs += p.runs;
    in.folded_points = static_cast<int64_t>(older.size());
    in.points.insert(in.points.end(), std::make_move_iterator(older.begin()), std::make_move_iterator(older.end()));
    std::sort(in.points.begin(), in.points.end(), series_then_time);
  }
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
