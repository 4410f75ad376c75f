// Builds and checks vmxbench reports (format: reports/FORMAT.md, schema:
// reports/report.schema.json). This is //reports:report, the library that
// //bench calls for --vmxbench_report=FILE:
//
//   nlohmann::json gb = nlohmann::json::parse(google_benchmark_json_text);
//   nlohmann::json report = vmxb::reports::build_report(gb, diag_or_nullptr);
//   vmxb::reports::write_report_file(report, path);   // atomic: temp file + rename
//
// Both throw vmxb::reports::ReportError with a one-line reason.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vmxb::reports {

inline constexpr int kFormatVersion = 1;
inline constexpr const char* kFormatName = "vmxbench-report";

class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BuildOptions {
  // ISO-8601; default: the Google Benchmark context "date" (converted to UTC),
  // else the current time.
  std::optional<std::string> timestamp;
  // Default: the context key "vmxbench_version".
  std::optional<std::string> suite_version;
};

// `google_benchmark`: the document Google Benchmark writes with
// --benchmark_format=json, with vmxbench's custom context keys (FORMAT.md).
// `diag`: diag's JSON document, or nullptr. The result passes ValidateReport.
nlohmann::json build_report(const nlohmann::json& google_benchmark, const nlohmann::json* diag,
                           const BuildOptions& options = {});

// Parses Google Benchmark's JSON output. Google Benchmark writes non-finite
// values as bare NaN / Infinity / -Infinity (e.g. the cv aggregate of a
// constant counter), which is not JSON: those become null. Throws
// ReportError ("parse error at line L, column C: ...") on anything else.
nlohmann::json parse_google_benchmark_json(std::string_view text);

// Writes `report` (pretty-printed) to `path` through a temporary file with a
// unique name and a rename (output::write_file_safely), so a reader never
// sees half a report. `replace`: false refuses an existing `path` (reports
// build without --force); //bench's --vmxbench_report still replaces.
void write_report_file(const nlohmann::json& report, const std::string& path, bool replace = true);

// nullopt when `report` is a valid report of this format version; otherwise a
// one-line reason ("<json pointer>: <what is wrong>").
std::optional<std::string> validate_report(const nlohmann::json& report);

// The key of a report in the history: SHA-256 (hex) of its canonical JSON
// (keys sorted, no whitespace), so re-formatting a file does not change it.
std::string content_hash(const nlohmann::json& report);

// "sha256:<hex>" over the diag part's capability MSRs, nullopt without them.
std::optional<std::string> capability_hash(const nlohmann::json& diag);

// host.id: the first 16 hex digits of SHA-256 over the host's name, CPU
// vendor, family, model and stepping.
std::string host_id(const nlohmann::json& host);

// "corei7_skylake_x" for bochs, "kvm"/"tcg" for qemu, else "".
std::string backend_detail(const nlohmann::json& backend);
// "module", "bochs (corei7_skylake_x)", "qemu (tcg)".
std::string backend_label(const nlohmann::json& backend);
// The same from the kind and backend_detail() (the history's columns).
std::string backend_label(const std::string& kind, const std::string& detail);

// The report's JSON schema (reports/report.schema.json, compiled in).
const nlohmann::json& report_schema();

}  // namespace vmxb::reports
