#include "diag/diagnosis.h"

namespace vmxb::diag {
namespace {

const std::vector<ExitInfo> kExitCodes = {
    {ExitCode::kVmxUsable, "vmx_usable",
     "VMX present, enabled and locked in IA32_FEATURE_CONTROL, capabilities consistent"},
    {ExitCode::kInternal, "internal_error", "unexpected failure"},
    {ExitCode::kUsage, "usage", "bad command line"},
    {ExitCode::kNoVmx, "no_vmx", "no VMX: not an Intel processor with VMX (CPUID.1:ECX.VMX = 0)"},
    {ExitCode::kDisabled, "vmx_disabled", "VMX disabled by firmware (IA32_FEATURE_CONTROL)"},
    {ExitCode::kNoMsrAccess, "no_msr_access", "the capability MSRs could not be read"},
    {ExitCode::kBadInput, "bad_input", "the --from file is not a valid diag dump"},
    {ExitCode::kInconsistent, "inconsistent", "the capability MSRs break SDM consistency rules"},
    {ExitCode::kSourceFailed, "source_failed", "the Bochs run failed or the dump could not be written"},
    {ExitCode::kEnableUnknown, "vmx_enable_unknown",
     "the capability MSRs were read, but IA32_FEATURE_CONTROL could not be: whether firmware enabled VMX is unknown"},
    {ExitCode::kCapabilityLost, "capability_lost", "--diff: a VMX capability of OLD is gone in NEW"},
};

ExitCode exit_for(const Snapshot& s, const Verdicts& v, const std::vector<CheckResult>& checks) {
  if (!s.identity.vmx) return ExitCode::kNoVmx;
  const Verdict* usable = v.find("vmx_usable");
  if (usable != nullptr && usable->value == false) return ExitCode::kDisabled;
  if (!s.msrs_available || s.source == SourceKind::kCpuinfo || usable == nullptr) return ExitCode::kNoMsrAccess;
  // Only checks that real hardware has been seen to honour judge (issue 17);
  // warnings and observations never move the exit status.
  for (const auto& c : checks)
    if (c.outcome == Outcome::kFail && moves_exit_status(*c.check)) return ExitCode::kInconsistent;
  // The capability MSRs were read; only IA32_FEATURE_CONTROL was not.
  if (!usable->value) return ExitCode::kEnableUnknown;
  return ExitCode::kVmxUsable;
}

}  // namespace

const std::vector<ExitInfo>& all_exit_codes() { return kExitCodes; }

const ExitInfo& exit_info(ExitCode code) {
  for (const auto& e : kExitCodes)
    if (e.code == code) return e;
  return kExitCodes[1];
}

Diagnosis diagnose(Snapshot s) {
  Diagnosis r;
  r.snapshot = std::move(s);
  r.decoded = decode(r.snapshot);
  r.checks = run_checks(r.snapshot);
  r.verdicts = judge(r.snapshot, r.decoded, r.checks);
  r.exit = exit_for(r.snapshot, r.verdicts, r.checks);
  return r;
}

}  // namespace vmxb::diag
