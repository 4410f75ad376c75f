// Benchmark family 2: the ring-0 operations of the measurement core, executed
// by a backend (kernel module or Bochs image) and reported per operation with
// tick statistics as counters, net of the measured timing overhead.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/backend.h"

namespace vmxb::bench {

struct Ring0Settings {
  uint32_t iterations = 10000;
  uint32_t warmup = 1000;
};

class Ring0Runs {
 public:
  Ring0Runs(Backend& backend, Ring0Settings settings, bool batch);

  // Batch backends (Bochs: one boot for everything) run all `ops` here.
  // Returns false with *error / *exit_code when the backend failed.
  bool prepare(const std::vector<std::string>& ops, std::string* error, int* exit_code);

  struct Result {
    const OpRun* run = nullptr;       // nullptr: backend failed, see error
    uint64_t overhead_median = 0;     // ticks of the empty body measured with it
    std::string error;
  };
  // The operation's samples with the overhead measured alongside them
  // (per-operation backends measure afresh on every call).
  Result get(const std::string& op);
  // The last samples of `op` without measuring again; measures only if it
  // has never run (e.g. filtered out).
  Result latest(const std::string& op);

  int failure_exit_code() const { return failure_exit_code_; }

 private:
  Backend& backend_;
  Ring0Settings settings_;
  bool batch_;
  std::map<std::string, OpRun> runs_;
  std::map<std::string, uint64_t> overhead_;  // per op (batch: one shared value)
  int failure_exit_code_ = 0;
};

// The ring-0 operations whose benchmark names ("ring0/<op>") pass the
// benchmark filter. The empty body is the overhead, not a row of its own.
std::vector<std::string> ring0_ops_matching(const std::string& filter);

void register_ring0_benchmarks(Ring0Runs& runs, const BackendInfo& info, const std::vector<std::string>& ops);

}  // namespace vmxb::bench
