// Capturing a VMX instruction's status (CF/ZF) — five named strategies.
//
// The status of a VMX instruction lives in RFLAGS only until the next
// flag-writing instruction. Four strategies read it inside the same asm
// statement as the VMX instruction, so no compiler-generated code can run in
// between. The fifth, kSeparatePushf, is the pattern of the Rust hypervisor
// x86_vcpu (`vmx_capture_status`): a second asm block reads RFLAGS afterwards.
// Compilers do not promise to keep RFLAGS between two asm statements, so it is
// kept only so the overhead benchmark can compare it; never use it for real.
//
// The default is kAsmGotoJna, the cheapest correct one: with a caller that
// branches on the result, the success path is the VMX instruction and one
// JNA (CF=1 or ZF=1, SDM Vol. 3C 31.2), the one branch Linux KVM's vmx_ops.h
// uses; only the failure path, out of line, tells VMfailInvalid (CF) from
// VMfailValid (ZF), which KVM does not. kFlagOutputs makes the compiler
// materialize the flags (GCC 12: jae, sete, test, je before the caller's
// work), kAsmGoto branches twice (jc, jz).
// //primitives/tests:opcode_test counts these instructions.
//
// VMXB_CAPTURE is the one code path every wrapper in instructions.h goes
// through. Its first text argument is the instruction, so the tests put a
// flag-setting `stc`/`cmp` in place of the VMX mnemonic and exercise exactly
// the code production uses.
#pragma once

#include "primitives/extable.h"
#include "primitives/types.h"
#include "primitives/vm_result.h"

namespace vmxb {

enum class CaptureStrategy : u8 {
  kSeparatePushf,  // x86_vcpu pattern: pushfq in a separate asm statement (unsafe)
  kPushfInAsm,     // pushfq; popq inside the same asm statement
  kFlagOutputs,    // GCC/Clang flag output operands "=@ccc" / "=@ccz"
  kAsmGoto,        // asm goto: jc/jz to failure labels
  kAsmGotoJna,     // asm goto: one jna to an out-of-line jc/jmp (Linux KVM style)
};

inline constexpr CaptureStrategy kDefaultCapture = CaptureStrategy::kAsmGotoJna;

struct CaptureStrategyInfo {
  CaptureStrategy strategy;
  const char* name;
  bool same_asm_statement;  // false: the compiler may clobber RFLAGS before the capture
  // true: a ring-0 fault resumes at a goto label (VmResult::fault() directly);
  // false: at a stub leaving CF=1 and ZF=1, which the flag reading maps to a fault.
  bool fault_at_label;
  const char* how;
};

inline constexpr CaptureStrategyInfo kCaptureStrategies[] = {
    {CaptureStrategy::kSeparatePushf, "separate_pushf", false, false,
     "pushfq/popq in a second asm statement after the instruction (x86_vcpu)"},
    {CaptureStrategy::kPushfInAsm, "pushf_in_asm", true, false,
     "pushfq/popq in the same asm statement as the instruction"},
    {CaptureStrategy::kFlagOutputs, "flag_outputs", true, false,
     "asm flag output operands =@ccc/=@ccz; the compiler emits setc/setz or a jcc"},
    {CaptureStrategy::kAsmGoto, "asm_goto", true, true,
     "asm goto with jc/jz to failure labels"},
    {CaptureStrategy::kAsmGotoJna, "asm_goto_jna", true, true,
     "asm goto with one jna (as KVM's vmx_ops.h); jc/jmp to the failure labels out of line"},
};

constexpr const CaptureStrategyInfo& capture_strategy_info(CaptureStrategy s) {
  return kCaptureStrategies[static_cast<u8>(s)];
}

static_assert([] {
  for (usize i = 0; i < array_size(kCaptureStrategies); ++i)
    if (static_cast<usize>(kCaptureStrategies[i].strategy) != i) return false;
  return true;
}(), "kCaptureStrategies must be indexed by CaptureStrategy");

}  // namespace vmxb

#define VMXB_UNPAREN(...) __VA_ARGS__
#define VMXB_COMMA_IF_ANY(...) __VA_OPT__(, )

// User-space code may keep live data in the 128-byte red zone below %rsp, which
// a pushfq would overwrite. LEA does not write RFLAGS, so stepping over the red
// zone keeps the capture intact. Ring-0 code is built with -mno-red-zone and
// defines VMXB_RING0.
#ifdef VMXB_RING0
#define VMXB_PUSHF_POP(reg) "pushfq\n\tpopq " reg
#else
#define VMXB_PUSHF_POP(reg) "lea -128(%%rsp), %%rsp\n\tpushfq\n\tpopq " reg "\n\tlea 128(%%rsp), %%rsp"
#endif

// The fault path. In ring-0 builds every VMX instruction gets an exception-
// table entry (primitives/extable.h), so a #UD or #GP (VMX off, a type an L0
// hypervisor advertises and then rejects, ...) comes back as
// VmResult::fault() instead of an oops. The compiler never sees it:
//   - the strategies that read the flags resume after the instruction with
//     CF=1 and ZF=1, a pair no VMX instruction produces (31.2), through a
//     three-instruction fixup in .text.unlikely (cmp %rsp,%rsp sets ZF, stc
//     sets CF, jmp back). The asm statement and its operands are unchanged,
//     so the straight-line path is the same code as without the fault path;
//   - the asm goto strategies, which branch on CF first and so could not tell
//     the pair apart, resume at a third goto label instead.
// //primitives/tests:opcode_test compares the straight-line paths with a
// build where VMXB_NO_FAULT_PATH is defined. Hosted builds have no entries
// (a fault there is a signal).
#if defined(VMXB_RING0) && !defined(VMXB_NO_FAULT_PATH)
#define VMXB_HAS_FAULT_PATH 1
#define VMXB_FAULTABLE(insn)                                                        \
  "771:\n\t" insn "\n772:\n\t"                                                     \
  ".pushsection .text.unlikely, \"ax\"\n773:\n\tcmp %%rsp, %%rsp\n\tstc\n\tjmp 772b\n\t" \
  ".popsection" VMXB_EXTABLE_ENTRY("771b", "773b")
#define VMXB_GOTO_FAULTABLE(insn) "771:\n\t" insn VMXB_EXTABLE_ENTRY("771b", "%l[vmxb_fault]")
#define VMXB_GOTO_FAULT_LABEL , vmxb_fault
#else
#define VMXB_FAULTABLE(insn) insn
#define VMXB_GOTO_FAULTABLE(insn) insn
#define VMXB_GOTO_FAULT_LABEL
#endif

// kAsmGotoJna's branches after the instruction: JNA (CF=1 or ZF=1, i.e. any
// VMfail; 31.2) to a stub in .text.unlikely that is still inside this asm
// statement, so RFLAGS are the instruction's when its JC reads CF. The hot
// path holds one conditional branch and materializes no flag.
#define VMXB_JNA_OUT_OF_LINE                                                 \
  "\n\tjna 774f\n\t.pushsection .text.unlikely, \"ax\"\n774:\n\t"          \
  "jc %l[vmxb_fail_invalid]\n\tjmp %l[vmxb_fail_valid]\n\t.popsection"

// The asm goto statement of both goto strategies; `text` is the instruction
// followed by the branches to the failure labels (which VMXB_CAPTURE defines).
// `volatile` although the GCC manual calls every asm goto volatile: GCC 12.2
// deletes an asm goto with outputs when the caller uses neither the outputs
// nor which label was taken (a timed VMREAD whose status only feeds a sample
// loop vanished from the boot image). opcode_test's probe_discarded_vmread_*
// must keep their VMREAD.
#define VMXB_ASM_GOTO(text, outputs, inputs)                                     \
  asm volatile goto(VMXB_GOTO_FAULTABLE(text)                                    \
           : VMXB_UNPAREN outputs                                                \
           : VMXB_UNPAREN inputs                                                 \
           : "cc", "memory"                                                      \
           : vmxb_fail_invalid, vmxb_fail_valid VMXB_GOTO_FAULT_LABEL)

// The labels the asm goto strategies jump to, ending a lambda that declared
// `vmxb_result` as success: one exit, because GCC 12 miscompiles asm goto with
// outputs when a goto label returns directly (the output's value leaks onto
// the failure path).
#define VMXB_GOTO_RESULT_LABELS                                                       \
  goto vmxb_done;                                                                     \
  vmxb_fail_invalid:                                                                  \
  vmxb_result = ::vmxb::VmResult::failed(::vmxb::VmFail::kInvalid);                    \
  goto vmxb_done;                                                                     \
  vmxb_fail_valid:                                                                    \
  vmxb_result = ::vmxb::VmResult::failed(::vmxb::VmFail::kValid);                      \
  goto vmxb_done;                                                                     \
  vmxb_fault: __attribute__((unused));                                                \
  vmxb_result = ::vmxb::VmResult::fault();                                            \
  vmxb_done:                                                                          \
  return vmxb_result;

// VMXB_CAPTURE_REPEATED(copies, "insn operands", (outputs...), (inputs...)) -> vmxb::VmResult
//
// `copies` back-to-back copies of one instruction in one asm statement, with
// no branch between them, then the default strategy's one JNA: the status is
// the last copy's. For throughput (nanoBench's n vs 2n differential): every
// copy is the same instruction on the same operands, so all copies end the
// same way. In ring-0 builds each copy has its own exception-table entry
// (the numeric label is redefined per copy), so a fault in any copy resumes
// at the fault label like a single instruction's.
#define VMXB_CAPTURE_REPEATED(copies, insn, outputs, inputs)                           \
  ([&]() __attribute__((always_inline)) -> ::vmxb::VmResult {                         \
    ::vmxb::VmResult vmxb_result = ::vmxb::VmResult::succeed();                       \
    asm volatile goto(".rept %c[vmxb_copies]\n\t" VMXB_GOTO_FAULTABLE(insn) "\n\t.endr" \
                      VMXB_JNA_OUT_OF_LINE                                            \
                      : VMXB_UNPAREN outputs                                          \
                      : VMXB_UNPAREN inputs VMXB_COMMA_IF_ANY inputs[vmxb_copies] "i"(copies) \
                      : "cc", "memory"                                                \
                      : vmxb_fail_invalid, vmxb_fail_valid VMXB_GOTO_FAULT_LABEL);    \
    VMXB_GOTO_RESULT_LABELS                                                           \
  }())

// VMXB_CAPTURE(strategy, "insn operands", (outputs...), (inputs...)) -> vmxb::VmResult
//
// `strategy` must be a constant expression. Operands use GCC's named form
// ([name] "constraint"(expr)); the instruction text always goes through extended
// asm, so registers are spelled %%reg. Memory is clobbered: VMX instructions
// read and write VMCS and descriptor memory the compiler cannot see.

#define VMXB_CAPTURE(strategy, insn, outputs, inputs)                                   \
  ([&]() __attribute__((always_inline)) -> ::vmxb::VmResult {                         \
    if constexpr ((strategy) == ::vmxb::CaptureStrategy::kFlagOutputs) {              \
      bool vmxb_cf, vmxb_zf;                                                          \
      asm volatile(VMXB_FAULTABLE(insn)                                               \
                   : VMXB_UNPAREN outputs VMXB_COMMA_IF_ANY outputs[vmxb_cf] "=@ccc"( \
                         vmxb_cf),                                                    \
                     [vmxb_zf] "=@ccz"(vmxb_zf)                                       \
                   : VMXB_UNPAREN inputs                                              \
                   : "memory");                                                       \
      return ::vmxb::VmResult::from_flags(vmxb_cf, vmxb_zf);                          \
    } else if constexpr ((strategy) == ::vmxb::CaptureStrategy::kAsmGoto ||            \
                         (strategy) == ::vmxb::CaptureStrategy::kAsmGotoJna) {         \
      ::vmxb::VmResult vmxb_result = ::vmxb::VmResult::succeed();                     \
      if constexpr ((strategy) == ::vmxb::CaptureStrategy::kAsmGoto)                  \
        VMXB_ASM_GOTO(insn "\n\tjc %l[vmxb_fail_invalid]\n\tjz %l[vmxb_fail_valid]",  \
                      outputs, inputs);                                               \
      else                                                                            \
        VMXB_ASM_GOTO(insn VMXB_JNA_OUT_OF_LINE, outputs, inputs);                    \
      VMXB_GOTO_RESULT_LABELS                                                         \
    } else if constexpr ((strategy) == ::vmxb::CaptureStrategy::kPushfInAsm) {        \
      ::vmxb::u64 vmxb_rflags;                                                        \
      asm volatile(VMXB_FAULTABLE(insn) "\n\t" VMXB_PUSHF_POP("%[vmxb_rflags]")       \
                   : VMXB_UNPAREN outputs VMXB_COMMA_IF_ANY outputs[vmxb_rflags] "=r"(  \
                       vmxb_rflags)                                                   \
                   : VMXB_UNPAREN inputs                                              \
                   : "cc", "memory");                                                 \
      return ::vmxb::VmResult::from_rflags(vmxb_rflags);                              \
    } else {                                                                          \
      /* kSeparatePushf */                                                            \
      ::vmxb::u64 vmxb_rflags;                                                        \
      asm volatile(VMXB_FAULTABLE(insn) : VMXB_UNPAREN outputs : VMXB_UNPAREN inputs : "cc", "memory"); \
      asm volatile(VMXB_PUSHF_POP("%0") : "=r"(vmxb_rflags));                         \
      return ::vmxb::VmResult::from_rflags(vmxb_rflags);                              \
    }                                                                                 \
  }())
