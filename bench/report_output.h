// --vmxbench_report=FILE: the unified report (reports/FORMAT.md) written by
// bench itself: Google Benchmark's JSON of this run plus diag's view of the
// CPU the ring-0 rows ran on (the Bochs model's MSRs read in ring 0 for the
// emulated backend, the live host otherwise).
#pragma once

#include <string>
#include <vector>

namespace vmxb::bench {

class ReportOutput {
 public:
  // Looks for --vmxbench_report=FILE in argv before Google Benchmark parses
  // it, and routes Google Benchmark's JSON into a temporary --benchmark_out.
  // Returns false (one line on stderr) when the flags contradict each other.
  bool prepare(int* argc, char*** argv);
  bool enabled() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

  // After the run: builds, validates and writes the report atomically.
  // `backend` is "bochs", "qemu", "module" or "none"; `bochs_model` for bochs.
  // Returns false with a one-line message on stderr.
  bool write(const std::string& backend, const std::string& bochs_model);

 private:
  bool force_ = false;  // --force: replace an existing report
  bool report_flag_seen_ = false;  // --vmxbench_report= given, even empty
  std::string path_;
  std::string gbench_json_path_;
  bool remove_gbench_json_ = false;
  std::vector<std::string> args_;
  std::vector<char*> argv_;
};

}  // namespace vmxb::bench
