/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between the module's C glue (kernel APIs) and its C++ side
 * (session.cc: VMX entry/exit and the shared measurement core). Built-in
 * types only: the C++ side includes no kernel header (it is compiled without
 * the kernel's C declarations, kernel/module/Kbuild), and the C side no C++
 * one. Everything here runs on one CPU, in a kthread bound there (ioctl.c).
 */
#ifndef VMXBENCH_SESSION_H
#define VMXBENCH_SESSION_H

#ifdef __cplusplus
extern "C" {
#endif

typedef __UINT64_TYPE__ vmxb_u64; /* unsigned long: the C++ core's u64 */
typedef __UINT32_TYPE__ vmxb_u32;

/*
 * The host state a VM exit loads (core/guest/host_state.h's HostState, field
 * by field; session.cc copies it), read by guest_host.c on the RUN's CPU
 * inside a chunk, plus what that file needs to repair after the guest ran.
 */
struct vmxb_host_state {
	vmxb_u64 cr0, cr3, cr4;
	unsigned short cs, ss, ds, es, fs, gs, tr; /* for the VMCS: RPL 0, TI 0 */
	vmxb_u64 fs_base, gs_base, tr_base, gdtr_base, idtr_base;
	unsigned short gdtr_limit, idtr_limit;
	vmxb_u64 efer, pat;
	vmxb_u32 sysenter_cs;
	vmxb_u64 sysenter_esp, sysenter_eip;
	/* Restored by after_guest_run: what a VM exit sets to fixed values. */
	unsigned short linux_ds, linux_es; /* the selectors as Linux had them */
	vmxb_u64 debugctl, dr7;
};

/* Kernel services the C++ side calls back into (module/platform.c). */
struct vmxb_platform {
	/* 0 and *value set, or nonzero if RDMSR raised #GP (rdmsrl_safe). */
	int (*rdmsr)(vmxb_u32 index, vmxb_u64 *value);
	/* 0, or nonzero if WRMSR raised #GP (wrmsrl_safe): the clock counters. */
	int (*wrmsr)(vmxb_u32 index, vmxb_u64 value);
	vmxb_u64 (*read_cr0)(void);
	vmxb_u64 (*read_cr4)(void);
	/* cr4_set_bits_irqsoff/cr4_clear_bits_irqsoff(X86_CR4_VMXE): keep the
	 * kernel's per-CPU CR4 shadow right. Interrupts must be off. */
	void (*cr4_set_vmxe)(void);
	void (*cr4_clear_vmxe)(void);
	/* intel_pt_handle_vmx(): Intel PT must stop tracing around VMX operation
	 * where IA32_VMX_MISC[14] = 0 (it checks that itself). */
	void (*pt_handle_vmx)(int on);
	/* local_irq_save/restore: one chunk (core ChunkHooks) runs in
	 * between, and VMX is on only there. */
	unsigned long (*irq_save)(void);
	void (*irq_restore)(unsigned long flags);
	/* Called with interrupts off before each chunk: 0 to go on, or the
	 * negative errno the RUN stops with (signal, reboot, time limit, the
	 * task is no longer on the requested CPU). */
	int (*should_stop)(void *ctx);
	void *stop_ctx;
	/* Between chunks, interrupts on and VMX off: cond_resched(). */
	void (*resched)(void);
	/* The guest rows (guest_host.c), inside a chunk: interrupts off, VMX on,
	 * on the RUN's CPU. The host state for the VMCS; the repairs a VM exit
	 * makes necessary before Linux runs again (after the VMCSs are clear);
	 * an NMI that exited the guest, handed to Linux's NMI handler. */
	void (*read_host_state)(struct vmxb_host_state *out);
	void (*after_guest_run)(const struct vmxb_host_state *saved);
	void (*nmi_exit)(void);
	/* An external interrupt exited the guest (it is still pending): let it
	 * be delivered through Linux's IDT, preemption off, then go on. */
	void (*interrupt_exit)(void);
};

/* A 4-KiB page: kernel virtual and physical address (core::VmxPage's
 * layout; session.cc static_asserts it and uses arrays of these as is). */
struct vmxb_page_addr {
	void *va;
	vmxb_u64 pa;
};

#define VMXB_GUEST_TOUCH_PAGES 512 /* core::guest::kMaxTouchPages */
#define VMXB_GUEST_PROBE_PAGES 3   /* core::guest::ProbePage::kCount */

/*
 * The guest rows' memory (core::guest::GuestMemory), allocated per RUN and
 * zeroed by guest_memory.c. The EPT maps [identity_base, identity_base +
 * identity_size) guest-physical == host-physical: all of the kernel's RAM,
 * where the guest finds its code, stacks, page tables and the sample buffer.
 */
struct vmxb_guest_memory {
	struct vmxb_page_addr vmcs_b; /* context B's VMCS (session.cc writes its revision id) */
	struct vmxb_page_addr probe[VMXB_GUEST_PROBE_PAGES];
	struct vmxb_page_addr *pool; /* EPT tables, TSSs, jobs, stacks, EPTP list */
	vmxb_u32 pool_pages;
	struct vmxb_page_addr *touch[2]; /* VMXB_GUEST_TOUCH_PAGES each, virtually contiguous */
	vmxb_u64 identity_base, identity_size;
	/* guest_memory.c's own: how each touch buffer was allocated */
	void *touch_buffer[2];
	unsigned char touch_vmalloc[2];
};

/* What the CPU and the kernel say about it (read by the C side). */
struct vmxb_cpu_facts {
	unsigned char intel, vmx, long_mode, rdtscp, hypervisor, maxphyaddr;
	unsigned char kernel_vmx; /* boot_cpu_has(X86_FEATURE_VMX): the kernel's verdict */
	unsigned char inside_smx; /* tboot_enabled(): a measured launch */
};

/* One RUN, validated by the C side (ioctl.c) before it gets here. */
struct vmxb_session_in {
	unsigned short op;
	unsigned short vpid;
	vmxb_u32 iterations, warmup, chunk;
	vmxb_u64 linear_address;
	struct vmxb_cpu_facts cpu;
	/* Four zeroed, page-aligned 4-KiB pages: virtual address and __pa(). */
	void *vmxon_va, *vmcs_va, *vmcs_other_va, *ept_root_va;
	vmxb_u64 vmxon_pa, vmcs_pa, vmcs_other_pa, ept_root_pa;
	vmxb_u64 *samples;  /* samples_capacity entries (kernel memory) */
	vmxb_u32 samples_capacity; /* iterations x the row's series (1, or 4 for the touch rows) */
	vmxb_u32 pages;     /* touch rows: pages per context, 0..512 (0: the core's default) */
	const struct vmxb_guest_memory *guest; /* NULL: not a guest row */
	vmxb_u64 *overhead; /* overhead_n entries (kernel memory) */
	vmxb_u32 overhead_n;
	/* Fault test (VMXB_RUN_FAULT_TEST): run the operation without VMXON, so
	 * its VMX instruction raises #UD and the wrapper's fixup must catch it. */
	unsigned char without_vmxon;
};

/* vmxb_session_run() return values besides 0. */
#define VMXB_SESSION_BUSY 1    /* CR4.VMXE was set at a chunk start: another hypervisor holds VMX */
#define VMXB_SESSION_STOPPED 2 /* should_stop() said so: vmxb_session_out.stop_errno */

/* The ABI's VMXB_CHUNK_FIELDS, VMXB_COUNTER_SOURCES, VMXB_MEASUREMENT_FACTS
 * and VMXB_FACT_LEN (ioctl.c and session.cc check both sides). */
#define VMXB_SESSION_CHUNK_FIELDS 14
#define VMXB_SESSION_COUNTER_SOURCES 3
#define VMXB_SESSION_FACTS 5
#define VMXB_SESSION_FACT_LEN 112

struct vmxb_session_out {
	/* status: a vmxb::core::OpStatus, i.e. the ABI's enum vmxb_status */
	vmxb_u32 status, vm_error, samples_written, overhead_min, vmx_entered;
	int stop_errno;
	vmxb_u64 eptp, cr4_before, cr4_after;
	const char *reason; /* static string, never NULL */
	/* core::ChunkTotals of the run's timed chunks */
	vmxb_u64 chunk_totals[VMXB_SESSION_CHUNK_FIELDS];
	unsigned char counter_states[VMXB_SESSION_COUNTER_SOURCES];
};

/* core/measurement_facts.h on the current CPU: each fact's text, NUL-terminated. */
void vmxb_measurement_facts(const struct vmxb_platform *platform, int intel,
			    char out[VMXB_SESSION_FACTS][VMXB_SESSION_FACT_LEN]);

/* Runs one request on the current CPU; the caller keeps the task there. VMX
 * is entered and left inside each interrupts-off chunk, never across one. */
int vmxb_session_run(const struct vmxb_platform *platform, const struct vmxb_session_in *in,
		     struct vmxb_session_out *out);

/* The operation table (core/operations.h) as the C side needs it. */
vmxb_u32 vmxb_op_count(void);
vmxb_u32 vmxb_op_table_hash(void);
int vmxb_op_needs_vmx_root(unsigned int op);
int vmxb_op_needs_guest(unsigned int op);
vmxb_u32 vmxb_op_sample_series(unsigned int op); /* 1, or 4 for the touch rows */
const char *vmxb_op_name(unsigned int op);

#ifdef __cplusplus
}
#endif

#endif /* VMXBENCH_SESSION_H */
