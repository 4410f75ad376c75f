#include "bench/ring0_benchmarks.h"

#include <benchmark/benchmark.h>

#include "bench/clock_counters.h"
#include "core/guest/world_switch_abi.h"
#include "core/operations.h"
#include "stats/descriptive.h"

namespace vmxb::bench {
namespace {

// Names from the core's table, not copies of them.
constexpr const char* kOverheadOp = core::operation_info(core::OpId::kEmpty).name;

// The rows that carry vs_single_context: a global invalidation next to the
// single-context one of the same kind (and, for touch rows, the same pages).
struct SingleContextPair {
  core::OpId global, single;
};
constexpr SingleContextPair kSingleContextPairs[] = {
    {core::OpId::kInveptGlobal, core::OpId::kInveptSingleContext},
    {core::OpId::kInveptGlobalLive, core::OpId::kInveptSingleContextLive},
};

const char* single_context_of(const std::string& op) {
  for (const auto& pair : kSingleContextPairs)
    if (op == core::operation_info(pair.global).name) return core::operation_info(pair.single).name;
  return nullptr;
}

uint64_t median_of(const std::vector<uint64_t>& samples) {
  return static_cast<uint64_t>(stats::summarize(samples).median);
}

double net_median(const std::vector<uint64_t>& samples, uint64_t overhead) {
  return stats::summarize(stats::subtract_overhead(samples, overhead)).median;
}

void skip(benchmark::State& state, const std::string& why) {
  state.SkipWithError(why.c_str());
  for (auto _ : state) {
  }
}

// A touch row's guest-side series (the names after "flush", which is the
// row's own time), as medians net of the overhead like the main time, and
// what the flush added to each: refill - warm and collateral - warm.
void set_touch_counters(benchmark::State& state, const OpRun& run, uint64_t overhead) {
  std::map<std::string, double> medians;
  for (uint32_t k = 1; k < core::kTouchSeries; ++k) {
    const auto it = run.counters.find(core::kTouchSeriesNames[k]);
    if (it == run.counters.end() || it->second.empty()) continue;
    medians[it->first] = net_median(it->second, overhead);
    state.counters[it->first] = medians[it->first];
  }
  state.counters["pages"] = static_cast<double>(run.pages);
  const auto warm = medians.find(core::kTouchSeriesNames[1]);
  if (warm == medians.end()) return;
  for (uint32_t k = 2; k < core::kTouchSeries; ++k) {
    const auto it = medians.find(core::kTouchSeriesNames[k]);
    if (it != medians.end()) state.counters[it->first + "_penalty"] = it->second - warm->second;
  }
}

}  // namespace

Ring0Runs::Ring0Runs(Backend& backend, Ring0Settings settings, bool batch)
    : backend_(backend), settings_(settings), batch_(batch) {}

OpRequest Ring0Runs::request(const Ring0Row& row) const {
  // The unrolled throughput rows take the touch rows' sample count: under
  // emulation every sample of both is the same instruction count, and on
  // hardware touch_iterations is the normal count (bench/main.cc).
  const core::OperationInfo* info = core::find_operation(row.op.c_str());
  const bool unrolled = info != nullptr && core::unrolled_copies(*info) != 0;
  if (is_touch_op(row.op) || unrolled) return {row.op, settings_.touch_iterations, settings_.touch_warmup, row.pages};
  return {row.op, settings_.iterations, settings_.warmup, row.pages};
}

bool Ring0Runs::prepare(const std::vector<Ring0Row>& rows, std::string* error, int* exit_code) {
  if (!batch_ || rows.empty()) return true;
  std::vector<OpRequest> requests{request({kOverheadOp, 0})};
  for (const auto& row : rows) requests.push_back(request(row));
  BatchResult batch = backend_.run(requests);
  if (!batch.ok) {
    *error = batch.error;
    *exit_code = batch.exit_code;
    return false;
  }
  const OpRun& empty = batch.runs.front();
  const uint64_t overhead = empty.status == "ok" ? median_of(empty.samples) : 0;
  for (size_t i = 1; i < batch.runs.size(); ++i) {
    const std::string name = rows[i - 1].name();
    overhead_[name] = overhead;
    runs_[name] = std::move(batch.runs[i]);
  }
  return true;
}

Ring0Runs::Result Ring0Runs::get(const Ring0Row& row) {
  Result result;
  const std::string name = row.name();
  if (!batch_) {
    // Measure the overhead right next to the operation, on the same CPU.
    BatchResult batch = backend_.run({request({kOverheadOp, 0}), request(row)});
    if (!batch.ok) {
      result.error = batch.error;
      failure_exit_code_ = batch.exit_code;
      return result;
    }
    overhead_[name] = batch.runs[0].status == "ok" ? median_of(batch.runs[0].samples) : 0;
    runs_[name] = std::move(batch.runs[1]);
  }
  const auto it = runs_.find(name);
  if (it == runs_.end()) {
    result.error = "operation " + name + " was not run";
    return result;
  }
  result.run = &it->second;
  result.overhead_median = overhead_[name];
  return result;
}

std::vector<const OpRun*> Ring0Runs::runs() const {
  std::vector<const OpRun*> all;
  for (const auto& [name, run] : runs_) all.push_back(&run);
  return all;
}

Ring0Runs::Result Ring0Runs::latest(const Ring0Row& row) {
  const auto it = runs_.find(row.name());
  if (it == runs_.end()) return get(row);
  return {&it->second, overhead_[row.name()], ""};
}

void register_ring0_benchmarks(Ring0Runs& runs, const BackendInfo& info, const std::vector<Ring0Row>& rows) {
  for (const auto& row : rows) {
    benchmark::RegisterBenchmark(row.name().c_str(), [&runs, info, row](benchmark::State& state) {
      const Ring0Runs::Result r = runs.get(row);
      if (r.run == nullptr) return skip(state, r.error);
      if (r.run->status != "ok")
        return skip(state, r.run->status + (r.run->vm_error ? " error " + std::to_string(r.run->vm_error) : "") +
                               ": " + r.run->reason);
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
      if (is_touch_op(row.op)) set_touch_counters(state, *r.run, r.overhead_median);
      // Throughput from the n and 2n unrolled rows (nanoBench's differential):
      // the bracket and the one status branch cancel.
      std::optional<double> throughput_ticks;
      const core::OperationInfo* n_row = core::unrolled_row(row.op.c_str(), core::kUnrolledCopies);
      const core::OperationInfo* twice_n_row = core::unrolled_row(row.op.c_str(), 2 * core::kUnrolledCopies);
      if (n_row != nullptr && twice_n_row != nullptr) {
        const Ring0Runs::Result n = runs.latest({n_row->name, 0});
        const Ring0Runs::Result twice_n = runs.latest({twice_n_row->name, 0});
        if (n.run != nullptr && twice_n.run != nullptr && n.run->status == "ok" && twice_n.run->status == "ok") {
          throughput_ticks =
              (net_median(twice_n.run->samples, 0) - net_median(n.run->samples, 0)) / core::kUnrolledCopies;
          state.counters["throughput_ticks"] = *throughput_ticks;
        }
      }
      const ClockCounters clock = clock_counters(*r.run, s, throughput_ticks);
      for (const auto& [name, value] : clock.counters) state.counters[name] = value;
      // The host's part of the vmcall round trip is this many instructions
      // (checked against the image's ELF by harness/tests:guest_rows_test):
      // under Bochs, ticks_median is exactly this plus the VMCALL.
      if (row.op == core::operation_info(core::OpId::kVmcall).name)
        state.counters["exit_path_instructions"] = core::guest::kFastExitInstructions;
      if (const char* single_op = single_context_of(row.op)) {
        // The global row next to single-context, as a ratio of medians. The
        // single-context row ran just before (table order): reuse its samples.
        const Ring0Runs::Result single = runs.latest({single_op, row.pages});
        if (single.run != nullptr && single.run->status == "ok") {
          const double single_median = net_median(single.run->samples, single.overhead_median);
          if (single_median > 0) state.counters["vs_single_context"] = s.median / single_median;
        }
      }
      const std::string label = info.row_label.empty() ? info.name + ": ticks are " + info.tick_unit : info.row_label;
      state.SetLabel(clock.note.empty() ? label : label + "; " + clock.note);
    })->Iterations(1)->UseManualTime()->Unit(benchmark::kNanosecond);
  }
}

}  // namespace vmxb::bench
