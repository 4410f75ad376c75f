// Backends that boot the vmxbench image: Bochs (emulated everywhere: ticks
// are instruction counts, never latency) and QEMU (with KVM on a VT-x host:
// real TSC cycles of a nested hypervisor; with TCG: emulated ticks).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench/backend.h"
#include "harness/host/image_file.h"

namespace vmxb::bench {

struct BochsBackendOptions {
  std::string cpu_model = "corei7_skylake_x";
  unsigned timeout_seconds = 120;
};

// nullptr with *error and *exit_code set when Bochs or the image is missing,
// or the CPU model is unknown to this Bochs.
std::unique_ptr<Backend> make_bochs_backend(const BochsBackendOptions& options, std::string* error, int* exit_code);

struct QemuBackendOptions {
  bool kvm = true;  // false: TCG
  unsigned timeout_seconds = 120;
};

std::unique_ptr<Backend> make_qemu_backend(const QemuBackendOptions& options, std::string* error, int* exit_code);

// How long a boot may take for this plan: `base_seconds` (--vmxbench_timeout)
// plus the time its samples need to cross the emulated serial port.
std::chrono::seconds image_plan_timeout(const std::vector<harness::PlanOp>& ops, unsigned base_seconds);

}  // namespace vmxb::bench
