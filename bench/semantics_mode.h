// `bench --semantics`: the semantics suite (semantics/) instead of the
// benchmarks, through the chosen backend: the kernel module's SEMANTICS
// request on a VT-x host, or the boot image's semantics mode under Bochs.
// Prints the suite's PASS:/FAIL:/SKIP:/KNOWN:/OBSERVED:/SUMMARY: lines as the
// image does (harness/PROTOCOL.md) on stdout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/backend_choice.h"

namespace vmxb::bench {

struct SemanticsOptions {
  BackendKind backend = BackendKind::kBochs;
  uint32_t cpu = 0;                              // module: the CPU the suite runs on
  std::string bochs_model = "corei7_skylake_x";  // bochs
  unsigned timeout_seconds = 120;                // bochs
  // module: VMXB_SEMANTICS_EMULATOR_BOCHS, for a kernel that itself runs
  // under Bochs (the e2e test): what stops Bochs 2.7 is not executed.
  bool module_under_bochs = false;
};

// The suite's lines among an image's output lines (PASS:, FAIL:, ..., SUMMARY:).
std::vector<std::string> suite_lines(const std::vector<std::string>& lines);

// Runs the suite and prints its lines; the exit status: kExitOk when the
// SUMMARY line says 0 failures, kExitSemanticsFailed when a case failed, or
// the backend's own failure (bench/exit_codes.h), with one line on stderr.
int run_semantics(const SemanticsOptions& options);

}  // namespace vmxb::bench
