// SDM consistency checks on the capability MSR values, as a table of named
// checks, plus observations. Hardware is the judge (issue 17): a rule that a
// real, correctly working processor breaks is at most a warning, so a failed
// error check means capabilities no processor reports, usually a nested
// hypervisor (or an emulator). Each entry says where it has been seen to hold.
#pragma once

#include <string>
#include <vector>

#include "diag/presence.h"
#include "diag/snapshot.h"

namespace vmxb::diag {

enum class Severity {
  kError,        // an SDM "must" real processors honour; a failure makes diag exit kInconsistent
  kWarning,      // unusual, or a rule some real processor breaks (a known hardware deviation)
  kObservation,  // no rule: a fact worth showing (real vs virtual CPU); never fails, never moves the exit
};
const char* severity_name(Severity s);

// kObserved: an observation's fact was seen (only observations have it).
enum class Outcome { kPass, kFail, kSkip, kObserved };
const char* outcome_name(Outcome o);

// What the rule rests on.
enum class Basis {
  kSdmMust,     // the SDM states it of every processor ("always", "is read as", "VM entry fails")
  kSdmDerived,  // follows from SDM musts (e.g. no VM entry could succeed otherwise)
  kKvmMust,     // not in the SDM: Linux KVM refuses to load otherwise (vmx_check_processor_compat); never an exit-moving error
  kConvention,  // reserved bits and combinations the SDM does not forbid outright
  kNone,        // observations
};
const char* basis_name(Basis b);

// Where the rule has been seen to hold.
enum class Evidence {
  kHardware,   // real processors: the cited public logs and diag/testdata/hw_*.json
  kBochsOnly,  // only the Bochs dumps (diag/testdata/<model>.json)
};
const char* evidence_name(Evidence e);

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
  std::string description;  // the rule, as a sentence (bit numbers from the handles)
  Basis basis;
  Evidence evidence;
  const char* seen;  // the dumps and logs it has been seen to hold on (or where it fires on real CPUs)
  // Exactly one of the two is set: per CPU, or across the whole snapshot.
  CheckOutcome (*per_cpu)(const CheckInput&);
  CheckOutcome (*per_snapshot)(const Snapshot&);
};

const std::vector<Check>& all_checks();

// The one rule for the exit status (issue 17): a failed check moves it only if
// the check is an error resting on an SDM must (or derived from musts) and
// has been seen to hold on real hardware. KVM's load requirement does not
// move it: the KVM verdict reports that.
bool moves_exit_status(const Check& c);
const Check* find_check(const std::string& id);

struct CheckResult {
  const Check* check = nullptr;
  Outcome outcome = Outcome::kSkip;
  std::string detail;
  std::vector<int> failing_cpus;  // CPUs where it failed (or, for an observation, was observed)
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
