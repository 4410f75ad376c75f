// SQLite implementation of reports/storage.h.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "reports/storage.h"

namespace vmxb::reports {
namespace {

// $N -> ?N (SQLite's numbered parameters); the SQL of reports has no '$' elsewhere.
std::string placeholders(const std::string& sql) {
  std::string out = sql;
  for (size_t i = 0; i + 1 < out.size(); ++i)
    if (out[i] == '$' && std::isdigit(static_cast<unsigned char>(out[i + 1]))) out[i] = '?';
  return out;
}

class Sqlite final : public Database {
 public:
  Sqlite(const std::string& path, OpenMode mode) : path_(path), mode_(mode) {
    struct stat st;
    if (mode == OpenMode::kExistingOnly && ::stat(path.c_str(), &st) != 0)
      throw DbMissing("sqlite:" + path + ": no such history database (" + std::strerror(errno) +
                      "); readers never create one: check the path, or ingest a report first");
    refuse_if_not_sqlite(path);
    const int flags = SQLITE_OPEN_READWRITE | (mode == OpenMode::kCreateIfMissing ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw DbError("sqlite:" + path + ": cannot open: " + msg);
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // Connection settings only: nothing here touches the file, which may
    // still turn out not to be a history (History checks tables() first).
    execute_setup("PRAGMA foreign_keys = ON");
    execute_setup("PRAGMA synchronous = FULL");
  }
  ~Sqlite() override {
    for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.statement);
    sqlite3_close(db_);
  }

  std::string kind() const override { return "sqlite"; }
  std::string location() const override { return "sqlite:" + path_; }

  int64_t execute(const std::string& sql, const std::vector<DbValue>& params) override {
    run(sql, params, nullptr);
    return sqlite3_changes(db_);
  }

  std::vector<DbRow> query(const std::string& sql, const std::vector<DbValue>& params) override {
    std::vector<DbRow> rows;
    run(sql, params, [&](DbRow& row) { rows.push_back(std::move(row)); });
    return rows;
  }

  void for_each_row(const std::string& sql, const std::vector<DbValue>& params,
                    const std::function<void(DbRow&)>& each) override {
    run(sql, params, each);
  }

  // The first transaction switches the file to WAL (a crash mid-transaction
  // is rolled back from the journal at the next open). It rewrites the file's
  // header, so it waits until the file is known to be a history.
  void begin() override {
    if (!wal_) {
      execute_setup("PRAGMA journal_mode = WAL");
      wal_ = true;
    }
    execute("BEGIN IMMEDIATE", {});
  }
  void commit() override { execute("COMMIT", {}); }
  void rollback() override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  std::optional<std::vector<std::string>> tables() override {
    std::vector<std::string> names;
    for (const DbRow& r : query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", {}))
      names.push_back(as_string(r[0]));
    return names;
  }
  OpenMode mode() const override { return mode_; }

 private:
  // Hands each result row to `each` (none: the rows are not read).
  void run(const std::string& sql, const std::vector<DbValue>& params, const std::function<void(DbRow&)>& each) {
    sqlite3_stmt* st = nullptr;
    Cached* cached = nullptr;
    if (auto it = statements_.find(sql); it != statements_.end() && !it->second.in_use) {
      cached = &it->second;
      st = cached->statement;
    } else {
      if (sqlite3_prepare_v2(db_, placeholders(sql).c_str(), -1, &st, nullptr) != SQLITE_OK) fail("prepare");
      if (it == statements_.end() && statements_.size() < kCachedStatements) {
        cached = &statements_[sql];
        cached->statement = st;
      }
    }
    // A cached statement is reset for its next use, any other finalized.
    struct Release {
      sqlite3_stmt* s;
      Cached* cached;
      ~Release() {
        if (cached == nullptr) {
          sqlite3_finalize(s);
          return;
        }
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        cached->in_use = false;
      }
    } guard{st, cached};
    if (cached) cached->in_use = true;
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      const DbValue& p = params[i];
      int rc;
      if (auto* s = std::get_if<std::string>(&p))
        rc = sqlite3_bind_text(st, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      else if (auto* n = std::get_if<int64_t>(&p))
        rc = sqlite3_bind_int64(st, idx, *n);
      else if (auto* d = std::get_if<double>(&p))
        rc = sqlite3_bind_double(st, idx, *d);
      else
        rc = sqlite3_bind_null(st, idx);
      if (rc != SQLITE_OK) fail("bind");
    }
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail("step");
      if (!each) continue;
      DbRow row;
      const int n = sqlite3_column_count(st);
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(st, c)) {
          case SQLITE_INTEGER: row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(st, c))); break;
          case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(st, c)); break;
          case SQLITE_NULL: row.emplace_back(std::monostate{}); break;
          default: {
            const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
            row.emplace_back(std::string(t ? t : "", static_cast<size_t>(sqlite3_column_bytes(st, c))));
          }
        }
      }
      each(row);
    }
  }

  // Every SQLite database file starts with this (sqlite.org/fileformat.html,
  // "The Database Header"); an empty file is an empty database to SQLite.
  // Anything else is refused before SQLite opens it.
  static void refuse_if_not_sqlite(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return;  // missing: the open below says so, or creates it
    static const char magic[] = "SQLite format 3";  // and its terminating NUL: 16 bytes
    char head[sizeof magic] = {};
    in.read(head, sizeof head);
    if (in.gcount() == 0) return;
    if (in.gcount() < static_cast<std::streamsize>(sizeof head) || std::memcmp(head, magic, sizeof head) != 0)
      throw DbNotHistory("sqlite:" + path +
                         ": not a vmxbench history: not a SQLite database file (left unchanged); check the path");
  }

  [[noreturn]] void fail(const char* what) {
    throw DbError("sqlite:" + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
  }

  // Switching a fresh file to WAL takes an exclusive lock, and SQLite
  // answers SQLITE_BUSY at once instead of calling the busy handler when
  // another connection is creating the same file: retry for as long as the
  // busy timeout would have waited, so concurrent first use never fails.
  void execute_setup(const char* sql) {
    for (int waited_ms = 0;; waited_ms += kSetupRetryMs) {
      const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) return;
      const int primary = rc & 0xff;
      if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || waited_ms >= kBusyTimeoutMs) fail(sql);
      ::usleep(kSetupRetryMs * 1000);
    }
  }

  // Prepared statements by SQL text: an ingest runs the same few statements
  // for every row (preparing the rollups' upsert costs more than running it).
  // One in use (a statement run from inside another's row callback) is not
  // shared: the inner run prepares its own.
  struct Cached {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
  };
  static constexpr size_t kCachedStatements = 64;
  std::map<std::string, Cached> statements_;

  static constexpr int kBusyTimeoutMs = 10000;
  static constexpr int kSetupRetryMs = 5;

  std::string path_;
  OpenMode mode_;
  bool wal_ = false;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path, OpenMode mode) {
  return std::make_unique<Sqlite>(path, mode);
}

}  // namespace vmxb::reports
