// SPDX-License-Identifier: GPL-2.0
/*
 * The guest rows' host side that only Linux knows (session.cc calls these
 * through struct vmxb_platform): the host state a VM exit loads, read on the
 * RUN's CPU inside a chunk (interrupts off, VMX on), what Linux needs back
 * after the guest ran, and NMIs that arrived while it ran. Modelled on KVM
 * (arch/x86/kvm/vmx/vmx.c: vmx_set_constant_host_state,
 * vmx_prepare_switch_to_host), with exported symbols only.
 *
 * What the guest can change is little: it runs without MSR bitmaps, so every
 * RDMSR/WRMSR exits, and with every exception exiting (core/guest/vmcs_setup.h),
 * so it writes no MSR, no CR2 and no XCR0. A VM exit loads the rest of the
 * host state from the VMCS (SDM Vol. 3C 28.5 "Loading Host State"), except
 * for fixed values: GDTR and IDTR limits 0xFFFF, TR limit 0x67 (28.5.2), DR7
 * 0x400 and IA32_DEBUGCTL 0, DS/ES from the host selector fields. Those are
 * repaired here before the chunk ends and Linux runs again.
 */
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>

#include "vmxbench.h"

/*
 * 27.2.3: host selectors must have RPL 0 and TI 0; a user selector a task
 * left in DS/ES is replaced by the null selector (64-bit mode ignores both).
 */
static unsigned short vmxb_host_selector(unsigned short sel)
{
	return (sel & 7) ? 0 : sel;
}

/* DR7 after a VM exit: reserved bit 10 set, every breakpoint off (28.5). */
#define VMXB_DR7_AFTER_EXIT 0x400ul

/* The MSRs read here exist on every CPU with VMX (A.1); 0 if one did not. */
static u64 vmxb_msr(u32 index)
{
	u64 value = 0;

	return vmxb_rdmsr_safe(index, &value) ? 0 : value;
}

static void vmxb_read_host_state(struct vmxb_host_state *h)
{
	int cpu = raw_smp_processor_id();
	struct desc_ptr gdt, idt;
	unsigned short ds, es, fs, gs;

	lockdep_assert_irqs_disabled();
	native_store_gdt(&gdt);
	store_idt(&idt);
	savesegment(ds, ds);
	savesegment(es, es);
	savesegment(fs, fs);
	savesegment(gs, gs);
	*h = (struct vmxb_host_state){
		.cr0 = read_cr0(),
		.cr3 = __read_cr3(),
		.cr4 = __read_cr4(), /* VMXE is set: the chunk is in VMX operation */
		.cs = __KERNEL_CS,
		.ss = __KERNEL_DS,
		.ds = vmxb_host_selector(ds),
		.es = vmxb_host_selector(es),
		/* A kthread's FS and GS selectors are 0; their bases are MSRs. */
		.fs = vmxb_host_selector(fs),
		.gs = vmxb_host_selector(gs),
		.tr = GDT_ENTRY_TSS * 8,
		/* The TSS through the CPU entry area, as KVM's HOST_TR_BASE. */
		.tr_base = (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss,
		.gdtr_base = gdt.address, /* the read-only fixmap GDT Linux runs on */
		.gdtr_limit = gdt.size,
		.idtr_base = idt.address,
		.idtr_limit = idt.size,
		.linux_ds = ds,
		.linux_es = es,
		.dr7 = native_get_debugreg(7),
		.fs_base = vmxb_msr(MSR_FS_BASE),
		.gs_base = vmxb_msr(MSR_GS_BASE), /* the kernel's per-CPU base */
		.efer = vmxb_msr(MSR_EFER),
		.pat = vmxb_msr(MSR_IA32_CR_PAT),
		.sysenter_cs = (u32)vmxb_msr(MSR_IA32_SYSENTER_CS),
		.sysenter_esp = vmxb_msr(MSR_IA32_SYSENTER_ESP),
		.sysenter_eip = vmxb_msr(MSR_IA32_SYSENTER_EIP),
		.debugctl = vmxb_msr(MSR_IA32_DEBUGCTLMSR),
	};
}

static void vmxb_after_guest_run(const struct vmxb_host_state *h)
{
	struct desc_ptr idt = { .size = h->idtr_limit, .address = h->idtr_base };

	lockdep_assert_irqs_disabled();
	/* GDTR limit: Linux's read-only fixmap GDT, as KVM reloads it. */
	load_fixmap_gdt(raw_smp_processor_id());
	native_load_idt(&idt);
	/*
	 * TR limit 0x67 cuts off the I/O bitmap: reload TR when this task has
	 * one, else mark the limit stale for the next task that needs it.
	 */
	invalidate_tss_limit();
	if (h->dr7 != VMXB_DR7_AFTER_EXIT)
		native_set_debugreg(7, h->dr7);
	if (h->debugctl)
		wrmsr_safe(MSR_IA32_DEBUGCTLMSR, (u32)h->debugctl, (u32)(h->debugctl >> 32));
	if (h->linux_ds != h->ds)
		loadsegment(ds, h->linux_ds);
	if (h->linux_es != h->es)
		loadsegment(es, h->linux_es);
}

/*
 * NMI exiting turned an NMI into a VM exit; hand it to Linux's NMI handler
 * (perf, the watchdog) through the IDT, as KVM did before it called the
 * handler directly: its IRET ends the NMI blocking the exit left.
 */
static void vmxb_nmi_exit(void)
{
	lockdep_assert_irqs_disabled();
	asm volatile("int $2" ::: "memory");
}

/*
 * An external interrupt exited the guest and is still pending (no
 * acknowledge-on-exit): RFLAGS.IF does not block interrupts in the guest
 * when external-interrupt exiting is set (25.6.1), so interrupts off for the
 * chunk do not keep the timer out of a long guest run. Open the interrupt
 * window for one instruction so Linux's IDT delivers it, in VMX root
 * operation with the VMCS current (KVM did this before it acknowledged
 * interrupts on exit). Preemption stays off: the handler's return must come
 * back here, never schedule with VMX on; preempt_enable() with interrupts off
 * again does not schedule.
 */
static void vmxb_interrupt_exit(void)
{
	preempt_disable();
	local_irq_enable();
	cpu_relax(); /* STI blocks interrupts for one instruction: this one */
	local_irq_disable();
	preempt_enable();
}

void vmxb_guest_platform_init(struct vmxb_platform *pf)
{
	pf->read_host_state = vmxb_read_host_state;
	pf->after_guest_run = vmxb_after_guest_run;
	pf->nmi_exit = vmxb_nmi_exit;
	pf->interrupt_exit = vmxb_interrupt_exit;
}
