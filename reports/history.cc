#include "reports/history.h"

#include <signal.h>
#include <unistd.h>

#include "reports/report.h"
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
         report TEXT NOT NULL))",
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

DbValue Nullable(const json& v) {
  if (v.is_null()) return std::monostate{};
  return v.get<std::string>();
}

DbValue Finite(double d) { return d == d ? DbValue(d) : DbValue(std::monostate{}); }

// WHERE clause over r (reports) and optionally s (results) for q.
std::string Where(const HistoryQuery& q, bool with_benchmark, std::vector<DbValue>& params) {
  std::string w = " WHERE 1 = 1";
  auto add = [&](const std::string& v) {
    params.push_back(v);
    return "$" + std::to_string(params.size());
  };
  if (q.host) {
    std::string p = add(*q.host);
    w += " AND (r.host_name = " + p + " OR r.host_id = " + p + ")";
  }
  if (with_benchmark && q.benchmark) {
    if (q.benchmark->find('*') != std::string::npos) {
      std::string like;
      for (char c : *q.benchmark) {
        if (c == '%' || c == '_' || c == '\\') like += '\\';
        like += c == '*' ? '%' : c;
      }
      w += " AND s.benchmark LIKE " + add(like) + " ESCAPE '\\'";
    } else {
      w += " AND s.benchmark = " + add(*q.benchmark);
    }
  }
  if (q.since) w += " AND r.timestamp >= " + add(*q.since);
  if (q.until) w += " AND r.timestamp <= " + add(*q.until);
  return w;
}

}  // namespace

History::History(std::unique_ptr<Database> db) : db_(std::move(db)) {
  // Two processes creating the tables at once can collide in PostgreSQL's
  // catalog even with IF NOT EXISTS; the second attempt finds them made.
  for (int attempt = 0;; ++attempt) {
    try {
      CreateSchema();
      return;
    } catch (const DbError& e) {
      if (attempt > 0 || std::string(e.what()).find("schema version") != std::string::npos) throw;
    }
  }
}

void History::CreateSchema() {
  db_->Begin();
  try {
    for (const char* sql : kSchema) db_->Execute(sql);
    auto rows = db_->Query("SELECT value FROM vmxbench_meta WHERE key = 'schema_version'");
    if (rows.empty()) {
      db_->Execute("INSERT INTO vmxbench_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT DO NOTHING",
                   {std::to_string(kHistorySchemaVersion)});
    } else if (AsInt(rows[0][0]) > kHistorySchemaVersion) {
      throw DbError("the history database has schema version " + AsString(rows[0][0]) +
                    "; this tool reads version " + std::to_string(kHistorySchemaVersion));
    }
    db_->Commit();
  } catch (...) {
    db_->Rollback();
    throw;
  }
}

History::Outcome History::Ingest(const json& report, const IngestFault& fault) {
  const std::string hash = ContentHash(report);
  const json& host = report["host"];
  const json& backend = report["backend"];
  db_->Begin();
  try {
    int64_t added = db_->Execute(
        "INSERT INTO vmxbench_reports (content_hash, format_version, timestamp, suite_version, host_id, "
        "host_name, backend, emulated, backend_detail, tick_unit, capability_hash, ingested_at, report) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
        {hash, int64_t{report["format_version"].get<int>()}, report["timestamp"].get<std::string>(),
         report["suite_version"].get<std::string>(), host["id"].get<std::string>(),
         host["name"].get<std::string>(), backend["kind"].get<std::string>(),
         int64_t{backend["emulated"].get<bool>() ? 1 : 0}, BackendDetail(backend),
         backend["tick_unit"].get<std::string>(), Nullable(host["vmx_capability_hash"]),
         FormatUtc(NowEpochSeconds()), report.dump()});
    if (added == 0) {
      db_->Rollback();
      return Outcome::kDuplicate;
    }
    int written = 0;
    for (const Series& s : ExtractSeries(report)) {
      if (fault.after_rows >= 0 && written == fault.after_rows) {
        if (fault.kill) ::kill(::getpid(), SIGKILL);
        throw DbError("injected fault after " + std::to_string(written) + " result row(s)");
      }
      db_->Execute(
          "INSERT INTO vmxbench_results (content_hash, benchmark, metric, unit, repetitions, median, mean, "
          "min, max, stddev, samples, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
          {hash, s.name, s.metric, s.unit, static_cast<int64_t>(s.repetitions), Finite(stats::median(s.samples)),
           Finite(stats::mean(s.samples)),
           s.samples.empty() ? DbValue() : DbValue(*std::min_element(s.samples.begin(), s.samples.end())),
           s.samples.empty() ? DbValue() : DbValue(*std::max_element(s.samples.begin(), s.samples.end())),
           stats::sample_stddev(s.samples), json(s.samples).dump(),
           s.error.empty() ? DbValue() : DbValue(s.error)});
      ++written;
    }
    db_->Commit();
    return Outcome::kAdded;
  } catch (...) {
    db_->Rollback();
    throw;
  }
}

std::vector<HistoryPoint> History::Query(const HistoryQuery& q) {
  std::vector<DbValue> params;
  const std::string sql =
      "SELECT r.content_hash, r.timestamp, r.host_id, r.host_name, r.backend, r.backend_detail, r.tick_unit, "
      "r.emulated, s.benchmark, s.metric, s.unit, s.repetitions, s.median, s.mean, s.min, s.max, s.stddev, "
      "s.samples, s.error FROM vmxbench_results s JOIN vmxbench_reports r ON r.content_hash = s.content_hash" +
      Where(q, true, params) + " ORDER BY s.benchmark, r.host_name, r.host_id, r.timestamp, r.content_hash";
  std::vector<HistoryPoint> out;
  for (const DbRow& row : db_->Query(sql, params)) {
    HistoryPoint p;
    p.content_hash = AsString(row[0]);
    p.timestamp = AsString(row[1]);
    p.host_id = AsString(row[2]);
    p.host_name = AsString(row[3]);
    p.backend = AsString(row[4]);
    p.backend_detail = AsString(row[5]);
    p.tick_unit = AsString(row[6]);
    p.emulated = AsInt(row[7]) != 0;
    p.benchmark = AsString(row[8]);
    p.metric = AsString(row[9]);
    p.unit = AsString(row[10]);
    p.repetitions = AsInt(row[11]);
    p.median = AsDouble(row[12]);
    p.mean = AsDouble(row[13]);
    p.min = AsDouble(row[14]);
    p.max = AsDouble(row[15]);
    p.stddev = AsDouble(row[16]);
    p.samples = json::parse(AsString(row[17])).get<std::vector<double>>();
    p.error = AsString(row[18]);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<HistoryReport> History::Reports(const HistoryQuery& q) {
  std::vector<DbValue> params;
  const std::string sql =
      "SELECT r.content_hash, r.timestamp, r.host_id, r.host_name, r.backend, r.report FROM vmxbench_reports r" +
      Where(q, false, params) + " ORDER BY r.timestamp, r.content_hash";
  std::vector<HistoryReport> out;
  for (const DbRow& row : db_->Query(sql, params)) {
    out.push_back({AsString(row[0]), AsString(row[1]), AsString(row[2]), AsString(row[3]), AsString(row[4]),
                   json::parse(AsString(row[5]))});
  }
  return out;
}

int64_t History::CountReports() { return AsInt(db_->Query("SELECT COUNT(*) FROM vmxbench_reports")[0][0]); }
int64_t History::CountResults() { return AsInt(db_->Query("SELECT COUNT(*) FROM vmxbench_results")[0][0]); }

}  // namespace vmxb::reports
