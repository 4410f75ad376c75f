// Exit statuses of //reports, one per cause so CI and scripts can tell them apart.
#pragma once

namespace vmxb::reports {

enum ExitCode : int {
  kExitOk = 0,
  kExitRegression = 1,    // compare: a significant regression beyond --threshold
  kExitUsage = 2,         // bad command line
  kExitUnreadable = 3,    // an input file cannot be read
  kExitMalformed = 4,     // an input file is not JSON
  kExitInvalid = 5,       // JSON, but not a valid report (schema or consistency)
  kExitIncompatible = 6,  // compare: emulated vs hardware, or different CPU models (no --force)
  kExitDatabase = 7,      // the history database failed (nothing was half-written)
  kExitOutput = 8,        // an output file cannot be written
  kExitLostBenchmark = 9,   // compare: a benchmark OLD measured vanished or turned unsupported/failing in NEW (no --allow-missing)
  kExitLostCapability = 10, // compare: a VMX capability OLD had is gone in NEW (named in the output)
};

}  // namespace vmxb::reports
