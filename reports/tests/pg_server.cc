#include "reports/tests/pg_server.h"

#include <glob.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "reports/tests/subprocess.h"

namespace vmxb::reports::testing {
namespace {

// /usr/lib/postgresql/<version>/bin on Debian (initdb and pg_ctl are not on PATH).
std::string find_bin_dir() {
  if (const char* forced = std::getenv("VMXBENCH_PG_BINDIR")) {  // tests of this very check
    std::string d = forced;
    return access((d + "/initdb").c_str(), X_OK) == 0 && access((d + "/pg_ctl").c_str(), X_OK) == 0 ? d : "";
  }
  std::vector<std::string> dirs;
  glob_t g{};
  if (glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) dirs.push_back(std::filesystem::path(g.gl_pathv[i]).parent_path());
  globfree(&g);
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) {
    return std::atoi(a.c_str() + 20) > std::atoi(b.c_str() + 20);  // newest version first
  });
  for (const std::string& d : dirs)
    if (access((d + "/pg_ctl").c_str(), X_OK) == 0 && access((d + "/postgres").c_str(), X_OK) == 0) return d;
  if (auto p = find_executable({"initdb"}))
    if (access((std::filesystem::path(*p).parent_path() / "pg_ctl").c_str(), X_OK) == 0)
      return std::filesystem::path(*p).parent_path();
  return "";
}

}  // namespace

std::unique_ptr<PgServer> PgServer::start(std::string& error) {
  std::unique_ptr<PgServer> s(new PgServer);
  s->bin_ = find_bin_dir();
  if (s->bin_.empty()) {
    error = "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found under /usr/lib/postgresql/*/bin "
            "or on PATH: install the Debian package postgresql (tools/setup installs it)";
    return nullptr;
  }
  // /tmp, not TEST_TMPDIR: the postgres user must reach it, and the socket
  // path must stay under 108 bytes.
  std::string tmpl = "/tmp/vmxbench-pg.XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    error = "mkdtemp /tmp/vmxbench-pg.XXXXXX failed";
    return nullptr;
  }
  s->dir_ = tmpl;
  ProcessOptions as;
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (!pw) {
      error = "running as root and there is no 'postgres' user to run the server as (the Debian package "
              "postgresql creates it; or run the test as a non-root user)";
      return nullptr;
    }
    s->as_postgres_ = true;
    s->uid_ = pw->pw_uid;
    s->gid_ = pw->pw_gid;
    as.uid = pw->pw_uid;
    as.gid = pw->pw_gid;
    if (chown(s->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      error = "cannot chown " + s->dir_ + " to postgres";
      return nullptr;
    }
  }
  as.env = {{"LC_ALL", "C"}, {"LANG", "C"}, {"PGDATA", ""}, {"PGHOST", ""}};
  as.cwd = s->dir_;
  as.timeout_seconds = 120;
  ProcessResult init = run_process({s->bin_ + "/initdb", "-D", s->dir_ + "/data", "-U", "postgres", "-A", "trust",
                                   "-E", "UTF8", "--no-locale", "--no-sync"},
                                  as);
  if (init.exit_code != 0) {
    error = "initdb failed (" + init.describe() + ")";
    return nullptr;
  }
  const std::string opts = "-c listen_addresses='' -c unix_socket_directories='" + s->dir_ +
                           "' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=20 "
                           "-c shared_buffers=16MB";
  ProcessResult start = run_process(
      {s->bin_ + "/pg_ctl", "-D", s->dir_ + "/data", "-o", opts, "-l", s->dir_ + "/server.log", "-w", "-t", "60", "start"},
      as);
  if (start.exit_code != 0) {
    std::string log;
    try {
      log = std::filesystem::exists(s->dir_ + "/server.log") ? s->dir_ + "/server.log" : "";
    } catch (...) {
    }
    error = "pg_ctl start failed (" + start.describe() + ")" + (log.empty() ? "" : "; see " + log);
    return nullptr;
  }
  s->running_ = true;
  return s;
}

PgServer::~PgServer() {
  if (running_) {
    ProcessOptions as;
    if (as_postgres_) {
      as.uid = uid_;
      as.gid = gid_;
    }
    as.cwd = dir_;
    run_process({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}, as);
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PgServer::url(const std::string& database) const {
  return "postgresql://postgres@/" + database + "?host=" + dir_;
}

std::string PgServer::create_database(const std::string& name) {
  ProcessOptions o;
  o.env = {{"PGHOST", dir_}, {"PGUSER", "postgres"}};
  ProcessResult r = run_process({bin_ + "/createdb", name}, o);
  if (r.exit_code != 0) throw std::runtime_error("createdb " + name + " failed: " + r.describe());
  return url(name);
}

}  // namespace vmxb::reports::testing
