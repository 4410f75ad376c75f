// The one storage interface of the history: a SQL connection with
// parameters, transactions and typed results. Two implementations:
// SQLite (embedded, the default) and PostgreSQL (a fleet's shared server),
// chosen by the connection string:
//
//   sqlite:PATH                      (the file is created if missing, by writers only)
//   postgresql://USER@HOST:PORT/DB   (or postgres://...; any libpq URI, e.g.
//                                     postgresql:///db?host=/run/postgresql)
//
// SQL is written once with $1, $2 ... placeholders and the subset both
// engines share (ON CONFLICT DO NOTHING, TEXT/INTEGER/DOUBLE PRECISION).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace vmxb::reports {

class DbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database named cannot be used as a history, and nothing was written
// to it: the CLI exits 3 (unreadable input).
class DbUnusable : public DbError {
 public:
  using DbError::DbError;
};

// A reader was pointed at a database that does not exist (a mistyped
// sqlite: path): nothing is created.
class DbMissing : public DbUnusable {
 public:
  using DbUnusable::DbUnusable;
};

// The file exists but is not a vmxbench history: not a SQLite database at
// all, a SQLite database with other tables, or (for a reader) one with no
// tables. Refused before anything could change a byte of it.
class DbNotHistory : public DbUnusable {
 public:
  using DbUnusable::DbUnusable;
};

// Writers (history ingest) create a missing SQLite file, and the history in
// an empty one; readers (history query, dashboard) never create either.
enum class OpenMode { kCreateIfMissing, kExistingOnly };

using DbValue = std::variant<std::monostate, int64_t, double, std::string>;
using DbRow = std::vector<DbValue>;

// Conversions that accept what either engine returns (PostgreSQL: text).
std::string as_string(const DbValue& v);
int64_t as_int(const DbValue& v);
double as_double(const DbValue& v);
bool is_null(const DbValue& v);

class Database {
 public:
  virtual ~Database() = default;
  virtual std::string kind() const = 0;  // "sqlite" | "postgresql"
  // For messages: "sqlite:PATH"; the engine's name where there is no file.
  virtual std::string location() const { return kind(); }
  // Runs one statement; returns the number of rows it changed.
  virtual int64_t execute(const std::string& sql, const std::vector<DbValue>& params = {}) = 0;
  virtual std::vector<DbRow> query(const std::string& sql, const std::vector<DbValue>& params = {}) = 0;
  // The same rows, each handed to `each` as it is read: SQLite holds one
  // row at a time, so a reader's memory follows what it keeps, not what the
  // query returns. (PostgreSQL: libpq holds the whole result, as query().)
  virtual void for_each_row(const std::string& sql, const std::vector<DbValue>& params,
                            const std::function<void(DbRow&)>& each) {
    for (DbRow& row : query(sql, params)) each(row);
  }
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;  // never throws
  // The names of the tables the database holds, read without changing it;
  // nullopt where the engine does not say (PostgreSQL: a shared server's
  // schema is the administrator's, not checked here).
  virtual std::optional<std::vector<std::string>> tables() { return std::nullopt; }
  // Whether this connection may create what is missing (OpenMode).
  virtual OpenMode mode() const { return OpenMode::kCreateIfMissing; }
};

// Throws DbError (one line) for an unknown scheme or a failed connection,
// DbMissing for a missing SQLite file with kExistingOnly, DbNotHistory for
// a file that is not a SQLite database.
std::unique_ptr<Database> open_database(const std::string& url, OpenMode mode = OpenMode::kCreateIfMissing);

std::unique_ptr<Database> open_sqlite(const std::string& path, OpenMode mode = OpenMode::kCreateIfMissing);
std::unique_ptr<Database> open_postgres(const std::string& conninfo);

// Hides the password of a postgresql:// URL for messages.
std::string redact_url(const std::string& url);

}  // namespace vmxb::reports
