// The history's weekly rollups (vmxbench_rollups): per series and UTC week,
// what the week's runs add up to. They are written in the same transaction
// as the runs (History::ingest) and rebuilt from the runs when a history is
// upgraded to schema 3, so the dashboard folds a fleet's old runs by reading
// series x weeks rows instead of every run (reports/dashboard_query.h).
//
// A series is what build_dashboard_model() draws as one line: host name and
// id, benchmark, and for ring-0 rows the backend, its detail and tick unit
// (user-space rows: "" for all three, they are the host's whatever backend
// ran them). Per series and week:
//   measured_runs, median_sum (of the runs' medians), low (least min), high (greatest max)
//   error_runs, error (the latest error text: unsupported or failed runs)
//   first_timestamp, last_timestamp (over every run of the week)
//   and, for labels, the latest run's backend, detail, tick unit, emulated,
//   metric, unit and repetitions.
#pragma once

#include <string>
#include <vector>

#include "reports/storage.h"

namespace vmxb::reports {

struct Series;

// The Monday (UTC) of the week of an ISO-8601 time, "2026-11-30"; "" if unreadable.
std::string week_of(const std::string& timestamp);

// CREATE TABLE / INDEX statements of the rollups.
const std::vector<std::string>& rollup_schema();

// What a run's row contributes, from the report's columns and the row.
struct RollupRun {
  std::string host_name, host_id, backend, backend_detail, tick_unit, timestamp, week;
  bool emulated = false;
};
void add_to_rollup(Database& db, const RollupRun& run, const Series& row, double median);

// Fills the rollups from every stored run (the schema 3 upgrade: after
// vmxbench_reports.week has been filled).
void rebuild_rollups(Database& db);

}  // namespace vmxb::reports
