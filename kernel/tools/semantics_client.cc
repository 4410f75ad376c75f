#include "semantics_client.h"

#include <errno.h>
#include <sys/ioctl.h>

#include <cstdio>
#include <sstream>
#include <vector>

#include "vmxbench_abi.h"

namespace vmxb::semantics_client {

namespace {
// Enough for the suite's ~130 lines; the module says when it is not.
constexpr uint32_t kFirstCapacity = 64 * 1024;
}  // namespace

Outcome run(int fd, uint32_t cpu, bool emulator_bochs) {
  Outcome o;
  uint32_t capacity = kFirstCapacity;
  for (;;) {
    std::vector<char> buffer(capacity);
    vmxb_semantics s{};
    s.size = sizeof(s);
    s.version = VMXB_SEMANTICS_VERSION;
    s.cpu = cpu;
    s.flags = emulator_bochs ? VMXB_SEMANTICS_EMULATOR_BOCHS : 0;
    s.output_ptr = reinterpret_cast<uintptr_t>(buffer.data());
    s.output_capacity = capacity;
    if (ioctl(fd, VMXB_IOC_SEMANTICS, &s) != 0) {
      o.err = errno;
      return o;
    }
    o.lines.assign(buffer.data(), s.output_written);
    o.passed = (s.result_flags & VMXB_SEMANTICS_PASSED) != 0;
    o.truncated = (s.result_flags & VMXB_SEMANTICS_TRUNCATED) != 0;
    o.needed = s.output_needed;
    o.vmx_entered = s.vmx_entered != 0;
    o.cr4_before = s.cr4_before;
    o.cr4_after = s.cr4_after;
    // The suite runs again with room for all of it: its lines do not depend
    // on the buffer.
    if (!o.truncated || capacity >= VMXB_SEMANTICS_MAX_OUTPUT || o.needed <= capacity) return o;
    capacity = o.needed < VMXB_SEMANTICS_MAX_OUTPUT ? o.needed : VMXB_SEMANTICS_MAX_OUTPUT;
  }
}

Summary parse_summary(const std::string& lines) {
  Summary s;
  std::istringstream in(lines);
  std::string line;
  while (std::getline(in, line)) {
    if (std::sscanf(line.c_str(), "SUMMARY: %u tests, %u failures, %u skipped, %u known", &s.tests, &s.failures,
                    &s.skipped, &s.known) == 4)
      s.found = true;
  }
  return s;
}

}  // namespace vmxb::semantics_client
