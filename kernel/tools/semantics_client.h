// The SEMANTICS request (kernel/include/vmxbench_abi.h) from user space, for
// vmxbctl and //bench: one call that grows the output buffer until every line
// the module wrote fits.
#pragma once

#include <cstdint>
#include <string>

namespace vmxb::semantics_client {

struct Outcome {
  int err = 0;             // errno of the ioctl, 0 when it returned
  std::string lines;       // the suite's lines, each ending in '\n'
  bool passed = false;     // VMXB_SEMANTICS_PASSED: no case failed
  bool truncated = false;  // still VMXB_SEMANTICS_TRUNCATED at the largest buffer
  uint32_t needed = 0;     // bytes every line needed
  bool vmx_entered = false;
  uint64_t cr4_before = 0, cr4_after = 0;
};

// Runs the suite on `cpu` through the open device `fd`. `emulator_bochs`:
// VMXB_SEMANTICS_EMULATOR_BOCHS (skip what stops Bochs 2.7).
Outcome run(int fd, uint32_t cpu, bool emulator_bochs);

// Counts of the SUMMARY: line ("SUMMARY: N tests, N failures, N skipped, N known").
struct Summary {
  bool found = false;
  unsigned tests = 0, failures = 0, skipped = 0, known = 0;
};
Summary parse_summary(const std::string& lines);

}  // namespace vmxb::semantics_client
