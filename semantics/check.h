// kvm-unit-tests-style checking for the semantics suite: each case runs once
// per capture strategy, the observations must all agree, and the agreed
// observation is compared with what the SDM says. A recorded emulator
// deviation turns a mismatch into KNOWN (never PASS) when, and only when,
// the emulator does exactly what the deviation says.
#pragma once

#include "primitives/instructions.h"
#include "primitives/vm_instruction_error.h"
#include "semantics/platform.h"

namespace vmxb::semantics {

// An exception that reached try_call instead of the wrapper's own fixup
// (primitives/extable.h) is recorded as kEscapedFixup + vector: it matches no
// expectation, so a wrapper without a working fault path fails its case.
inline constexpr int kEscapedFixup = 0x100;

// The error number recorded when VMREAD of the VM-instruction error field
// itself failed after a VMfailValid: no SDM error has this number (31.4).
inline constexpr u32 kErrorUnreadable = 0xFFFFFFFFu;

// What one execution did.
struct Observation {
  int fault = kNoFault;  // exception vector (via the wrapper's fixup), or kNoFault
  VmResult result = VmResult::succeed();
  u32 error = 0;   // VM-instruction error after VMfailValid
  u64 value = 0;   // VMPTRST/VMREAD output on success
  bool check_value = false;

  constexpr bool operator==(const Observation& o) const {
    return fault == o.fault && (fault != kNoFault ||
                                (result == o.result && error == o.error && (!check_value || value == o.value)));
  }
};

constexpr Observation ud() { return {exception_vector::kInvalidOpcode, VmResult::succeed(), 0, 0, false}; }
constexpr Observation succeeds() { return {}; }
constexpr Observation succeeds_with(u64 value) { return {kNoFault, VmResult::succeed(), 0, value, true}; }
constexpr Observation fail_invalid() { return {kNoFault, VmResult::failed(VmFail::kInvalid), 0, 0, false}; }
constexpr Observation fail_valid(VmInstructionError error) {
  return {kNoFault, VmResult::failed(VmFail::kValid), static_cast<u32>(error), 0, false};
}

// Runs `op` (returning VmResult, or VmValue<...>) under strategy S, catching
// exceptions, and reads the error number after VMfailValid.
template <CaptureStrategy S, typename F>
Observation observe(F op) {
  Observation o;
  const int escaped = try_call([&] {
    auto r = op();
    if constexpr (requires { r.status; }) {
      o.result = r.status;
      if constexpr (requires { r.value.value; }) o.value = r.value.value;  // PhysAddr
      else o.value = static_cast<u64>(r.value);
    } else {
      o.result = r;
    }
  });
  if (escaped != kNoFault) {
    o.fault = kEscapedFixup + escaped;
    return o;
  }
  if (o.result.faulted()) {
    o.fault = platform::take_fixup_vector();
    return o;
  }
  if (o.result.failed_valid()) {
    const auto e = vm_instruction_error<S>();
    o.error = e.status.ok() ? e.value : kErrorUnreadable;
  }
  return o;
}

// An emulator that departs from the SDM here, and what it does instead.
struct Deviation {
  Observation observed;
  const char* sdm_rule;  // the rule the emulator breaks, with its SDM section
};

class Suite {
 public:
  // Runs one case under every capture strategy. `run` is a template lambda:
  // []<CaptureStrategy S>() -> Observation.
  template <typename Run>
  void check(const char* name, const Observation& expected, Run run, const Deviation* deviation = nullptr) {
    Observation got;
    if (!agreed(name, run, &got)) return;
    if (got == expected) return pass(name);
    if (deviation != nullptr && got == deviation->observed) return known(name, got, deviation->sdm_rule);
    fail(name, "expected", expected, got);
  }

  // Where the SDM allows either of two outcomes: runs like check(), reports
  // which one happened on an OBSERVED line (neither a pass nor a failure) and
  // anything else as FAIL. `why` cites the rule that leaves it open.
  template <typename Run>
  void observe_either(const char* name, const Observation& a, const Observation& b, Run run, const char* why) {
    Observation got;
    if (!agreed(name, run, &got)) return;
    if (got == a || got == b) return observed(name, got, why);
    fail_either(name, a, b, got);
  }

  void skip(const char* name, const char* reason);
  void pass(const char* name);
  void fail(const char* name, const char* what, const Observation& expected, const Observation& got);
  void fail_text(const char* name, const char* detail);
  void known(const char* name, const Observation& got, const char* rule);
  // A deviation so severe the case cannot be executed under that emulator.
  void known_not_run(const char* name, const char* behaviour, const char* rule);
  void observed(const char* name, const Observation& got, const char* why);
  void fail_either(const char* name, const Observation& a, const Observation& b, const Observation& got);
  bool summary();  // prints SUMMARY:, true when nothing failed

 private:
  // Runs `run` under every strategy; false (and a FAIL line) unless they
  // agree, otherwise *got is their one observation.
  template <typename Run>
  bool agreed(const char* name, Run run, Observation* got) {
    const Observation o[] = {run.template operator()<CaptureStrategy::kSeparatePushf>(),
                             run.template operator()<CaptureStrategy::kPushfInAsm>(),
                             run.template operator()<CaptureStrategy::kFlagOutputs>(),
                             run.template operator()<CaptureStrategy::kAsmGoto>(),
                             run.template operator()<CaptureStrategy::kAsmGotoJna>()};
    static_assert(array_size(o) == array_size(kCaptureStrategies), "one observation per capture strategy");
    for (usize i = 1; i < array_size(o); ++i) {
      if (!(o[i] == o[0])) {
        fail(name, "capture strategies disagree", o[0], o[i]);
        return false;
      }
    }
    *got = o[0];
    return true;
  }

  u32 tests_ = 0, failures_ = 0, skipped_ = 0, known_ = 0;
};

}  // namespace vmxb::semantics
