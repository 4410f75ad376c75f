/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between the SEMANTICS ioctl's C glue (semantics.c) and the
 * semantics suite's module platform (semantics_platform.cc). Built-in types
 * only, like session.h, whose struct vmxb_platform and vmxb_cpu_facts it reuses.
 */
#ifndef VMXBENCH_SEMANTICS_SESSION_H
#define VMXBENCH_SEMANTICS_SESSION_H

#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The zeroed, page-aligned 4-KiB pages of one SEMANTICS request. */
enum vmxb_semantics_page {
	VMXB_SEM_PAGE_VMXON,		/* VMXON region */
	VMXB_SEM_PAGE_VMCS,		/* the current VMCS */
	VMXB_SEM_PAGE_VMCS_OTHER,	/* a second VMCS */
	VMXB_SEM_PAGE_EPT_ROOT,		/* an empty EPT PML4 (INVEPT's EPTP) */
	VMXB_SEM_PAGE_WRONG_REVISION,	/* a VMCS-sized region with another revision id */
	VMXB_SEM_PAGE_SHADOW_INDICATOR,	/* this CPU's revision id with bit 31 set */
	VMXB_SEM_PAGES
};

struct vmxb_semantics_in {
	struct vmxb_cpu_facts cpu;
	void *page_va[VMXB_SEM_PAGES];
	vmxb_u64 page_pa[VMXB_SEM_PAGES];
	/* Raw CPUID of this CPU: 01H ECX, (07H, 0) EBX and EDX, 80000008H EAX
	 * (0 where the leaf does not exist). */
	vmxb_u32 cpuid_1_ecx, cpuid_7_ebx, cpuid_7_edx, cpuid_80000008_eax;
	unsigned char emulator_bochs; /* VMXB_SEMANTICS_EMULATOR_BOCHS */
	/* The lines go here (kernel memory, capacity bytes). */
	char *output;
	vmxb_u32 capacity;
	/*
	 * The vector of the last exception the kernel fixed up on this CPU and
	 * reported through its die notifier (DIE_TRAP: #UD, #SS, ...), reset by
	 * reading; -1 when none was reported. semantics.c.
	 */
	int (*take_trap_vector)(void);
	void (*clear_trap_vector)(void);
	/*
	 * The guest cases' memory (guest_memory.c, allocated for this request),
	 * or NULL: those cases SKIP. Its host-state hooks are the platform's, as
	 * for the guest rows (module_guest.h).
	 */
	const struct vmxb_guest_memory *guest_memory;
};

/* vmxb_semantics_run() return values besides 0 (session.h's). */
struct vmxb_semantics_out {
	vmxb_u32 written, needed, passed, vmx_entered;
	int stop_errno;
	vmxb_u64 cr4_before, cr4_after;
};

/* Runs the suite on the current CPU in one interrupts-off section; the caller
 * keeps the task there. 0, VMXB_SESSION_BUSY or VMXB_SESSION_STOPPED. */
int vmxb_semantics_run(const struct vmxb_platform *platform, const struct vmxb_semantics_in *in,
		       struct vmxb_semantics_out *out);

#ifdef __cplusplus
}
#endif

#endif /* VMXBENCH_SEMANTICS_SESSION_H */
