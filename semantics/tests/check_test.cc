// The semantics checker on the host: this file is the platform (platform.h),
// recording lines instead of printing them, so the verdict rules can be shown
// to fail. No VMX instruction runs here; cases return observations directly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "semantics/check.h"

namespace vmxb::semantics {
namespace {

std::vector<std::string> g_lines;
std::string g_line;
int g_fixup_vector = kNoFault;
int g_escaping_vector = kNoFault;  // what try_call reports instead of running fn

}  // namespace

namespace platform {
void line_text(const char* text) { g_line += text; }
void line_dec(u64 value) { g_line += std::to_string(value); }
void line_hex16(u64 value) {
  char buf[17];
  snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(value));
  g_line += buf;
}
void line_end() {
  g_lines.push_back(g_line);
  g_line.clear();
}
int try_call(void (*fn)(void*), void* arg) {
  if (g_escaping_vector != kNoFault) return g_escaping_vector;
  fn(arg);
  return kNoFault;
}
int take_fixup_vector() {
  const int v = g_fixup_vector;
  g_fixup_vector = kNoFault;
  return v;
}
void set_cr4_vmxe() {}
void restore_cr4() {}
}  // namespace platform

namespace {

using enum VmInstructionError;

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_lines.clear();
    g_line.clear();
    g_fixup_vector = kNoFault;
    g_escaping_vector = kNoFault;
  }
  Suite suite_;
};

// Every strategy observes `o`.
auto always(Observation o) {
  return [o]<CaptureStrategy>() { return o; };
}

constexpr Deviation kEmulatorSucceeds{succeeds(), "Vol. 3C 31.3 X: #UD"};

TEST_F(CheckTest, MatchingObservationPasses) {
  suite_.check("a", fail_valid(kInvalidInveptInvvpidOperand), always(fail_valid(kInvalidInveptInvvpidOperand)));
  EXPECT_EQ(g_lines, std::vector<std::string>{"PASS: a"});
}

TEST_F(CheckTest, WrongErrorNumberFails) {
  suite_.check("a", fail_valid(kInvalidInveptInvvpidOperand), always(fail_valid(kUnsupportedVmcsComponent)));
  EXPECT_EQ(g_lines, std::vector<std::string>{"FAIL: a: expected VMfailValid(28), got VMfailValid(12)"});
}

TEST_F(CheckTest, VmfailInvalidIsNotVmfailValid) {
  suite_.check("a", fail_invalid(), always(fail_valid(kVmxonInVmxRoot)));
  EXPECT_EQ(g_lines, std::vector<std::string>{"FAIL: a: expected VMfailInvalid, got VMfailValid(15)"});
}

TEST_F(CheckTest, ValueIsComparedOnlyWhenAsked) {
  suite_.check("same", succeeds_with(0x1000), always(succeeds_with(0x1000)));
  suite_.check("other", succeeds_with(0x1000), always(succeeds_with(0x2000)));
  EXPECT_EQ(g_lines, (std::vector<std::string>{"PASS: same",
                                               "FAIL: other: expected VMsucceed value=0000000000001000, got "
                                               "VMsucceed value=0000000000002000"}));
}

TEST_F(CheckTest, StrategiesThatDisagreeFailEvenWhenOneMatches) {
  suite_.check("a", succeeds(), []<CaptureStrategy S>() {
    return S == CaptureStrategy::kAsmGoto ? fail_invalid() : succeeds();
  });
  EXPECT_EQ(g_lines, std::vector<std::string>{"FAIL: a: capture strategies disagree VMsucceed, got VMfailInvalid"});
}

TEST_F(CheckTest, RecordedDeviationIsKnownNeverPass) {
  suite_.check("a", ud(), always(succeeds()), &kEmulatorSucceeds);
  EXPECT_EQ(g_lines, std::vector<std::string>{"KNOWN: a: emulator gives VMsucceed; SDM: Vol. 3C 31.3 X: #UD"});
}

// Negative control: a deviation is accepted only when the emulator does
// exactly what it records.
TEST_F(CheckTest, OtherDeviationThanRecordedFails) {
  suite_.check("a", ud(), always(fail_invalid()), &kEmulatorSucceeds);
  EXPECT_EQ(g_lines, std::vector<std::string>{"FAIL: a: expected #UD, got VMfailInvalid"});
}

// An outcome the SDM leaves open is reported, never passed or failed ...
TEST_F(CheckTest, EitherAllowedOutcomeIsObserved) {
  suite_.observe_either("a", succeeds(), fail_valid(kInvalidInveptInvvpidOperand), always(succeeds()), "rule");
  suite_.observe_either("b", succeeds(), fail_valid(kInvalidInveptInvvpidOperand),
                        always(fail_valid(kInvalidInveptInvvpidOperand)), "rule");
  EXPECT_TRUE(suite_.summary());
  EXPECT_EQ(g_lines, (std::vector<std::string>{"OBSERVED: a: VMsucceed; SDM: rule",
                                               "OBSERVED: b: VMfailValid(28); SDM: rule",
                                               "SUMMARY: 2 tests, 0 failures, 0 skipped, 0 known"}));
}

// ... but a third outcome, or strategies that disagree, still fail.
TEST_F(CheckTest, OutcomeOutsideTheAllowedPairFails) {
  suite_.observe_either("a", succeeds(), fail_valid(kInvalidInveptInvvpidOperand),
                        always(fail_valid(kUnsupportedVmcsComponent)), "rule");
  suite_.observe_either("b", succeeds(), fail_valid(kInvalidInveptInvvpidOperand), []<CaptureStrategy S>() {
    return S == CaptureStrategy::kSeparatePushf ? fail_invalid() : succeeds();
  }, "rule");
  EXPECT_FALSE(suite_.summary());
  EXPECT_EQ(g_lines, (std::vector<std::string>{
                         "FAIL: a: expected VMsucceed or VMfailValid(28), got VMfailValid(12)",
                         "FAIL: b: capture strategies disagree VMfailInvalid, got VMsucceed",
                         "SUMMARY: 2 tests, 2 failures, 0 skipped, 0 known"}));
}

TEST_F(CheckTest, ExceptionsAreNamedOrNumbered) {
  suite_.check("gp", ud(), always(Observation{exception_vector::kGeneralProtection}));
  suite_.check("pf", ud(), always(Observation{exception_vector::kPageFault}));
  suite_.check("ss", ud(), always(Observation{exception_vector::kStackFault}));
  suite_.check("ac", ud(), always(Observation{17}));  // #AC: no VMX instruction raises it, so unnamed
  suite_.check("escaped", ud(), always(Observation{kEscapedFixup + exception_vector::kInvalidOpcode}));
  EXPECT_EQ(g_lines, (std::vector<std::string>{"FAIL: gp: expected #UD, got #GP", "FAIL: pf: expected #UD, got #PF",
                                               "FAIL: ss: expected #UD, got #SS",
                                               "FAIL: ac: expected #UD, got exception 17",
                                               "FAIL: escaped: expected #UD, got exception 6 that escaped the "
                                               "wrapper's fixup"}));
}

TEST_F(CheckTest, FaultThroughTheWrappersFixupIsItsVector) {
  g_fixup_vector = exception_vector::kInvalidOpcode;
  const Observation o = observe<CaptureStrategy::kFlagOutputs>([] { return VmResult::fault(); });
  EXPECT_TRUE(o == ud());
  EXPECT_EQ(g_fixup_vector, kNoFault) << "reading the fixup vector resets it";
}

// A fault the wrapper's own fixup did not handle must not look like the #UD
// the case expects.
TEST_F(CheckTest, FaultThatEscapedTheFixupMatchesNothing) {
  g_escaping_vector = exception_vector::kInvalidOpcode;
  const Observation o = observe<CaptureStrategy::kFlagOutputs>([] { return VmResult::succeed(); });
  EXPECT_EQ(o.fault, kEscapedFixup + exception_vector::kInvalidOpcode);
  EXPECT_FALSE(o == ud());
}

TEST_F(CheckTest, SummaryCountsEveryVerdict) {
  suite_.pass("p");
  suite_.skip("s", "why");
  suite_.known_not_run("k", "stops the emulator", "rule");
  EXPECT_TRUE(suite_.summary());
  suite_.fail_text("f", "detail");
  EXPECT_FALSE(suite_.summary());
  EXPECT_EQ(g_lines, (std::vector<std::string>{"PASS: p", "SKIP: s: why",
                                               "KNOWN: k: not executed: stops the emulator; SDM: rule",
                                               "SUMMARY: 3 tests, 0 failures, 1 skipped, 1 known", "FAIL: f: detail",
                                               "SUMMARY: 4 tests, 1 failures, 1 skipped, 1 known"}));
}

}  // namespace
}  // namespace vmxb::semantics
