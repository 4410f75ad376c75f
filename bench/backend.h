// Where ring-0 operations run for //bench: the kernel module on a VT-x host,
// or the Bochs boot image anywhere. One interface, chosen by --backend.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/chunk_counters.h"

namespace vmxb::bench {

struct OpRequest {
  std::string op;  // a name from core/operations.h (kOperations)
  uint32_t iterations = 1000;
  uint32_t warmup = 100;
  uint32_t pages = 0;  // rows marked core::kWritesTouchSeries: guest pages touched (0: the core's default)
};

struct OpRun {
  std::string op;
  std::string status;  // core::op_status_name(): ok, unsupported, vmfail-invalid, ...
  uint32_t vm_error = 0;
  std::string reason;              // why it did not run / failed
  std::vector<uint64_t> samples;   // raw ticks per execution, timing overhead included
  uint32_t pages = 0;              // what a touch row touched (0: not a touch row)
  // A touch row's guest-side series (core::kTouchSeriesNames after "flush",
  // which is `samples`): warm, refill, collateral; raw ticks like `samples`.
  std::map<std::string, std::vector<uint64_t>> counters;
  // The clock counters over the run's timed chunks (core/chunk_counters.h);
  // nullopt: the backend did not report them.
  std::optional<core::ChunkTotals> chunks;
};

struct BackendInfo {
  std::string name;        // "module" | "bochs"
  bool emulated = false;   // true: ticks are instruction counts, never latency
  std::string tick_unit;   // "cycles" | "instructions"
  std::string row_label;   // shown on every ring-0 row, e.g. "emulated (Bochs ...): instruction counts, not latency"
  std::optional<double> tsc_hz;                 // converts cycles to ns where known
  std::map<std::string, std::string> context;   // extra JSON context (kernel, microcode, model...)
};

struct BatchResult {
  bool ok = false;
  std::string error;  // one line naming the cause and the fix when !ok
  int exit_code = 0;  // distinct per cause (see bench/exit_codes.h)
  std::vector<OpRun> runs;  // one per request, in order
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendInfo info() const = 0;
  // Runs the requests, each after the previous one, and returns one OpRun per request.
  virtual BatchResult run(const std::vector<OpRequest>& requests) = 0;
};

}  // namespace vmxb::bench
