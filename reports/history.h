// The benchmark history: reports ingested into a Database (storage.h), one
// entry per distinct report (keyed on ContentHash), queryable by host,
// benchmark and time. Each ingest is one transaction: an ingest that fails
// or is killed half-way leaves the history as it was.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/storage.h"

namespace vmxb::reports {

// 2: vmxbench_reports gained revision and revision_order (reports/revision.h).
// 3: vmxbench_reports gained week, and the weekly rollups (history_rollups.h).
// An older history is upgraded when opened, in one transaction.
inline constexpr int kHistorySchemaVersion = 3;

struct HistoryQuery {
  std::optional<std::string> host;       // host name or host id
  std::optional<std::string> benchmark;  // exact name, or a pattern with '*' wildcards
  std::optional<std::string> since;      // ISO-8601 UTC, inclusive
  std::optional<std::string> until;      // ISO-8601 UTC, inclusive
};

struct HistoryPoint {
  std::string content_hash, timestamp, host_id, host_name, backend, tick_unit;
  std::string backend_detail;  // Bochs model or QEMU accelerator, "" otherwise
  bool emulated = false;
  std::string benchmark, metric, unit;
  int64_t repetitions = 0;
  double median = 0, mean = 0, min = 0, max = 0, stddev = 0;
  std::vector<double> samples;
  std::string error;
  std::string revision;                   // "" when the run named none
  std::optional<int64_t> revision_order;
  // A folded point (reports/dashboard_query.h) has a first_timestamp: it
  // stands for `runs` consecutive runs of its series (usually several; one
  // where a slice's runs differ in outcome), first_timestamp .. timestamp,
  // all measured (median and mean: the mean of their medians, min and max:
  // their extremes) or all with the same error. Its samples are empty. A
  // point read from the history as it is has runs 1 and first_timestamp "".
  int64_t runs = 1;
  std::string first_timestamp;
};

struct HistoryReport {
  std::string content_hash, timestamp, host_id, host_name, backend;
  nlohmann::json report;
};

// Test hook: make Ingest fail after writing `after_rows` result rows, either
// by throwing (the transaction is rolled back) or by killing the process
// with SIGKILL (nothing runs after it; the engine must recover).
struct IngestFault {
  int after_rows = -1;  // -1: no fault
  bool kill = false;
};

// The columns a HistoryQuery filters, by default those of the results (s)
// joined with their reports (r); a span of runs (a rollup) is selected when
// it ends at or after `since` and starts at or before `until`.
struct HistoryFilterColumns {
  std::string host_name = "r.host_name", host_id = "r.host_id", benchmark = "s.benchmark";
  std::string ends = "r.timestamp", starts = "r.timestamp";
};

class History {
 public:
  // Creates the tables if they do not exist; throws DbError if the database
  // holds a newer history schema, DbNotHistory (nothing written) if it is
  // not a history: other tables, or none for a reader (OpenMode).
  explicit History(std::unique_ptr<Database> db);

  enum class Outcome { kAdded, kDuplicate };
  // `report` must be valid (ValidateReport). Throws DbError.
  Outcome ingest(const nlohmann::json& report, const IngestFault& fault = {});

  // Points ordered by benchmark, host, time. A row that cannot be read back
  // (samples not an array of finite numbers, a non-finite statistic: a row
  // corrupted by hand or written by an older version) is left out and named
  // in skipped(): one bad row never hides the rest of the history.
  std::vector<HistoryPoint> query(const HistoryQuery& q);
  // For queries written elsewhere (reports/dashboard_query.cc) that read
  // points: they SELECT point_columns() from vmxbench_results s JOIN
  // vmxbench_reports r, filtered by where_clause(), and read each row with
  // read_point(), which returns nullopt for a row it leaves out (named in
  // skipped(), as query() does).
  static std::string point_columns();
  static std::string where_clause(const HistoryQuery& q, bool with_benchmark, std::vector<DbValue>& params,
                                  const HistoryFilterColumns& columns = {});
  std::optional<HistoryPoint> read_point(const DbRow& row);
  // Whole reports (host and benchmark filters ignored for the latter), by
  // time; a stored report that is not valid JSON is skipped the same way.
  std::vector<HistoryReport> reports(const HistoryQuery& q);
  // The reports of these content hashes (those the history holds), by time.
  std::vector<HistoryReport> reports_by_hash(const std::vector<std::string>& hashes);
  // "REPORT-HASH benchmark NAME: why", one per row left out since the History was opened.
  const std::vector<std::string>& skipped() const { return skipped_; }
  int64_t count_reports();
  int64_t count_results();

  Database& db() { return *db_; }

 private:
  void refuse_foreign_database();
  void create_schema();
  void upgrade_from_version_1();
  void upgrade_from_version_2();
  // (content_hash, timestamp, host_id, host_name, backend, report) rows into
  // out; an unreadable report is skipped and named in skipped_.
  void read_reports(const std::vector<DbRow>& rows, std::vector<HistoryReport>& out);
  std::unique_ptr<Database> db_;
  std::vector<std::string> skipped_;
};

}  // namespace vmxb::reports
