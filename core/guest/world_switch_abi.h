/* The contract between the world switch (world_switch.S) and C++: register
 * save-area offsets, the VMCS fields the assembly touches, and the return
 * codes. Valid assembly and C++: the assembly sees only the #defines, and the
 * C++ side static_asserts each of them against the typed VMCS field and the
 * struct layout, so the two cannot drift (the role asm-offsets plays in KVM).
 */
#ifndef VMXB_CORE_GUEST_WORLD_SWITCH_ABI_H
#define VMXB_CORE_GUEST_WORLD_SWITCH_ABI_H

/* GuestRegs: the guest's general-purpose registers (RSP and RIP live in the VMCS). */
#define VMXB_REGS_RAX 0
#define VMXB_REGS_RCX 8
#define VMXB_REGS_RDX 16
#define VMXB_REGS_RBX 24
#define VMXB_REGS_RBP 32
#define VMXB_REGS_RSI 40
#define VMXB_REGS_RDI 48
#define VMXB_REGS_R8 56
#define VMXB_REGS_R9 64
#define VMXB_REGS_R10 72
#define VMXB_REGS_R11 80
#define VMXB_REGS_R12 88
#define VMXB_REGS_R13 96
#define VMXB_REGS_R14 104
#define VMXB_REGS_R15 112
#define VMXB_REGS_SIZE 120

/* VMCS field encodings the assembly uses (Vol. 3D Appendix B). */
#define VMXB_FIELD_HOST_RSP 0x6C14
#define VMXB_FIELD_EXIT_REASON 0x4402
#define VMXB_FIELD_EXIT_INSTRUCTION_LENGTH 0x440C
#define VMXB_FIELD_GUEST_RIP 0x681E

/* Instructions of the minimal exit path, vmxb_vm_exit_fast up to and
 * including its VMRESUME: harness/tests:guest_rows_test counts them in the
 * image's ELF and fails when this number is stale; bench reports it on the
 * vmcall row. */
#define VMXB_FAST_EXIT_INSTRUCTIONS 11

/* vmxb_vmx_run's flags and results. */
#define VMXB_RUN_RESUME 1        /* VMRESUME (the VMCS is launched), else VMLAUNCH */
#define VMXB_RUN_EXITED 0        /* a VM exit: the guest registers are saved */
#define VMXB_RUN_FAIL_INVALID 1  /* VMLAUNCH/VMRESUME or the HOST_RSP VMWRITE: VMfailInvalid */
#define VMXB_RUN_FAIL_VALID 2    /* ... VMfailValid: read the VM-instruction error */
#define VMXB_RUN_FAULT 3         /* ... raised an exception (#UD/#GP), fixed up */

#ifndef __ASSEMBLER__

#include "primitives/types.h"
#include "primitives/vmcs_field.h"

namespace vmxb::core::guest {

struct GuestRegs {
  u64 rax, rcx, rdx, rbx, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
};

static_assert(sizeof(GuestRegs) == VMXB_REGS_SIZE);
static_assert(__builtin_offsetof(GuestRegs, rax) == VMXB_REGS_RAX && __builtin_offsetof(GuestRegs, rcx) == VMXB_REGS_RCX &&
              __builtin_offsetof(GuestRegs, rdx) == VMXB_REGS_RDX && __builtin_offsetof(GuestRegs, rbx) == VMXB_REGS_RBX &&
              __builtin_offsetof(GuestRegs, rbp) == VMXB_REGS_RBP && __builtin_offsetof(GuestRegs, rsi) == VMXB_REGS_RSI &&
              __builtin_offsetof(GuestRegs, rdi) == VMXB_REGS_RDI && __builtin_offsetof(GuestRegs, r8) == VMXB_REGS_R8 &&
              __builtin_offsetof(GuestRegs, r9) == VMXB_REGS_R9 && __builtin_offsetof(GuestRegs, r10) == VMXB_REGS_R10 &&
              __builtin_offsetof(GuestRegs, r11) == VMXB_REGS_R11 && __builtin_offsetof(GuestRegs, r12) == VMXB_REGS_R12 &&
              __builtin_offsetof(GuestRegs, r13) == VMXB_REGS_R13 && __builtin_offsetof(GuestRegs, r14) == VMXB_REGS_R14 &&
              __builtin_offsetof(GuestRegs, r15) == VMXB_REGS_R15);
static_assert(decltype(vmcs::kHostRsp)::kEncoding == VMXB_FIELD_HOST_RSP &&
              decltype(vmcs::kExitReason)::kEncoding == VMXB_FIELD_EXIT_REASON &&
              decltype(vmcs::kExitInstructionLength)::kEncoding == VMXB_FIELD_EXIT_INSTRUCTION_LENGTH &&
              decltype(vmcs::kGuestRip)::kEncoding == VMXB_FIELD_GUEST_RIP,
              "world_switch_abi.h names the typed fields' encodings");

inline constexpr u32 kFastExitInstructions = VMXB_FAST_EXIT_INSTRUCTIONS;

}  // namespace vmxb::core::guest

extern "C" {
// VMLAUNCH (flags without VMXB_RUN_RESUME) or VMRESUME the current VMCS with
// the guest registers in *regs; returns at the next VM exit with them saved
// there, or at once when the entry fails. Host RSP is written per entry.
vmxb::u32 vmxb_vmx_run(vmxb::core::guest::GuestRegs* regs, vmxb::u32 flags);
// Host RIP values: the full exit path, and the minimal one that advances the
// guest's RIP and resumes when the basic exit reason is vmxb_fast_exit_reason
// (any other exit takes the full path with RAX, RCX and RDX clobbered).
extern const char vmxb_vm_exit[];
extern const char vmxb_vm_exit_fast[];
// The fast path's instructions from vmxb_vm_exit_fast up to and including its
// VMRESUME, bracketed for harness/tests:guest_rows_test, which counts them.
extern const char vmxb_vm_exit_fast_end[];
extern vmxb::u32 vmxb_fast_exit_reason;
}

#endif /* __ASSEMBLER__ */
#endif /* VMXB_CORE_GUEST_WORLD_SWITCH_ABI_H */
