// The emulated backend: the boot image under Bochs. Ticks are instruction
// counts (Bochs advances the TSC by one per instruction), never latency.
#pragma once

#include <memory>
#include <string>

#include "bench/backend.h"

namespace vmxb::bench {

struct BochsBackendOptions {
  std::string cpu_model = "corei7_skylake_x";
  unsigned timeout_seconds = 120;
};

// nullptr with *error and *exit_code set when Bochs or the image is missing,
// or the CPU model is unknown to this Bochs.
std::unique_ptr<Backend> make_bochs_backend(const BochsBackendOptions& options, std::string* error, int* exit_code);

}  // namespace vmxb::bench
