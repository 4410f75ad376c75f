#include "bench/ring0_benchmarks.h"

#include <benchmark/benchmark.h>

#include <regex>

#include "core/operations.h"
#include "stats/descriptive.h"

namespace vmxb::bench {
namespace {

// Names from the core's table, not copies of them.
constexpr const char* kOverheadOp = core::operation_info(core::OpId::kEmpty).name;
constexpr const char* kInveptSingleOp = core::operation_info(core::OpId::kInveptSingleContext).name;
constexpr const char* kInveptGlobalOp = core::operation_info(core::OpId::kInveptGlobal).name;
constexpr const char* kNameSuffix = "/iterations:1/manual_time";

uint64_t median_of(const std::vector<uint64_t>& samples) {
  return static_cast<uint64_t>(stats::summarize(samples).median);
}

}  // namespace

Ring0Runs::Ring0Runs(Backend& backend, Ring0Settings settings, bool batch)
    : backend_(backend), settings_(settings), batch_(batch) {}

bool Ring0Runs::prepare(const std::vector<std::string>& ops, std::string* error, int* exit_code) {
  if (!batch_ || ops.empty()) return true;
  std::vector<OpRequest> requests{{kOverheadOp, settings_.iterations, settings_.warmup}};
  for (const auto& op : ops) requests.push_back({op, settings_.iterations, settings_.warmup});
  BatchResult batch = backend_.run(requests);
  if (!batch.ok) {
    *error = batch.error;
    *exit_code = batch.exit_code;
    return false;
  }
  const OpRun& empty = batch.runs.front();
  const uint64_t overhead = empty.status == "ok" ? median_of(empty.samples) : 0;
  for (auto& run : batch.runs) {
    overhead_[run.op] = overhead;
    runs_[run.op] = std::move(run);
  }
  return true;
}

Ring0Runs::Result Ring0Runs::get(const std::string& op) {
  Result result;
  if (!batch_) {
    // Measure the overhead right next to the operation, on the same CPU.
    BatchResult batch = backend_.run({{kOverheadOp, settings_.iterations, settings_.warmup},
                                      {op, settings_.iterations, settings_.warmup}});
    if (!batch.ok) {
      result.error = batch.error;
      failure_exit_code_ = batch.exit_code;
      return result;
    }
    overhead_[op] = batch.runs[0].status == "ok" ? median_of(batch.runs[0].samples) : 0;
    runs_[op] = std::move(batch.runs[1]);
  }
  const auto it = runs_.find(op);
  if (it == runs_.end()) {
    result.error = "operation " + op + " was not run";
    return result;
  }
  result.run = &it->second;
  result.overhead_median = overhead_[op];
  return result;
}

Ring0Runs::Result Ring0Runs::latest(const std::string& op) {
  const auto it = runs_.find(op);
  if (it == runs_.end()) return get(op);
  return {&it->second, overhead_[op], ""};
}

std::vector<std::string> ring0_ops_matching(const std::string& filter) {
  // Google Benchmark's filter: a regex, "all" or empty for everything, and a
  // leading '-' for "everything except".
  const bool negate = !filter.empty() && filter[0] == '-';
  const std::string pattern = negate ? filter.substr(1) : filter;
  const bool all = pattern.empty() || pattern == "all" || pattern == ".";
  std::regex re;
  if (!all) re = std::regex(pattern);
  std::vector<std::string> ops;
  for (const auto& info : core::kOperations) {
    if (streq(info.name, kOverheadOp)) continue;
    // The name Google Benchmark will match: ours plus its Iterations/UseManualTime suffix.
    const std::string name = std::string("ring0/") + info.name + kNameSuffix;
    const bool match = all || std::regex_search(name, re);
    if (match != negate) ops.push_back(info.name);
  }
  return ops;
}

void register_ring0_benchmarks(Ring0Runs& runs, const BackendInfo& info, const std::vector<std::string>& ops) {
  for (const auto& op : ops) {
    const std::string name = "ring0/" + op;
    benchmark::RegisterBenchmark(name.c_str(), [&runs, info, op](benchmark::State& state) {
      const Ring0Runs::Result r = runs.get(op);
      if (r.run == nullptr) {
        state.SkipWithError(r.error.c_str());
        for (auto _ : state) {
        }
        return;
      }
      if (r.run->status != "ok") {
        const std::string why = r.run->status + (r.run->vm_error ? " error " + std::to_string(r.run->vm_error) : "") +
                                ": " + r.run->reason;
        state.SkipWithError(why.c_str());
        for (auto _ : state) {
        }
        return;
      }
      const stats::SampleSummary s = stats::summarize(stats::subtract_overhead(r.run->samples, r.overhead_median));
      // Emulated ticks are instruction counts: they never become a time.
      const double seconds = !info.emulated && info.tsc_hz ? s.median / *info.tsc_hz : 0.0;
      for (auto _ : state) state.SetIterationTime(seconds);
      state.counters["ticks_min"] = s.min;
      state.counters["ticks_median"] = s.median;
      state.counters["ticks_p99"] = s.p99;
      state.counters["ticks_mean"] = s.mean;
      state.counters["ticks_stddev"] = s.stddev;
      state.counters["overhead_ticks"] = static_cast<double>(r.overhead_median);
      state.counters["samples"] = static_cast<double>(s.count);
      if (!info.emulated && info.tsc_hz) state.counters["ns_median"] = s.median / *info.tsc_hz * 1e9;
      if (op == kInveptGlobalOp) {
        // INVEPT global next to single-context, as a ratio of medians.
        // The single-context row ran just before (table order): reuse its samples.
        const Ring0Runs::Result single = runs.latest(kInveptSingleOp);
        if (single.run != nullptr && single.run->status == "ok") {
          const stats::SampleSummary ss = stats::summarize(stats::subtract_overhead(single.run->samples, single.overhead_median));
          if (ss.median > 0) state.counters["vs_single_context"] = s.median / ss.median;
        }
      }
      state.SetLabel(info.row_label.empty() ? info.name + ": ticks are " + info.tick_unit : info.row_label);
    })->Iterations(1)->UseManualTime()->Unit(benchmark::kNanosecond);
  }
}

}  // namespace vmxb::bench
