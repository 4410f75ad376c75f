// A throw-away PostgreSQL server for the history tests: initdb into a fresh
// directory under /tmp, started with pg_ctl on a Unix socket in that
// directory only (no TCP port), stopped and removed at the end. As root it
// runs the server binaries as the `postgres` user (initdb refuses root).
#pragma once

#include <memory>
#include <string>

namespace vmxb::reports::testing {

class PgServer {
 public:
  // nullptr and `error` (naming the Debian package when binaries are missing)
  // when the server cannot be started. VMXBENCH_PG_BINDIR overrides where the
  // binaries are looked for.
  static std::unique_ptr<PgServer> start(std::string& error);
  ~PgServer();

  // A new, empty database; returns its postgresql:// URL.
  std::string create_database(const std::string& name);
  std::string url(const std::string& database) const;
  const std::string& bin_dir() const { return bin_; }

 private:
  PgServer() = default;
  std::string bin_, dir_;
  bool as_postgres_ = false;
  unsigned uid_ = 0, gid_ = 0;
  bool running_ = false;
};

}  // namespace vmxb::reports::testing
