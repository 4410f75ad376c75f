// Reading report files: every rejection names the file and one reason on one
// line, with an exit status per kind of problem (exit_codes.h).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "reports/exit_codes.h"

namespace vmxb::reports {

struct LoadError {
  ExitCode code = kExitUnreadable;  // kExitUnreadable, kExitMalformed or kExitInvalid
  std::string file;
  std::string reason;
  // "FILE: not a valid vmxbench report: REASON" etc., one line.
  std::string line() const;
};

struct Loaded {
  std::optional<nlohmann::json> report;
  std::optional<LoadError> error;
};

// Reads and parses `path`, then validate_report()s it. Inputs beyond the
// reader's limits (input::kMaxInputBytes, input::kMaxJsonDepth), directories
// and unopenable files are kExitUnreadable; syntax errors and numbers no
// double holds (1e400) kExitMalformed.
Loaded load_report_file(const std::string& path);

// Reads and parses any JSON file (the Google Benchmark and diag inputs of
// `reports build`): kExitUnreadable or kExitMalformed on failure.
// `google_benchmark`: accept its bare NaN/Infinity (ParseGoogleBenchmarkJson).
Loaded load_json_file(const std::string& path, bool google_benchmark = false);

// Escapes control characters and cuts long text (input::printable) so a message stays one line.
std::string one_line(std::string text);

}  // namespace vmxb::reports
