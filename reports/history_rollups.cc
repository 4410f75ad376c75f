#include "reports/history_rollups.h"

#include <cmath>

#include "reports/series.h"
#include "reports/timeutil.h"

namespace vmxb::reports {
namespace {

// The upsert reads the row as it was (vmxbench_rollups.X) and the run's
// contribution (excluded.X); both engines take this ON CONFLICT form.
// MIN/MAX of two values differ between them (min() vs LEAST()), hence CASE.
const char kUpsert[] = R"(
INSERT INTO vmxbench_rollups (host_name, host_id, benchmark, series_backend, series_detail, series_tick, week,
    measured_runs, median_sum, low, high, error_runs, error, first_timestamp, last_timestamp,
    backend, backend_detail, tick_unit, emulated, metric, unit, repetitions)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
  ON CONFLICT (host_name, host_id, benchmark, series_backend, series_detail, series_tick, week) DO UPDATE SET
    measured_runs = vmxbench_rollups.measured_runs + excluded.measured_runs,
    median_sum = vmxbench_rollups.median_sum + excluded.median_sum,
    low = CASE WHEN vmxbench_rollups.low IS NULL OR excluded.low < vmxbench_rollups.low
               THEN COALESCE(excluded.low, vmxbench_rollups.low) ELSE vmxbench_rollups.low END,
    high = CASE WHEN vmxbench_rollups.high IS NULL OR excluded.high > vmxbench_rollups.high
                THEN COALESCE(excluded.high, vmxbench_rollups.high) ELSE vmxbench_rollups.high END,
    error_runs = vmxbench_rollups.error_runs + excluded.error_runs,
    error = CASE WHEN excluded.error IS NOT NULL AND (vmxbench_rollups.error IS NULL OR
                      excluded.last_timestamp >= vmxbench_rollups.last_timestamp)
                 THEN excluded.error ELSE vmxbench_rollups.error END,
    first_timestamp = CASE WHEN excluded.first_timestamp < vmxbench_rollups.first_timestamp
                           THEN excluded.first_timestamp ELSE vmxbench_rollups.first_timestamp END,
    last_timestamp = CASE WHEN excluded.last_timestamp > vmxbench_rollups.last_timestamp
                          THEN excluded.last_timestamp ELSE vmxbench_rollups.last_timestamp END,
    backend = CASE WHEN excluded.last_timestamp >= vmxbench_rollups.last_timestamp
                   THEN excluded.backend ELSE vmxbench_rollups.backend END,
    backend_detail = CASE WHEN excluded.last_timestamp >= vmxbench_rollups.last_timestamp
                          THEN excluded.backend_detail ELSE vmxbench_rollups.backend_detail END,
    tick_unit = CASE WHEN excluded.last_timestamp >= vmxbench_rollups.last_timestamp
                     THEN excluded.tick_unit ELSE vmxbench_rollups.tick_unit END,
    emulated = CASE WHEN excluded.last_timestamp >= vmxbench_rollups.last_timestamp
                    THEN excluded.emulated ELSE vmxbench_rollups.emulated END,
    metric = CASE WHEN excluded.measured_runs > 0 AND (vmxbench_rollups.measured_runs = 0 OR
                       excluded.last_timestamp >= vmxbench_rollups.last_timestamp)
                  THEN excluded.metric ELSE vmxbench_rollups.metric END,
    unit = CASE WHEN excluded.measured_runs > 0 AND (vmxbench_rollups.measured_runs = 0 OR
                     excluded.last_timestamp >= vmxbench_rollups.last_timestamp)
                THEN excluded.unit ELSE vmxbench_rollups.unit END,
    repetitions = CASE WHEN excluded.measured_runs > 0 AND (vmxbench_rollups.measured_runs = 0 OR
                            excluded.last_timestamp >= vmxbench_rollups.last_timestamp)
                       THEN excluded.repetitions ELSE vmxbench_rollups.repetitions END)";

}  // namespace

std::string week_of(const std::string& timestamp) {
  const std::optional<int64_t> t = parse_iso8601(timestamp);
  if (!t) return "";
  const int64_t day = 86400;
  const int64_t days = (*t >= 0 ? *t : *t - (day - 1)) / day;  // floor
  const int64_t since_monday = ((days + 3) % 7 + 7) % 7;      // 1970-01-01 was a Thursday
  return format_utc((days - since_monday) * day).substr(0, 10);
}

const std::vector<std::string>& rollup_schema() {
  static const std::vector<std::string> schema = {
      R"(CREATE TABLE IF NOT EXISTS vmxbench_rollups (
           host_name TEXT NOT NULL,
           host_id TEXT NOT NULL,
           benchmark TEXT NOT NULL,
           series_backend TEXT NOT NULL,
           series_detail TEXT NOT NULL,
           series_tick TEXT NOT NULL,
           week TEXT NOT NULL,
           measured_runs BIGINT NOT NULL,
           median_sum DOUBLE PRECISION NOT NULL,
           low DOUBLE PRECISION,
           high DOUBLE PRECISION,
           error_runs BIGINT NOT NULL,
           error TEXT,
           first_timestamp TEXT NOT NULL,
           last_timestamp TEXT NOT NULL,
           backend TEXT NOT NULL,
           backend_detail TEXT NOT NULL,
           tick_unit TEXT NOT NULL,
           emulated INTEGER NOT NULL,
           metric TEXT NOT NULL,
           unit TEXT NOT NULL,
           repetitions BIGINT NOT NULL,
           PRIMARY KEY (host_name, host_id, benchmark, series_backend, series_detail, series_tick, week)))",
  };
  return schema;
}

void add_to_rollup(Database& db, const RollupRun& run, const Series& row, double median) {
  const bool in_backend = runs_in_backend(row.name);
  const bool measured = row.error.empty() && median == median;
  DbValue low, high;
  if (measured && !row.samples.empty()) {
    double lo = row.samples.front(), hi = row.samples.front();
    for (double v : row.samples) {
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    low = lo;
    high = hi;
  }
  db.execute(kUpsert,
             {run.host_name, run.host_id, row.name, in_backend ? run.backend : "",
              in_backend ? run.backend_detail : "", in_backend ? run.tick_unit : "", run.week,
              int64_t{measured ? 1 : 0}, measured ? median : 0.0, low, high, int64_t{measured ? 0 : 1},
              measured ? DbValue() : DbValue(row.error.empty() ? std::string("no value") : row.error), run.timestamp,
              run.timestamp, run.backend, run.backend_detail, run.tick_unit, int64_t{run.emulated ? 1 : 0},
              row.metric, row.unit, static_cast<int64_t>(row.repetitions)});
}

void rebuild_rollups(Database& db) {
  db.execute("DELETE FROM vmxbench_rollups");
  // By time, so "the latest run" of each week is the last one added.
  const std::string sql =
      "SELECT r.host_name, r.host_id, r.backend, r.backend_detail, r.tick_unit, r.timestamp, r.week, r.emulated, "
      "s.benchmark, s.metric, s.unit, s.repetitions, s.median, s.min, s.max, s.error FROM vmxbench_results s "
      "JOIN vmxbench_reports r ON r.content_hash = s.content_hash ORDER BY r.timestamp, r.content_hash";
  for (const DbRow& row : db.query(sql)) {
    RollupRun run{as_string(row[0]), as_string(row[1]), as_string(row[2]), as_string(row[3]),
                  as_string(row[4]), as_string(row[5]), as_string(row[6]), as_int(row[7]) != 0};
    Series s;
    s.name = as_string(row[8]);
    s.metric = as_string(row[9]);
    s.unit = as_string(row[10]);
    s.repetitions = static_cast<size_t>(as_int(row[11]));
    s.error = as_string(row[15]);
    // The stored extremes stand for the samples (only min and max matter here).
    if (!is_null(row[13])) s.samples = {as_double(row[13]), as_double(row[14])};
    add_to_rollup(db, run, s, is_null(row[12]) ? std::nan("") : as_double(row[12]));
  }
}

}  // namespace vmxb::reports
