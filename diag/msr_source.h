// Capability MSRs of the live host through libcpuid's MSR driver
// (cpu_msr_driver_open_core + cpu_rdmsr, i.e. /dev/cpu/N/msr from the msr module).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "diag/snapshot.h"

namespace vmxb::diag {

// One CPU at a time. An interface so tests can stand in for the driver.
class MsrReader {
 public:
  virtual ~MsrReader() = default;
  virtual bool open(int cpu, std::string& error) = 0;
  // kOk with the value, kFault when RDMSR raised #GP, kError otherwise.
  virtual MsrRead read(u32 index) = 0;
  virtual void close() = 0;
};

std::unique_ptr<MsrReader> make_libcpuid_msr_reader();

// Reads, on the CPU `reader` has open, IA32_FEATURE_CONTROL and every VMX
// capability MSR whose existence the capabilities read before it imply
// (diag/presence.h); nothing else is read.
std::vector<MsrRead> read_capability_msrs(const Identity& id, MsrReader& reader);

// "0-3,5" (the format of /sys/devices/system/cpu/online). Empty on a parse error.
std::vector<int> parse_cpu_list(std::string_view text);

}  // namespace vmxb::diag
