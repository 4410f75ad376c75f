// Runs a program for the tests: argv, extra environment, optional uid/gid,
// a timeout (SIGKILL), captured stdout and stderr.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmxb::reports::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out, err;
  std::string describe() const;  // "exit 3" / "signal 9" / "timed out", plus stderr
};

struct ProcessOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) the environment
  std::optional<uid_t> uid;                // drop to this user (and gid) before exec
  std::optional<gid_t> gid;
  std::string cwd;
  int timeout_seconds = 60;
};

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// The first executable found among `candidates` (absolute paths or names on PATH).
std::optional<std::string> find_executable(const std::vector<std::string>& candidates);

}  // namespace vmxb::reports::testing
