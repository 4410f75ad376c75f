// PostgreSQL implementation of reports/storage.h (libpq).
// pkg-config's -I/usr/include/postgresql is a copt of @libpq//:lib and does not reach
// dependents (tools/build_defs/pkg_config.bzl), so the header is named from /usr/include.
#include <postgresql/libpq-fe.h>

#include <exception>

#include "reports/storage.h"

namespace vmxb::reports {
namespace {

// PostgreSQL type OIDs (src/include/catalog/pg_type.dat).
constexpr Oid kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  return s;
}

class Postgres final : public Database {
 public:
  explicit Postgres(const std::string& conninfo) : name_(redact_url(conninfo)) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
      PQfinish(conn_);
      conn_ = nullptr;
      throw DbError(name_ + ": cannot connect: " + one_line(msg));
    }
    execute("SET client_min_messages = warning", {});
  }
  ~Postgres() override { PQfinish(conn_); }

  std::string kind() const override { return "postgresql"; }

  int64_t execute(const std::string& sql, const std::vector<DbValue>& params) override {
    PGresult* res = run(sql, params);
    const char* n = PQcmdTuples(res);
    int64_t changed = n && *n ? std::strtoll(n, nullptr, 10) : 0;
    PQclear(res);
    return changed;
  }

  std::vector<DbRow> query(const std::string& sql, const std::vector<DbValue>& params) override {
    PGresult* res = run(sql, params);
    std::vector<DbRow> rows;
    for (int r = 0; r < PQntuples(res); ++r) rows.push_back(row_of(res, r));
    PQclear(res);
    return rows;
  }

  // libpq's single-row mode: one row in memory at a time, as SQLite.
  void for_each_row(const std::string& sql, const std::vector<DbValue>& params,
                    const std::function<void(DbRow&)>& each) override {
    std::vector<std::string> text;
    std::vector<const char*> values;
    bind(params, text, values);
    if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(), nullptr,
                           nullptr, 0) ||
        !PQsetSingleRowMode(conn_))
      throw DbError(name_ + ": " + one_line(PQerrorMessage(conn_)));
    std::string error;
    // Every result is read to the end (libpq needs it before the next query),
    // even after a callback threw or the server reported an error.
    std::exception_ptr thrown;
    while (PGresult* res = PQgetResult(conn_)) {
      const ExecStatusType st = PQresultStatus(res);
      if (st == PGRES_SINGLE_TUPLE && !thrown && error.empty()) {
        DbRow row = row_of(res, 0);
        try {
          each(row);
        } catch (...) {
          thrown = std::current_exception();
        }
      } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && error.empty()) {
        error = one_line(PQresultErrorMessage(res));
      }
      PQclear(res);
    }
    if (thrown) std::rethrow_exception(thrown);
    if (!error.empty()) throw DbError(name_ + ": " + error);
  }

  void begin() override { execute("BEGIN", {}); }
  void commit() override { execute("COMMIT", {}); }
  void rollback() override {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
  }

 private:
  // Parameters as text (NULL as a null pointer): `values` points into `text`.
  static void bind(const std::vector<DbValue>& params, std::vector<std::string>& text,
                   std::vector<const char*>& values) {
    text.assign(params.size(), std::string());
    values.assign(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (is_null(params[i])) continue;
      text[i] = as_string(params[i]);
      values[i] = text[i].c_str();
    }
  }

  static DbRow row_of(const PGresult* res, int r) {
    DbRow row;
    for (int c = 0; c < PQnfields(res); ++c) {
      if (PQgetisnull(res, r, c)) {
        row.emplace_back(std::monostate{});
        continue;
      }
      const char* v = PQgetvalue(res, r, c);
      const Oid t = PQftype(res, c);
      if (t == kInt8 || t == kInt4 || t == kInt2)
        row.emplace_back(static_cast<int64_t>(std::strtoll(v, nullptr, 10)));
      else if (t == kFloat8 || t == kFloat4 || t == kNumeric)
        row.emplace_back(std::strtod(v, nullptr));
      else
        row.emplace_back(std::string(v, static_cast<size_t>(PQgetlength(res, r, c))));
    }
    return row;
  }

  PGresult* run(const std::string& sql, const std::vector<DbValue>& params) {
    std::vector<std::string> text;
    std::vector<const char*> values;
    bind(params, text, values);
    PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    const ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
      PQclear(res);
      throw DbError(name_ + ": " + one_line(msg));
    }
    return res;
  }

  std::string name_;
  PGconn* conn_ = nullptr;
};

}  // namespace

std::unique_ptr<Database> open_postgres(const std::string& conninfo) {
  return std::make_unique<Postgres>(conninfo);
}

}  // namespace vmxb::reports
