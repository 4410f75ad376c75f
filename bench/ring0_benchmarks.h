// Benchmark family 2: the ring-0 operations of the measurement core, executed
// by a backend (kernel module or Bochs image) and reported per row
// (bench/ring0_rows.h) with tick statistics as counters, net of the measured
// timing overhead.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/backend.h"
#include "bench/ring0_rows.h"

namespace vmxb::bench {

struct Ring0Settings {
  uint32_t iterations = 10000;
  uint32_t warmup = 1000;
  // The touch rows (each execution touches up to 512 guest pages three times).
  uint32_t touch_iterations = 10000;
  uint32_t touch_warmup = 1000;
};

class Ring0Runs {
 public:
  Ring0Runs(Backend& backend, Ring0Settings settings, bool batch);

  // Batch backends (Bochs: one boot for everything) run all `rows` here.
  // Returns false with *error / *exit_code when the backend failed.
  bool prepare(const std::vector<Ring0Row>& rows, std::string* error, int* exit_code);

  struct Result {
    const OpRun* run = nullptr;       // nullptr: backend failed, see error
    uint64_t overhead_median = 0;     // ticks of the empty body measured with it
    std::string error;
  };
  // The row's samples with the overhead measured alongside them
  // (per-operation backends measure afresh on every call).
  Result get(const Ring0Row& row);
  // The last samples of `row` without measuring again; measures only if it
  // has never run (e.g. filtered out).
  Result latest(const Ring0Row& row);

  int failure_exit_code() const { return failure_exit_code_; }
  // Every run so far (after prepare(): all of a batch backend's rows).
  std::vector<const OpRun*> runs() const;

 private:
  OpRequest request(const Ring0Row& row) const;

  Backend& backend_;
  Ring0Settings settings_;
  bool batch_;
  std::map<std::string, OpRun> runs_;         // by Ring0Row::name()
  std::map<std::string, uint64_t> overhead_;  // per row (batch: one shared value)
  int failure_exit_code_ = 0;
};

void register_ring0_benchmarks(Ring0Runs& runs, const BackendInfo& info, const std::vector<Ring0Row>& rows);

}  // namespace vmxb::bench
