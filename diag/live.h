// The live host: libcpuid identification, capability MSRs of every online CPU
// through the msr driver, /proc/cpuinfo when the MSRs cannot be read.
#pragma once

#include <optional>
#include <string>

#include "diag/msr_source.h"
#include "diag/snapshot.h"

namespace vmxb::diag {

struct LiveOptions {
  std::string cpuinfo_path = "/proc/cpuinfo";
  std::string online_path = "/sys/devices/system/cpu/online";
  MsrReader* reader = nullptr;  // nullptr: libcpuid's MSR driver
  // Tests only: use this identity instead of identifying the host's CPU.
  std::optional<Identity> identity;
};

Snapshot collect_live(const LiveOptions& options = {});

}  // namespace vmxb::diag
