/*
 * The world switch, in the shape of Linux KVM's __vmx_vcpu_run (vmenter.S):
 * save the callee-saved registers, write HOST_RSP for this entry, load the
 * guest's GPRs, VMLAUNCH or VMRESUME; at the VM exit (host RIP) save the
 * guest's GPRs and return. Shared by the boot image and the kernel module.
 *
 * The processor loads RSP and RIP from the host-state area on a VM exit and
 * nothing else of the host's GPRs (28.5 "Loading Host State"), so everything
 * the C++ caller expects preserved is on the stack at HOST_RSP. VMLAUNCH and
 * VMRESUME fall through on VMfail (31.2 "Conventions": CF = VMfailInvalid,
 * ZF = VMfailValid) with the host's RSP untouched.
 *
 * Every VMX instruction here has an exception-table entry (primitives/extable.h),
 * like every wrapper in primitives/instructions.h.
 *
 * The kernel module (kernel/module/Kbuild) assembles this file with the
 * kernel's annotations, so objtool can check it like KVM's vmenter.S: one
 * function from vmxb_vmx_run to its end; the host-RIP labels are reached by
 * no branch, so their stack state is the one saved just before the entry
 * (UNWIND_HINT_SAVE/RESTORE); their addresses are written to HOST_RIP but
 * never branched to indirectly (ANNOTATE_NOENDBR: no ENDBR instruction, so
 * the fast path has the same instructions in both builds); RET is the
 * kernel's return (return thunk, SLS padding). The boot image gets plain
 * labels and `ret`.
 */
#include "core/guest/world_switch_abi.h"
#include "primitives/extable.h"

#ifdef __KERNEL__
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/unwind_hints.h>
#define VMXB_FUNC_START(name) SYM_FUNC_START(name)
#define VMXB_FUNC_END(name) SYM_FUNC_END(name)
#define VMXB_HOST_RIP(name) SYM_INNER_LABEL(name, SYM_L_GLOBAL); UNWIND_HINT_RESTORE; ANNOTATE_NOENDBR
#define VMXB_LABEL(name) SYM_INNER_LABEL(name, SYM_L_GLOBAL)
#define VMXB_SAVE_STACK_STATE UNWIND_HINT_SAVE
#define VMXB_RET RET
#else
#define VMXB_FUNC_START(name) .globl name; .type name, @function; name:
#define VMXB_FUNC_END(name) .size name, . - name
#define VMXB_HOST_RIP(name) .globl name; name:
#define VMXB_LABEL(name) .globl name; name:
#define VMXB_SAVE_STACK_STATE
#define VMXB_RET ret
#endif

	.text

/* u32 vmxb_vmx_run(GuestRegs* regs, u32 flags) */
VMXB_FUNC_START(vmxb_vmx_run)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* regs, found at (%rsp) after the exit */
	mov	$VMXB_FIELD_HOST_RSP, %eax
1:	vmwrite	%rsp, %rax
	VMXB_EXTABLE 1b, vmxb_vm_fault
	jna	vmxb_vm_fail
	/* MOVs keep RFLAGS: ZF from this TEST picks the instruction below. */
	test	$VMXB_RUN_RESUME, %esi
	mov	VMXB_REGS_RAX(%rdi), %rax
	mov	VMXB_REGS_RCX(%rdi), %rcx
	mov	VMXB_REGS_RDX(%rdi), %rdx
	mov	VMXB_REGS_RBX(%rdi), %rbx
	mov	VMXB_REGS_RBP(%rdi), %rbp
	mov	VMXB_REGS_RSI(%rdi), %rsi
	mov	VMXB_REGS_R8(%rdi), %r8
	mov	VMXB_REGS_R9(%rdi), %r9
	mov	VMXB_REGS_R10(%rdi), %r10
	mov	VMXB_REGS_R11(%rdi), %r11
	mov	VMXB_REGS_R12(%rdi), %r12
	mov	VMXB_REGS_R13(%rdi), %r13
	mov	VMXB_REGS_R14(%rdi), %r14
	mov	VMXB_REGS_R15(%rdi), %r15
	mov	VMXB_REGS_RDI(%rdi), %rdi
	/* After a successful entry, execution goes on at a host-RIP label below
	 * with this stack (HOST_RSP), not after the VMLAUNCH/VMRESUME. */
	VMXB_SAVE_STACK_STATE
	jnz	3f
2:	vmlaunch
	VMXB_EXTABLE 2b, vmxb_vm_fault
	jmp	vmxb_vm_fail
3:	vmresume
	VMXB_EXTABLE 3b, vmxb_vm_fault
	jmp	vmxb_vm_fail

/* Host RIP of the full path: every guest GPR is saved. */
VMXB_HOST_RIP(vmxb_vm_exit)
	push	%rdi
	mov	8(%rsp), %rdi
	mov	%rax, VMXB_REGS_RAX(%rdi)
	mov	%rcx, VMXB_REGS_RCX(%rdi)
	mov	%rdx, VMXB_REGS_RDX(%rdi)
	mov	%rbx, VMXB_REGS_RBX(%rdi)
	mov	%rbp, VMXB_REGS_RBP(%rdi)
	mov	%rsi, VMXB_REGS_RSI(%rdi)
	mov	%r8, VMXB_REGS_R8(%rdi)
	mov	%r9, VMXB_REGS_R9(%rdi)
	mov	%r10, VMXB_REGS_R10(%rdi)
	mov	%r11, VMXB_REGS_R11(%rdi)
	mov	%r12, VMXB_REGS_R12(%rdi)
	mov	%r13, VMXB_REGS_R13(%rdi)
	mov	%r14, VMXB_REGS_R14(%rdi)
	mov	%r15, VMXB_REGS_R15(%rdi)
	popq	VMXB_REGS_RDI(%rdi)
	xor	%eax, %eax		/* VMXB_RUN_EXITED */
vmxb_vm_return:
	add	$8, %rsp		/* regs */
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	VMXB_RET

/* VMfail from the HOST_RSP VMWRITE, VMLAUNCH or VMRESUME; RFLAGS are its. */
vmxb_vm_fail:
	mov	$VMXB_RUN_FAIL_INVALID, %eax
	jc	vmxb_vm_return
	mov	$VMXB_RUN_FAIL_VALID, %eax
	jmp	vmxb_vm_return

vmxb_vm_fault:
	mov	$VMXB_RUN_FAULT, %eax
	jmp	vmxb_vm_return

/*
 * Host RIP of the round-trip rows: if the exit is the one being timed, step
 * the guest over the exiting instruction and resume it, without saving
 * anything. The guest side declares RAX, RCX and RDX clobbered (its hypercall
 * ABI); VMREAD/VMWRITE take the field encoding in a register (31.3).
 */
VMXB_HOST_RIP(vmxb_vm_exit_fast)
	mov	$VMXB_FIELD_EXIT_REASON, %eax
4:	vmread	%rax, %rax
	VMXB_EXTABLE 4b, vmxb_vm_fault
	cmp	vmxb_fast_exit_reason(%rip), %eax
	jne	vmxb_vm_exit
	mov	$VMXB_FIELD_EXIT_INSTRUCTION_LENGTH, %eax
5:	vmread	%rax, %rdx
	VMXB_EXTABLE 5b, vmxb_vm_fault
	mov	$VMXB_FIELD_GUEST_RIP, %eax
6:	vmread	%rax, %rcx
	VMXB_EXTABLE 6b, vmxb_vm_fault
	add	%rdx, %rcx
7:	vmwrite	%rcx, %rax
	VMXB_EXTABLE 7b, vmxb_vm_fault
8:	vmresume
	VMXB_EXTABLE 8b, vmxb_vm_fault
VMXB_LABEL(vmxb_vm_exit_fast_end)
	jmp	vmxb_vm_fail
VMXB_FUNC_END(vmxb_vmx_run)

	.data
	.globl vmxb_fast_exit_reason
	.p2align 2
vmxb_fast_exit_reason:
	.long	0xFFFFFFFF
	.section .note.GNU-stack, "", @progbits
