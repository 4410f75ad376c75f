// The diagnosis of one Snapshot (decoding, checks, verdicts, exit status) and
// its two renderings: JSON (diag/SCHEMA.md) and a text report.
//
// This is the in-process API of //diag:diag_lib (reports/ uses it):
//   Snapshot s = collect_live();            // or read_snapshot_file(), parse_bochs_probe()
//   Diagnosis r = diagnose(std::move(s));
//   nlohmann::json j = diagnosis_json(r);
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diag/checks.h"
#include "diag/decode.h"
#include "diag/snapshot.h"
#include "diag/verdicts.h"

namespace vmxb::diag {

// Exit status of `diag` (documented in diag/README.md and SCHEMA.md).
enum class ExitCode : int {
  kVmxUsable = 0,     // VMX present, enabled and locked in IA32_FEATURE_CONTROL, capabilities consistent
  kInternal = 1,      // unexpected failure (a bug)
  kUsage = 2,         // bad command line
  kNoVmx = 3,         // not Intel, or CPUID.1:ECX.VMX = 0
  kDisabled = 4,      // VMX disabled by firmware (IA32_FEATURE_CONTROL)
  kNoMsrAccess = 5,   // the capability MSRs could not be read (/proc/cpuinfo fallback at best)
  kBadInput = 6,      // --from FILE: unreadable, not JSON, wrong schema version, missing/out-of-range field
  kInconsistent = 7,  // the capability MSRs break SDM rules (a check with moves_exit_status() failed)
  kSourceFailed = 8,  // --bochs run failed, or --dump FILE could not be written
  // The capability MSRs were read (and checked) but IA32_FEATURE_CONTROL was
  // not (e.g. RDMSR 0x3a raised #GP under a hypervisor): whether firmware
  // enabled VMX is unknown, which is neither "disabled" (4) nor "no MSR access" (5).
  kEnableUnknown = 9,
  // --diff OLD NEW: a capability OLD had is gone in NEW (diag/capability_diff.h).
  kCapabilityLost = 10,
};

struct ExitInfo {
  ExitCode code;
  const char* id;
  const char* meaning;
};

const ExitInfo& exit_info(ExitCode code);
const std::vector<ExitInfo>& all_exit_codes();

struct Diagnosis {
  Snapshot snapshot;
  Decoded decoded;
  std::vector<CheckResult> checks;
  Verdicts verdicts;
  ExitCode exit = ExitCode::kInternal;
};

Diagnosis diagnose(Snapshot s);

nlohmann::json diagnosis_json(const Diagnosis& r);
std::string diagnosis_text(const Diagnosis& r);

}  // namespace vmxb::diag
