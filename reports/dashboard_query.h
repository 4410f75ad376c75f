// What `reports dashboard` reads from the history, bounded by what the page
// shows (series x points) instead of by the history's size:
//
//  - each series' runs as they are (samples included: the model tests each
//    against the one before it for a regression) from the week of its
//    `recent_runs`-th newest run on; all of them where the series has no
//    more than recent_runs + older_points runs;
//  - the weeks before that from the weekly rollups (history_rollups.h),
//    folded into at most `older_points` slices of whole weeks, each read as
//    a point that is the mean of its runs' medians (and one for its runs
//    without a value, with their latest error): HistoryPoint::first_timestamp;
//  - every report's metadata, without its JSON (counts, capability hashes);
//  - whole reports only where the page reads them: each host's latest, the
//    latest with a diag part per host and backend, both sides of each
//    capability change and each group's latest with live-invalidation rows.
//
// Drill-down keeps the full data: a narrower --since/--until, or
// recent_runs 0 (no folding at all).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/history.h"

namespace vmxb::reports {

struct DashboardLimits {
  int64_t recent_runs = 30;   // per series, at least, from whole weeks; 0: every run as it is, nothing folded
  int64_t older_points = 20;  // per series, slices of the weeks before those (at least 1)
};

// A report's columns in the history, without the report.
struct ReportMeta {
  std::string content_hash, timestamp, host_id, host_name, backend, backend_detail, tick_unit;
  std::string week;  // history_rollups.h week_of(timestamp)
  std::optional<std::string> capability_hash;  // set exactly when the report has a diag part
};

struct DashboardInput {
  std::vector<HistoryPoint> points;    // ordered by series, then time
  std::vector<ReportMeta> runs;        // every report of the selection, by time
  std::vector<HistoryReport> reports;  // the reports the page reads whole, by time
  DashboardLimits limits;
  int64_t folded_runs = 0;    // runs shown only inside a folded point, over all series
  int64_t folded_points = 0;  // the points they were folded into
};

DashboardInput load_dashboard_input(History& history, const HistoryQuery& q, const DashboardLimits& limits);

// The same from points and reports already in memory, nothing folded.
DashboardInput dashboard_input_of(std::vector<HistoryPoint> points, std::vector<HistoryReport> reports);

// The group key a capability change or a live view belongs to, as the model
// groups ring-0 rows: host id, backend label (reports/report.h), tick unit.
std::string run_group_key(const std::string& host_id, const std::string& backend_label, const std::string& tick_unit);

}  // namespace vmxb::reports
