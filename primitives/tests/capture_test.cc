// Every capture strategy maps every CF/ZF combination to the right VmResult.
//
// VMX instructions raise #UD here (no VMX root operation), so the instruction
// text handed to VMXB_CAPTURE is a flag-setting `cmp`/`stc` instead; the
// capture code is exactly the one the wrappers in instructions.h use.
#include <gtest/gtest.h>

#include <string>

#include "primitives/capture.h"
#include "primitives/vm_result.h"

namespace vmxb {
namespace {

struct FlagCase {
  const char* name;
  u64 a, b;       // cmp a, b computes b - a
  bool then_stc;  // force CF=1 after the cmp
  bool cf, zf;    // resulting flags
  VmResult expected;
};

// SDM 31.2: CF=1 is VMfailInvalid, ZF=1 is VMfailValid, neither is VMsucceed.
// CF=1 with ZF=1 never comes from a VMX instruction: it is the marker the
// ring-0 fault path leaves (capture.h), read as a fault by every strategy that
// reads the flag pair. The asm goto strategies branch on CF first and take
// their fault path through a label instead, so for the pair they report
// VMfailInvalid.
const FlagCase kCases[] = {
    {"cf0_zf0", 1, 2, false, false, false, VmResult::succeed()},
    {"cf0_zf1", 7, 7, false, false, true, VmResult::failed(VmFail::kValid)},
    {"cf1_zf0", 2, 1, false, true, false, VmResult::failed(VmFail::kInvalid)},
    {"cf1_zf1", 7, 7, true, true, true, VmResult::fault()},
};

template <CaptureStrategy S>
constexpr VmResult expected_for(const FlagCase& c) {
  if (capture_strategy_info(S).fault_at_label && c.cf && c.zf) return VmResult::failed(VmFail::kInvalid);
  return c.expected;
}

template <CaptureStrategy S>
__attribute__((noinline)) VmResult capture_cmp(u64 a, u64 b, bool then_stc) {
  if (then_stc)
    return VMXB_CAPTURE(S, "cmp %[a], %[b]\n\tstc", (), ([a] "r"(a), [b] "r"(b)));
  return VMXB_CAPTURE(S, "cmp %[a], %[b]", (), ([a] "r"(a), [b] "r"(b)));
}

// An instruction with an output operand, like VMREAD: the value must come
// through on success and the failure must not be masked by the output.
template <CaptureStrategy S>
__attribute__((noinline)) VmValue<u64> capture_with_output(u64 in, u64 a, u64 b) {
  u64 value = 0;
  const VmResult status = VMXB_CAPTURE(S, "mov %[in], %[value]\n\tcmp %[a], %[b]",
                                       ([value] "=&r"(value)), ([in] "r"(in), [a] "r"(a), [b] "r"(b)));
  return {value, status};
}

// What a caller of vmread does: use the value only on success.
template <CaptureStrategy S>
__attribute__((noinline)) u64 value_or_zero(u64 in, u64 a, u64 b) {
  const auto r = capture_with_output<S>(in, a, b);
  return r.status.ok() ? r.value : 0;
}

// What most callers do: branch on ok() and tell the failures apart only on the
// failure side. The compiler threads the capture into the caller's branch, so
// this is the code shape whose success path opcode_test counts.
enum class Taken { kSuccess, kInvalid, kValid, kFault };
constexpr Taken taken_for(VmResult r) {
  return r.ok() ? Taken::kSuccess : r.failed_invalid() ? Taken::kInvalid : r.failed_valid() ? Taken::kValid : Taken::kFault;
}

template <CaptureStrategy S>
__attribute__((noinline)) Taken branch_on_result(u64 a, u64 b, bool then_stc) {
  const VmResult r = then_stc ? VMXB_CAPTURE(S, "cmp %[a], %[b]\n\tstc", (), ([a] "r"(a), [b] "r"(b)))
                              : VMXB_CAPTURE(S, "cmp %[a], %[b]", (), ([a] "r"(a), [b] "r"(b)));
  if (!r.ok()) {
    if (r.failed_invalid()) return Taken::kInvalid;
    return r.failed_valid() ? Taken::kValid : Taken::kFault;
  }
  return Taken::kSuccess;
}

template <CaptureStrategy S>
void check_all_cases() {
  const char* strategy = capture_strategy_info(S).name;
  for (const FlagCase& c : kCases) {
    SCOPED_TRACE(std::string(strategy) + " " + c.name);
    EXPECT_EQ(capture_cmp<S>(c.a, c.b, c.then_stc), expected_for<S>(c));
    EXPECT_EQ(branch_on_result<S>(c.a, c.b, c.then_stc), taken_for(expected_for<S>(c)));
    if (!c.then_stc) {
      const auto r = capture_with_output<S>(0x1234, c.a, c.b);
      EXPECT_EQ(r.status, c.expected);
      EXPECT_EQ(r.value, 0x1234u);
      EXPECT_EQ(value_or_zero<S>(0x5678, c.a, c.b), c.expected.ok() ? 0x5678u : 0u);
    }
  }
}

TEST(CaptureTest, SeparatePushf) { check_all_cases<CaptureStrategy::kSeparatePushf>(); }
TEST(CaptureTest, PushfInAsm) { check_all_cases<CaptureStrategy::kPushfInAsm>(); }
TEST(CaptureTest, FlagOutputs) { check_all_cases<CaptureStrategy::kFlagOutputs>(); }
TEST(CaptureTest, AsmGoto) { check_all_cases<CaptureStrategy::kAsmGoto>(); }
TEST(CaptureTest, AsmGotoJna) { check_all_cases<CaptureStrategy::kAsmGotoJna>(); }

TEST(VmResultTest, FromFlags) {
  for (const FlagCase& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(VmResult::from_flags(c.cf, c.zf), c.expected);
    const u64 rflags = 0x2 | (c.cf ? 1u : 0u) | (c.zf ? 0x40u : 0u);
    EXPECT_EQ(VmResult::from_rflags(rflags), c.expected);
  }
}

TEST(VmResultTest, NamesAndPredicates) {
  EXPECT_STREQ(VmResult::succeed().name(), "VMsucceed");
  EXPECT_STREQ(VmResult::failed(VmFail::kInvalid).name(), "VMfailInvalid");
  EXPECT_STREQ(VmResult::failed(VmFail::kValid).name(), "VMfailValid");
  EXPECT_TRUE(VmResult::failed(VmFail::kValid).failed_valid());
  EXPECT_FALSE(VmResult::failed(VmFail::kValid).failed_invalid());
  EXPECT_EQ(VmResult::failed(VmFail::kInvalid).fail(), VmFail::kInvalid);
  // Other arithmetic flags (OF, SF, PF, AF) do not change the verdict.
  EXPECT_TRUE(VmResult::from_rflags(0x2 | 0x800 | 0x80 | 0x4 | 0x10).ok());
}

TEST(CaptureStrategyTest, TableDescribesEachStrategy) {
  ASSERT_EQ(array_size(kCaptureStrategies), 5u);
  EXPECT_FALSE(capture_strategy_info(CaptureStrategy::kSeparatePushf).same_asm_statement);
  EXPECT_TRUE(capture_strategy_info(CaptureStrategy::kPushfInAsm).same_asm_statement);
  EXPECT_TRUE(capture_strategy_info(CaptureStrategy::kFlagOutputs).same_asm_statement);
  EXPECT_TRUE(capture_strategy_info(CaptureStrategy::kAsmGoto).same_asm_statement);
  EXPECT_TRUE(capture_strategy_info(CaptureStrategy::kAsmGotoJna).same_asm_statement);
  EXPECT_STREQ(capture_strategy_info(CaptureStrategy::kAsmGoto).name, "asm_goto");
  EXPECT_STREQ(capture_strategy_info(CaptureStrategy::kAsmGotoJna).name, "asm_goto_jna");
  // Only the goto strategies resume a fault at a label.
  for (const CaptureStrategyInfo& info : kCaptureStrategies)
    EXPECT_EQ(info.fault_at_label,
              info.strategy == CaptureStrategy::kAsmGoto || info.strategy == CaptureStrategy::kAsmGotoJna)
        << info.name;
}

// The default is the strategy whose success path is one JNA (opcode_test
// counts it); changing it must be a decision, not an accident.
TEST(CaptureStrategyTest, DefaultIsOneBranchAsmGoto) {
  EXPECT_EQ(kDefaultCapture, CaptureStrategy::kAsmGotoJna);
}

}  // namespace
}  // namespace vmxb
