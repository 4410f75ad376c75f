#include "bench/report_output.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "diag/bochs_source.h"
#include "diag/live.h"
#include "diag/diagnosis.h"
#include "reports/report.h"

namespace vmxb::bench {
namespace {

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

}  // namespace

bool ReportOutput::prepare(int* argc, char*** argv) {
  std::string out_format;
  for (int i = 0; i < *argc; ++i) {
    const std::string a = (*argv)[i];
    if (starts_with(a, "--vmxbench_report=")) {
      path_ = a.substr(18);
      report_flag_seen_ = true;
      continue;  // ours: not passed on
    }
    if (a == "--force") {
      force_ = true;
      continue;
    }
    if (starts_with(a, "--benchmark_out=")) gbench_json_path_ = a.substr(16);
    if (starts_with(a, "--benchmark_out_format=")) out_format = a.substr(23);
    args_.push_back(a);
  }
  if (!enabled() && !report_flag_seen_) return true;
  if (path_.empty() || path_.back() == '/') {
    std::fprintf(stderr, "bench: --vmxbench_report needs a file name\n");
    return false;
  }
  // Refused before anything runs: nothing is replaced without --force.
  if (!force_ && access(path_.c_str(), F_OK) == 0) {
    std::fprintf(stderr, "bench: --vmxbench_report=%s exists: pass --force to replace it\n", path_.c_str());
    return false;
  }
  if (!gbench_json_path_.empty() && !out_format.empty() && out_format != "json") {
    std::fprintf(stderr, "bench: --vmxbench_report needs --benchmark_out_format=json (or no --benchmark_out)\n");
    return false;
  }
  if (gbench_json_path_.empty()) {
    char tmpl[] = "/tmp/vmxbench-gbench.XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) {
      std::fprintf(stderr, "bench: cannot create a temporary file under /tmp for --vmxbench_report\n");
      return false;
    }
    close(fd);
    gbench_json_path_ = tmpl;
    remove_gbench_json_ = true;
    args_.push_back("--benchmark_out=" + gbench_json_path_);
    args_.push_back("--benchmark_out_format=json");
  }
  for (auto& a : args_) argv_.push_back(a.data());
  argv_.push_back(nullptr);
  *argc = static_cast<int>(args_.size());
  *argv = argv_.data();
  return true;
}

bool ReportOutput::write(const std::string& backend, const std::string& bochs_model) {
  std::ifstream in(gbench_json_path_);
  std::stringstream text;
  text << in.rdbuf();
  if (remove_gbench_json_) unlink(gbench_json_path_.c_str());
  try {
    const nlohmann::json gbench = reports::parse_google_benchmark_json(text.str());
    // diag of the CPU the ring-0 rows ran on.
    diag::Snapshot snapshot;
    std::string error;
    if (backend == "bochs") {
      if (diag::collect_bochs(bochs_model, snapshot, error) != diag::BochsResult::kOk) {
        std::fprintf(stderr, "bench: --vmxbench_report: diag of Bochs %s failed: %s\n", bochs_model.c_str(),
                     error.c_str());
        return false;
      }
    } else {
      snapshot = diag::collect_live();
    }
    const nlohmann::json diag_json = diag::diagnosis_json(diag::diagnose(snapshot));
    const nlohmann::json report = reports::build_report(gbench, &diag_json);
    reports::write_report_file(report, path_, force_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: --vmxbench_report=%s: %s\n", path_.c_str(), e.what());
    return false;
  }
  return true;
}

}  // namespace vmxb::bench
