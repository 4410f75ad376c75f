#include "bench/strict_json_reporter.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace vmxb::bench {
namespace {

std::string flag_or_env(int argc, char** argv, const std::string& flag, const char* env, const char* fallback) {
  const char* from_env = std::getenv(env);
  std::string value = from_env != nullptr ? from_env : fallback;
  const std::string prefix = "--" + flag + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind(prefix, 0) == 0) value = arg.substr(prefix.size());
  }
  return value;
}

}  // namespace

std::vector<benchmark::BenchmarkReporter::Run> finite_runs(
    const std::vector<benchmark::BenchmarkReporter::Run>& runs) {
  std::vector<benchmark::BenchmarkReporter::Run> kept;
  for (const auto& run : runs) {
    if (!std::isfinite(run.real_accumulated_time) || !std::isfinite(run.cpu_accumulated_time)) continue;
    kept.push_back(run);
    auto& counters = kept.back().counters;
    for (auto it = counters.begin(); it != counters.end();) {
      it = std::isfinite(it->second.value) ? std::next(it) : counters.erase(it);
    }
  }
  return kept;
}

void StrictJsonReporter::ReportRuns(const std::vector<Run>& runs) {
  const std::vector<Run> kept = finite_runs(runs);
  if (!kept.empty()) JSONReporter::ReportRuns(kept);
}

JsonOutputs json_outputs(int argc, char** argv) {
  JsonOutputs outputs;
  outputs.display = flag_or_env(argc, argv, "benchmark_format", "BENCHMARK_FORMAT", "console") == "json";
  outputs.file = !flag_or_env(argc, argv, "benchmark_out", "BENCHMARK_OUT", "").empty() &&
                 flag_or_env(argc, argv, "benchmark_out_format", "BENCHMARK_OUT_FORMAT", "json") == "json";
  return outputs;
}

}  // namespace vmxb::bench
