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

// The runs of a series, newest first, ranked per report rather than per
// result row (the cost then follows the number of reports, not of rows): a
// ring-0 row's series is its report's host, backend and tick unit (age,
// total), a user-space row's is the host alone (host_age, host_total), as
// build_dashboard_model() groups them.
std::string ranked_reports(const HistoryQuery& q, std::vector<DbValue>& params) {
  const std::string group = "r.host_name, r.host_id, r.backend, r.backend_detail, r.tick_unit";
  const std::string host = "r.host_name, r.host_id";
  const std::string newest_first = " ORDER BY r.timestamp DESC, r.content_hash DESC";
  return "ranked AS (SELECT r.content_hash AS hash, ROW_NUMBER() OVER (PARTITION BY " + group + newest_first +
         ") AS age, COUNT(*) OVER (PARTITION BY " + group + ") AS total, ROW_NUMBER() OVER (PARTITION BY " + host +
         newest_first + ") AS host_age, COUNT(*) OVER (PARTITION BY " + host +
         ") AS host_total FROM vmxbench_reports r" + History::where_clause(q, false, params) + ")";
}

std::string in_backend() { return std::string("s.benchmark LIKE '") + kBackendRowPrefix + "%'"; }

// A result row's age and its series' run count.
std::string row_age() { return "CASE WHEN " + in_backend() + " THEN k.age ELSE k.host_age END"; }
std::string row_total() { return "CASE WHEN " + in_backend() + " THEN k.total ELSE k.host_total END"; }

const char kRankedJoinResults[] =
    " JOIN vmxbench_results s ON s.content_hash = k.hash JOIN vmxbench_reports r ON r.content_hash = k.hash";

// A series is folded only when it has more runs than recent_runs +
// older_points; then each folded point holds at least two runs.
int64_t runs_shown_unfolded(const DashboardLimits& limits) {
  return limits.recent_runs + std::max<int64_t>(1, limits.older_points);
}

// The points shown as they are, as History::query reads them: the newest
// `recent_runs` of every series, and every run of a series that fits.
std::vector<HistoryPoint> recent_points(History& h, const HistoryQuery& q, const DashboardLimits& limits) {
  std::vector<DbValue> params;
  const std::string ranked = ranked_reports(q, params);
  const std::string recent = param(params, limits.recent_runs);
  const std::string fits = param(params, runs_shown_unfolded(limits));
  const std::string sql = "WITH " + ranked + ", recent AS (SELECT * FROM ranked WHERE age <= " + recent +
                          " OR host_age <= " + recent + " OR total <= " + fits + " OR host_total <= " + fits +
                          ") SELECT " + History::point_columns() + " FROM recent k" + kRankedJoinResults +
                          History::where_clause(q, true, params) + " AND (" + row_age() + " <= " + recent + " OR " +
                          row_total() + " <= " + fits + ")";
  std::vector<HistoryPoint> out;
  h.db().for_each_row(sql, params, [&](const DbRow& row) {
    if (std::optional<HistoryPoint> p = h.read_point(row)) out.push_back(std::move(*p));
  });
  return out;
}

// The runs before those in a series that does not fit, folded: in at most
// `older_points` slices by age, each of at least two runs (the same slices
// for every series of a host and backend), and within a slice the runs of
// one outcome (measured, or one error text) together.
std::vector<HistoryPoint> folded_points(History& h, const HistoryQuery& q, const DashboardLimits& limits) {
  std::vector<DbValue> params;
  const std::string ranked = ranked_reports(q, params);
  const std::string recent = param(params, limits.recent_runs);
  const std::string fits = param(params, runs_shown_unfolded(limits));
  const std::string most = param(params, std::max<int64_t>(1, limits.older_points));
  const std::string older_runs = "(" + row_total() + " - " + recent + ")";
  const std::string slices = "(CASE WHEN " + older_runs + " / 2 < " + most + " THEN " + older_runs + " / 2 ELSE " +
                             most + " END)";
  std::string ring0_only;
  for (const char* column : {"r.backend", "r.backend_detail", "r.tick_unit"})
    ring0_only += std::string(", CASE WHEN ") + in_backend() + " THEN " + column + " END";
  const std::string sql =
      "WITH " + ranked + ", older AS (SELECT * FROM ranked WHERE (age > " + recent + " AND total > " + fits +
      ") OR (host_age > " + recent + " AND host_total > " + fits + ")) SELECT r.host_name, r.host_id, s.benchmark, MAX(r.backend), MAX(r.backend_detail), MAX(r.tick_unit), "
      "MAX(r.emulated), COALESCE(MAX(CASE WHEN s.median IS NOT NULL THEN s.metric END), MAX(s.metric)), "
      "COALESCE(MAX(CASE WHEN s.median IS NOT NULL THEN s.unit END), MAX(s.unit)), MAX(s.repetitions), "
      "AVG(s.median), MIN(s.min), MAX(s.max), COALESCE(s.error, ''), COUNT(*), MIN(r.timestamp), MAX(r.timestamp) "
      "FROM older k" +
      kRankedJoinResults + History::where_clause(q, true, params) + " AND " + row_age() + " > " + recent + " AND " +
      row_total() + " > " + fits + " GROUP BY r.host_name, r.host_id, s.benchmark" + ring0_only +
      ", COALESCE(s.error, ''), (" + row_age() + " - " + recent + " - 1) * " + slices + " / " + older_runs;
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
    p.median = p.mean = as_double(row[10]);
    p.min = as_double(row[11]);
    p.max = as_double(row[12]);
    p.error = as_string(row[13]);
    p.runs = as_int(row[14]);
    p.first_timestamp = as_string(row[15]);
    p.timestamp = as_string(row[16]);
    out.push_back(std::move(p));
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
