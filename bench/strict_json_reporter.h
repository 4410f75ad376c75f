// Google Benchmark's JSON reporter writes a non-finite number as a bare `NaN`
// or `Infinity`, which is not JSON (RFC 8259 section 6): Node's JSON.parse,
// and so github-action-benchmark, reject the whole document. With
// repetitions the `cv` aggregate is stddev/mean, 0/0 for a quantity that is
// always zero (an emulated row's time, a `ticks_stddev` of 0). bench never
// writes an undefined number: a non-finite counter is left out of its row,
// and a row whose time is non-finite is left out of the document (the other
// aggregates and every repetition of that benchmark are still there).
#pragma once

#include <benchmark/benchmark.h>

#include <vector>

namespace vmxb::bench {

// The runs without what is not a finite number (see above).
std::vector<benchmark::BenchmarkReporter::Run> finite_runs(
    const std::vector<benchmark::BenchmarkReporter::Run>& runs);

class StrictJsonReporter : public benchmark::JSONReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override;
};

// Which of Google Benchmark's two outputs are JSON, from the same flags and
// environment variables Google Benchmark reads (last flag wins).
struct JsonOutputs {
  bool display = false;  // --benchmark_format=json
  bool file = false;     // --benchmark_out=FILE with --benchmark_out_format json (its default)
};
JsonOutputs json_outputs(int argc, char** argv);

}  // namespace vmxb::bench
