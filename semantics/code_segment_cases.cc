// VMX instructions outside 64-bit ring 0, in VMX root operation with a
// current VMCS (Vol. 3C 31.3, each instruction's "Operation"):
//   #UD "IF ... (IA32_EFER.LMA = 1 and CS.L = 0)": in compatibility mode;
//   #GP(0) "ELSIF CPL > 0": at CPL 3 (checked before any operand).
// Each stub below runs one instruction in that code segment and then divides
// by zero, so an instruction that does not fault shows up as #DE. The stubs
// without an instruction are the negative control: they must reach the #DE,
// which shows the host really entered the segment (a host that failed to get
// there, with #GP from IRETQ say, would otherwise pass every #GP case).
#include "semantics/cases.h"

extern "C" {
void vmxb_cpl3_nothing();
void vmxb_compat_nothing();
void vmxb_cpl3_vmxon();
void vmxb_cpl3_vmxoff();
void vmxb_cpl3_vmclear();
void vmxb_cpl3_vmptrld();
void vmxb_cpl3_vmptrst();
void vmxb_cpl3_vmread();
void vmxb_cpl3_vmwrite();
void vmxb_cpl3_invept();
void vmxb_cpl3_invvpid();
void vmxb_compat_vmptrst();
void vmxb_compat_vmread();
void vmxb_compat_vmxoff();
void vmxb_compat_invept();
}

#ifndef VMXB_HOST_RUNS_NO_CODE_SEGMENTS
// Memory operands are on the stack the platform gives the code.
asm(R"(
        .pushsection .text, "ax"
        .code64
vmxb_code_segment_stub_did_not_fault:
        xor     %ecx, %ecx
        div     %ecx
        .globl  vmxb_cpl3_nothing
vmxb_cpl3_nothing:
        jmp     vmxb_code_segment_stub_did_not_fault
        .irp insn, vmxon, vmclear, vmptrld, vmptrst
        .globl  vmxb_cpl3_\insn
vmxb_cpl3_\insn:
        \insn   -8(%rsp)
        jmp     vmxb_code_segment_stub_did_not_fault
        .endr
        .globl  vmxb_cpl3_vmxoff
vmxb_cpl3_vmxoff:
        vmxoff
        jmp     vmxb_code_segment_stub_did_not_fault
        .globl  vmxb_cpl3_vmread
vmxb_cpl3_vmread:
        vmread  %rax, %rbx
        jmp     vmxb_code_segment_stub_did_not_fault
        .globl  vmxb_cpl3_vmwrite
vmxb_cpl3_vmwrite:
        vmwrite %rbx, %rax
        jmp     vmxb_code_segment_stub_did_not_fault
        .globl  vmxb_cpl3_invept
vmxb_cpl3_invept:
        invept  -16(%rsp), %rax
        jmp     vmxb_code_segment_stub_did_not_fault
        .globl  vmxb_cpl3_invvpid
vmxb_cpl3_invvpid:
        invvpid -16(%rsp), %rax
        jmp     vmxb_code_segment_stub_did_not_fault

        .code32
vmxb_compat_stub_did_not_fault:
        xor     %ecx, %ecx
        div     %ecx
        .globl  vmxb_compat_nothing
vmxb_compat_nothing:
        jmp     vmxb_compat_stub_did_not_fault
        .globl  vmxb_compat_vmptrst
vmxb_compat_vmptrst:
        vmptrst -8(%esp)
        jmp     vmxb_compat_stub_did_not_fault
        .globl  vmxb_compat_vmread
vmxb_compat_vmread:
        vmread  %eax, %ebx
        jmp     vmxb_compat_stub_did_not_fault
        .globl  vmxb_compat_vmxoff
vmxb_compat_vmxoff:
        vmxoff
        jmp     vmxb_compat_stub_did_not_fault
        .globl  vmxb_compat_invept
vmxb_compat_invept:
        invept  -16(%esp), %eax
        jmp     vmxb_compat_stub_did_not_fault
        .code64
        .popsection
)");
#else
// A host built without the stubs (the kernel module: no VMX instruction
// without an exception-table entry, Environment::other_code_segments false)
// never calls them; each names a function that returns.
#define VMXB_UNUSED_STUB(name) \
  void name() {}
extern "C" {
VMXB_UNUSED_STUB(vmxb_cpl3_nothing)
VMXB_UNUSED_STUB(vmxb_compat_nothing)
VMXB_UNUSED_STUB(vmxb_cpl3_vmxon)
VMXB_UNUSED_STUB(vmxb_cpl3_vmxoff)
VMXB_UNUSED_STUB(vmxb_cpl3_vmclear)
VMXB_UNUSED_STUB(vmxb_cpl3_vmptrld)
VMXB_UNUSED_STUB(vmxb_cpl3_vmptrst)
VMXB_UNUSED_STUB(vmxb_cpl3_vmread)
VMXB_UNUSED_STUB(vmxb_cpl3_vmwrite)
VMXB_UNUSED_STUB(vmxb_cpl3_invept)
VMXB_UNUSED_STUB(vmxb_cpl3_invvpid)
VMXB_UNUSED_STUB(vmxb_compat_vmptrst)
VMXB_UNUSED_STUB(vmxb_compat_vmread)
VMXB_UNUSED_STUB(vmxb_compat_vmxoff)
VMXB_UNUSED_STUB(vmxb_compat_invept)
}
#endif

namespace vmxb::semantics {
namespace {

enum class Needs : u8 { kVmx, kInvept, kInvvpid };

struct StubCase {
  const char* name;
  void (*stub)();
  Needs needs;
};

const StubCase kAtCpl3[] = {
    {"vmxon_gp_at_cpl3", vmxb_cpl3_vmxon, Needs::kVmx},       {"vmxoff_gp_at_cpl3", vmxb_cpl3_vmxoff, Needs::kVmx},
    {"vmclear_gp_at_cpl3", vmxb_cpl3_vmclear, Needs::kVmx},   {"vmptrld_gp_at_cpl3", vmxb_cpl3_vmptrld, Needs::kVmx},
    {"vmptrst_gp_at_cpl3", vmxb_cpl3_vmptrst, Needs::kVmx},   {"vmread_gp_at_cpl3", vmxb_cpl3_vmread, Needs::kVmx},
    {"vmwrite_gp_at_cpl3", vmxb_cpl3_vmwrite, Needs::kVmx},   {"invept_gp_at_cpl3", vmxb_cpl3_invept, Needs::kInvept},
    {"invvpid_gp_at_cpl3", vmxb_cpl3_invvpid, Needs::kInvvpid},
};

const StubCase kInCompatibilityMode[] = {
    {"vmptrst_ud_in_compatibility_mode", vmxb_compat_vmptrst, Needs::kVmx},
    {"vmread_ud_in_compatibility_mode", vmxb_compat_vmread, Needs::kVmx},
    {"vmxoff_ud_in_compatibility_mode", vmxb_compat_vmxoff, Needs::kVmx},
    {"invept_ud_in_compatibility_mode", vmxb_compat_invept, Needs::kInvept},
};

const StubCase kReachesTheEnd[] = {{"cpl3_stub_runs_to_its_end", vmxb_cpl3_nothing, Needs::kVmx}};
const StubCase kReachesTheEndCompatibility[] = {
    {"compatibility_mode_stub_runs_to_its_end", vmxb_compat_nothing, Needs::kVmx}};

const char* missing(const CaseContext& c, Needs needs) {
  if (!c.env->other_code_segments) return "the host runs no code at CPL 3 or in compatibility mode";
  if (needs == Needs::kInvept && !c.invept_exists) return "INVEPT not advertised";
  if (needs == Needs::kInvvpid && !c.invvpid_exists) return "INVVPID not advertised";
  return nullptr;
}

template <usize N>
void check_stubs(CaseContext& c, const StubCase (&cases)[N], int expected_vector, int (*run)(void (*)())) {
  for (const StubCase& s : cases) {
    if (const char* reason = missing(c, s.needs); reason != nullptr) {
      c.suite->skip(s.name, reason);
      continue;
    }
    // No status is captured here: the strategies run the same stub.
    c.suite->check(s.name, Observation{expected_vector}, [&]<CaptureStrategy> { return Observation{run(s.stub)}; });
  }
}

}  // namespace

void other_code_segments(CaseContext& c) {
  check_stubs(c, kReachesTheEnd, exception_vector::kDivideError, platform::run_at_cpl3);
  check_stubs(c, kReachesTheEndCompatibility, exception_vector::kDivideError, platform::run_in_compatibility_mode);
  check_stubs(c, kAtCpl3, exception_vector::kGeneralProtection, platform::run_at_cpl3);
  check_stubs(c, kInCompatibilityMode, exception_vector::kInvalidOpcode, platform::run_in_compatibility_mode);
}

}  // namespace vmxb::semantics
