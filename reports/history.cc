#include "reports/history.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "diag/bounded_input.h"
#include "diag/message_text.h"
#include "reports/history_rollups.h"
#include "reports/report.h"
#include "reports/revision.h"
#include "reports/series.h"
#include "reports/timeutil.h"
#include "stats/descriptive.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

const char* const kSchema[] = {
    R"(CREATE TABLE IF NOT EXISTS vmxbench_meta (
         key TEXT PRIMARY KEY,
         value TEXT NOT NULL))",
    R"(CREATE TABLE IF NOT EXISTS vmxbench_reports (
         content_hash TEXT PRIMARY KEY,
         format_version INTEGER NOT NULL,
         timestamp TEXT NOT NULL,
         suite_version TEXT NOT NULL,
         host_id TEXT NOT NULL,
         host_name TEXT NOT NULL,
         backend TEXT NOT NULL,
         emulated INTEGER NOT NULL,
         backend_detail TEXT,
         tick_unit TEXT NOT NULL,
         capability_hash TEXT,
         ingested_at TEXT NOT NULL,
         report TEXT NOT NULL,
         revision TEXT,
         revision_order BIGINT,
         week TEXT))",
    R"(CREATE TABLE IF NOT EXISTS vmxbench_results (
         content_hash TEXT NOT NULL REFERENCES vmxbench_reports (content_hash),
         benchmark TEXT NOT NULL,
         metric TEXT NOT NULL,
         unit TEXT NOT NULL,
         repetitions INTEGER NOT NULL,
         median DOUBLE PRECISION,
         mean DOUBLE PRECISION,
         min DOUBLE PRECISION,
         max DOUBLE PRECISION,
         stddev DOUBLE PRECISION,
         samples TEXT NOT NULL,
         error TEXT,
         PRIMARY KEY (content_hash, benchmark)))",
    "CREATE INDEX IF NOT EXISTS vmxbench_reports_host_time ON vmxbench_reports (host_id, timestamp)",
    "CREATE INDEX IF NOT EXISTS vmxbench_reports_time ON vmxbench_reports (timestamp)",
    "CREATE INDEX IF NOT EXISTS vmxbench_results_benchmark ON vmxbench_results (benchmark)",
};

// Made after an upgrade has added the columns they name. vmxbench_reports_runs
// covers every column of vmxbench_reports that the dashboard's queries read
// (reports/dashboard_query.cc), so they never read the row itself: in SQLite
// the verbatim report (~100 KB) lies in overflow pages before revision and
// revision_order, and every read of those would walk through it.
const char* const kIndexesAfterUpgrade[] = {
    "CREATE INDEX IF NOT EXISTS vmxbench_reports_runs ON vmxbench_reports (content_hash, timestamp, host_id, "
    "host_name, backend, backend_detail, tick_unit, emulated, capability_hash, revision, revision_order, week)",
};

DbValue nullable(const json& v) {
  if (v.is_null()) return std::monostate{};
  return v.get<std::string>();
}

DbValue finite(double d) { return d == d ? DbValue(d) : DbValue(std::monostate{}); }

// WHERE clause over r (reports) and optionally s (results) for q, or the
// columns named in `c`.
std::string where(const HistoryQuery& q, bool with_benchmark, std::vector<DbValue>& params,
                  const HistoryFilterColumns& c = {}) {
  std::string w = " WHERE 1 = 1";
  auto add = [&](const std::string& v) {
    params.push_back(v);
    return "$" + std::to_string(params.size());
  };
  if (q.host) {
    std::string p = add(*q.host);
    w += " AND (" + c.host_name + " = " + p + " OR " + c.host_id + " = " + p + ")";
  }
  if (with_benchmark && q.benchmark) {
    if (q.benchmark->find('*') != std::string::npos) {
      std::string like;
      for (char c : *q.benchmark) {
        if (c == '%' || c == '_' || c == '\\') like += '\\';
        like += c == '*' ? '%' : c;
      }
      w += " AND " + c.benchmark + " LIKE " + add(like) + " ESCAPE '\\'";
    } else {
      w += " AND " + c.benchmark + " = " + add(*q.benchmark);
    }
  }
  if (q.since) w += " AND " + c.ends + " >= " + add(*q.since);
  if (q.until) w += " AND " + c.starts + " <= " + add(*q.until);
  return w;
}

// The samples column: a JSON array of finite numbers, else why not.
std::optional<std::string> read_samples(const std::string& text, std::vector<double>& out) {
  input::ParsedJson parsed = input::parse_bounded_json(text);
  if (parsed.outcome != input::ParseOutcome::kOk) return "are not JSON (" + input::printable(parsed.reason, 120) + ")";
  if (!parsed.value.is_array()) return "are not an array";
  out.clear();
  for (const json& v : parsed.value) {
    if (!v.is_number()) return "hold " + input::printable(v.dump(), 40) + ", not a number";
    const double d = v.get<double>();
    if (!std::isfinite(d)) return "hold a non-finite number";
    out.push_back(d);
  }
  return std::nullopt;
}

// median, mean, min, max, stddev (columns 12..16): null or finite.
std::optional<std::string> non_finite_statistic(const DbRow& row) {
  static const char* const names[] = {"median", "mean", "min", "max", "stddev"};
  for (int i = 0; i < 5; ++i) {
    const DbValue& v = row[12 + i];
    if (is_null(v)) continue;
    if (!std::isfinite(as_double(v))) return std::string(names[i]) + " is " + as_string(v) + ", not a finite number";
  }
  return std::nullopt;
}

// "CREATE TABLE IF NOT EXISTS NAME (...)" -> NAME, for every table of kSchema.
std::vector<std::string> history_tables() {
  static const std::string create_prefix = "CREATE TABLE IF NOT EXISTS ";
  std::vector<std::string> names;
  for (const char* sql : kSchema) {
    const std::string s = sql;
    if (s.rfind(create_prefix, 0) != 0) continue;
    const size_t from = create_prefix.size();
    names.push_back(s.substr(from, s.find_first_of(" (", from) - from));
  }
  return names;
}

}  // namespace

// Before anything is written: a database with tables must hold every table
// of the history (other tables beside them are tolerated), and a reader
// needs them all; only a writer creates them, and only in a database with no
// tables at all.
void History::refuse_foreign_database() {
  const std::optional<std::vector<std::string>> found = db_->tables();
  if (!found) return;
  std::vector<std::string> missing;
  for (const std::string& t : history_tables())
    if (std::find(found->begin(), found->end(), t) == found->end()) missing.push_back(t);
  if (missing.empty()) return;
  if (found->empty() && db_->mode() == OpenMode::kCreateIfMissing) return;
  std::string what;
  if (found->empty()) {
    what = "an empty SQLite database (no tables)";
  } else {
    what = "a SQLite database with other tables (";
    for (size_t i = 0; i < found->size() && i < 3; ++i) what += (i ? ", " : "") + (*found)[i];
    what += found->size() > 3 ? ", ...)" : ")";
    what += ", without " + missing.front();
  }
  throw DbNotHistory(db_->location() + ": not a vmxbench history: " + what +
                     " (left unchanged); check the path" +
                     (db_->mode() == OpenMode::kExistingOnly ? ", or ingest a report into a new file first" : ""));
}

History::History(std::unique_ptr<Database> db) : db_(std::move(db)) {
  refuse_foreign_database();
  // Two processes creating the tables at once can collide in PostgreSQL's
  // catalog even with IF NOT EXISTS; the second attempt finds them made.
  for (int attempt = 0;; ++attempt) {
    try {
      create_schema();
      return;
    } catch (const DbError& e) {
      if (attempt > 0 || std::string(e.what()).find("schema version") != std::string::npos) throw;
    }
  }
}

void History::create_schema() {
  db_->begin();
  try {
    for (const char* sql : kSchema) db_->execute(sql);
    for (const std::string& sql : rollup_schema()) db_->execute(sql);
    auto rows = db_->query("SELECT value FROM vmxbench_meta WHERE key = 'schema_version'");
    const int64_t found = rows.empty() ? kHistorySchemaVersion : as_int(rows[0][0]);
    if (found > kHistorySchemaVersion)
      throw DbError("the history database has schema version " + as_string(rows[0][0]) +
                    "; this tool reads version " + std::to_string(kHistorySchemaVersion));
    if (found == 1) upgrade_from_version_1();
    if (found <= 2) upgrade_from_version_2();
    if (rows.empty())
      db_->execute("INSERT INTO vmxbench_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT DO NOTHING",
                   {std::to_string(kHistorySchemaVersion)});
    else if (found < kHistorySchemaVersion)
      db_->execute("UPDATE vmxbench_meta SET value = $1 WHERE key = 'schema_version'",
                   {std::to_string(kHistorySchemaVersion)});
    for (const char* sql : kIndexesAfterUpgrade) db_->execute(sql);
    db_->commit();
  } catch (...) {
    db_->rollback();
    throw;
  }
}

// Version 1 had no revision columns: add them and fill them from the
// reports the history keeps verbatim (their Google Benchmark context).
void History::upgrade_from_version_1() {
  db_->execute("ALTER TABLE vmxbench_reports ADD COLUMN revision TEXT");
  db_->execute("ALTER TABLE vmxbench_reports ADD COLUMN revision_order BIGINT");
  for (const DbRow& row : db_->query("SELECT content_hash, report FROM vmxbench_reports")) {
    input::ParsedJson report = input::parse_bounded_json(as_string(row[1]));
    if (report.outcome != input::ParseOutcome::kOk || !report.value.is_object()) continue;  // reads skip it too
    const std::optional<Revision> r = report_revision(report.value);
    if (!r) continue;
    db_->execute("UPDATE vmxbench_reports SET revision = $1, revision_order = $2 WHERE content_hash = $3",
                 {r->label, r->order ? DbValue(*r->order) : DbValue(), as_string(row[0])});
  }
}

// Version 2 had no weeks and no rollups: each report's week from its time,
// then the rollups from every stored run.
void History::upgrade_from_version_2() {
  db_->execute("ALTER TABLE vmxbench_reports ADD COLUMN week TEXT");
  for (const DbRow& row : db_->query("SELECT content_hash, timestamp FROM vmxbench_reports"))
    db_->execute("UPDATE vmxbench_reports SET week = $1 WHERE content_hash = $2",
                 {week_of(as_string(row[1])), as_string(row[0])});
  rebuild_rollups(*db_);
}

History::Outcome History::ingest(const json& report, const IngestFault& fault) {
  const std::string hash = content_hash(report);
  const json& host = report["host"];
  const json& backend = report["backend"];
  const std::optional<Revision> revision = report_revision(report);
  const std::string timestamp = report["timestamp"].get<std::string>();
  const RollupRun run{host["name"].get<std::string>(), host["id"].get<std::string>(),
                      backend["kind"].get<std::string>(), backend_detail(backend),
                      backend["tick_unit"].get<std::string>(), timestamp, week_of(timestamp),
                      backend["emulated"].get<bool>()};
  db_->begin();
  try {
    int64_t added = db_->execute(
        "INSERT INTO vmxbench_reports (content_hash, format_version, timestamp, suite_version, host_id, "
        "host_name, backend, emulated, backend_detail, tick_unit, capability_hash, ingested_at, report, revision, "
        "revision_order, week) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
        "ON CONFLICT DO NOTHING",
        {hash, int64_t{report["format_version"].get<int>()}, report["timestamp"].get<std::string>(),
         report["suite_version"].get<std::string>(), host["id"].get<std::string>(),
         host["name"].get<std::string>(), backend["kind"].get<std::string>(),
         int64_t{backend["emulated"].get<bool>() ? 1 : 0}, backend_detail(backend),
         backend["tick_unit"].get<std::string>(), nullable(host["vmx_capability_hash"]),
         format_utc(now_epoch_seconds()), report.dump(), revision ? DbValue(revision->label) : DbValue(),
         revision && revision->order ? DbValue(*revision->order) : DbValue(), run.week});
    if (added == 0) {
      db_->rollback();
      return Outcome::kDuplicate;
    }
    int written = 0;
    for (const Series& s : extract_series(report)) {
      if (fault.after_rows >= 0 && written == fault.after_rows) {
        if (fault.kill) ::kill(::getpid(), SIGKILL);
        throw DbError("injected fault after " + std::to_string(written) + " result row(s)");
      }
      const double median = stats::median(s.samples);
      db_->execute(
          "INSERT INTO vmxbench_results (content_hash, benchmark, metric, unit, repetitions, median, mean, "
          "min, max, stddev, samples, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
          {hash, s.name, s.metric, s.unit, static_cast<int64_t>(s.repetitions), finite(median),
           finite(stats::mean(s.samples)),
           s.samples.empty() ? DbValue() : DbValue(*std::min_element(s.samples.begin(), s.samples.end())),
           s.samples.empty() ? DbValue() : DbValue(*std::max_element(s.samples.begin(), s.samples.end())),
           stats::sample_stddev(s.samples), json(s.samples).dump(),
           s.error.empty() ? DbValue() : DbValue(s.error)});
      add_to_rollup(*db_, run, s, median);
      ++written;
    }
    db_->commit();
    return Outcome::kAdded;
  } catch (...) {
    db_->rollback();
    throw;
  }
}

std::string History::point_columns() {
  return "r.content_hash, r.timestamp, r.host_id, r.host_name, r.backend, r.backend_detail, r.tick_unit, "
         "r.emulated, s.benchmark, s.metric, s.unit, s.repetitions, s.median, s.mean, s.min, s.max, s.stddev, "
         "s.samples, s.error, r.revision, r.revision_order";
}

std::string History::where_clause(const HistoryQuery& q, bool with_benchmark, std::vector<DbValue>& params,
                                  const HistoryFilterColumns& columns) {
  return where(q, with_benchmark, params, columns);
}

std::optional<HistoryPoint> History::read_point(const DbRow& row) {
  HistoryPoint p;
  p.content_hash = as_string(row[0]);
  p.timestamp = as_string(row[1]);
  p.host_id = as_string(row[2]);
  p.host_name = as_string(row[3]);
  p.backend = as_string(row[4]);
  p.backend_detail = as_string(row[5]);
  p.tick_unit = as_string(row[6]);
  p.emulated = as_int(row[7]) != 0;
  p.benchmark = as_string(row[8]);
  p.metric = as_string(row[9]);
  p.unit = as_string(row[10]);
  p.repetitions = as_int(row[11]);
  p.median = as_double(row[12]);
  p.mean = as_double(row[13]);
  p.min = as_double(row[14]);
  p.max = as_double(row[15]);
  p.stddev = as_double(row[16]);
  p.error = as_string(row[18]);
  p.revision = as_string(row[19]);
  if (!is_null(row[20])) p.revision_order = as_int(row[20]);
  const std::string row_name = p.content_hash.substr(0, 12) + " benchmark " + p.benchmark;
  if (auto why = read_samples(as_string(row[17]), p.samples)) {
    skipped_.push_back(row_name + ": samples " + *why);
    return std::nullopt;
  }
  if (auto why = non_finite_statistic(row)) {
    skipped_.push_back(row_name + ": " + *why);
    return std::nullopt;
  }
  return p;
}

std::vector<HistoryPoint> History::query(const HistoryQuery& q) {
  std::vector<DbValue> params;
  const std::string sql = "SELECT " + point_columns() +
                          " FROM vmxbench_results s JOIN vmxbench_reports r ON r.content_hash = s.content_hash" +
                          where(q, true, params) +
                          " ORDER BY s.benchmark, r.host_name, r.host_id, r.timestamp, r.content_hash";
  std::vector<HistoryPoint> out;
  db_->for_each_row(sql, params, [&](const DbRow& row) {
    if (std::optional<HistoryPoint> p = read_point(row)) out.push_back(std::move(*p));
  });
  return out;
}

void History::read_reports(const std::vector<DbRow>& rows, std::vector<HistoryReport>& out) {
  for (const DbRow& row : rows) {
    input::ParsedJson report = input::parse_bounded_json(as_string(row[5]));
    if (report.outcome != input::ParseOutcome::kOk || !report.value.is_object()) {
      skipped_.push_back(as_string(row[0]).substr(0, 12) + " report: not readable JSON (" +
                         input::printable(report.reason.empty() ? "not an object" : report.reason, 120) + ")");
      continue;
    }
    out.push_back({as_string(row[0]), as_string(row[1]), as_string(row[2]), as_string(row[3]), as_string(row[4]),
                   std::move(report.value)});
  }
}

std::vector<HistoryReport> History::reports(const HistoryQuery& q) {
  std::vector<DbValue> params;
  const std::string sql =
      "SELECT r.content_hash, r.timestamp, r.host_id, r.host_name, r.backend, r.report FROM vmxbench_reports r" +
      where(q, false, params) + " ORDER BY r.timestamp, r.content_hash";
  std::vector<HistoryReport> out;
  read_reports(db_->query(sql, params), out);
  return out;
}

std::vector<HistoryReport> History::reports_by_hash(const std::vector<std::string>& hashes) {
  // In slices: SQLite allows 32766 parameters, but a statement that long helps no one.
  const size_t slice = 200;
  std::vector<HistoryReport> out;
  for (size_t from = 0; from < hashes.size(); from += slice) {
    std::vector<DbValue> params;
    std::string list;
    for (size_t i = from; i < hashes.size() && i < from + slice; ++i) {
      params.push_back(hashes[i]);
      list += (list.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    read_reports(db_->query("SELECT content_hash, timestamp, host_id, host_name, backend, report FROM "
                            "vmxbench_reports WHERE content_hash IN (" + list + ")",
                            params),
                 out);
  }
  std::sort(out.begin(), out.end(), [](const HistoryReport& a, const HistoryReport& b) {
    return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.content_hash < b.content_hash;
  });
  return out;
}

int64_t History::count_reports() { return as_int(db_->query("SELECT COUNT(*) FROM vmxbench_reports")[0][0]); }
int64_t History::count_results() { return as_int(db_->query("SELECT COUNT(*) FROM vmxbench_results")[0][0]); }

}  // namespace vmxb::reports
