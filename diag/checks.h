// SDM consistency checks on the capability MSR values, as a table of named
// checks. Real processors pass all of them; a failure usually means a nested
// hypervisor (or an emulator) reports capabilities no processor could have.
#pragma once

#include <string>
#include <vector>

#include "diag/presence.h"
#include "diag/snapshot.h"

namespace vmxb::diag {

enum class Severity {
  kError,    // violates a rule the SDM states; diag exits with kInconsistent
  kWarning,  // unusual (reserved bit set, a combination no hypervisor can use)
};
const char* severity_name(Severity s);

enum class Outcome { kPass, kFail, kSkip };
const char* outcome_name(Outcome o);

struct CheckOutcome {
  Outcome outcome = Outcome::kPass;
  std::string detail;  // what failed, or why the check was skipped
};

struct CheckInput {
  const Snapshot& snapshot;
  const CpuState& cpu;
  std::optional<u64> value(u32 index) const { return cpu.value(index); }
};

struct Check {
  const char* id;
  Severity severity;
  const char* sdm;          // where the rule is written
  const char* description;  // the rule, as a sentence
  // Exactly one of the two is set: per CPU, or across the whole snapshot.
  CheckOutcome (*per_cpu)(const CheckInput&);
  CheckOutcome (*per_snapshot)(const Snapshot&);
};

const std::vector<Check>& all_checks();
const Check* find_check(const std::string& id);

struct CheckResult {
  const Check* check = nullptr;
  Outcome outcome = Outcome::kSkip;
  std::string detail;
  std::vector<int> failing_cpus;
};

// One capability that differs between the first CPU and another one.
struct CpuDifference {
  std::string what;  // MSR name, or "vmx flags" / "microcode"
  int cpu;           // the other CPU
  std::string first_value, value;
};
std::vector<CpuDifference> cpu_differences(const Snapshot& s);

// Every check on every CPU of the snapshot; one result per check.
std::vector<CheckResult> run_checks(const Snapshot& s);

}  // namespace vmxb::diag
