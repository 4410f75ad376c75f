// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel services for the C++ side (session.cc): MSRs, control registers,
 * interrupt control and the two VMX instructions that may fault.
 */
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <asm/asm.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "vmxbench.h"

static int vmxb_p_rdmsr(vmxb_u32 index, vmxb_u64 *value)
{
	u64 v = 0;
	int err = rdmsrl_safe(index, &v); /* #GP (absent MSR) is fixed up, not an oops */

	*value = err ? 0 : v;
	return err ? 1 : 0;
}

static vmxb_u64 vmxb_p_read_cr0(void)
{
	return read_cr0();
}

static vmxb_u64 vmxb_p_read_cr4(void)
{
	return __read_cr4();
}

/*
 * The kernel caches CR4 per CPU (cpu_tlbstate.cr4); writing CR4 behind its
 * back would be undone at the next cr4_update. These helpers keep the cache
 * in step and require interrupts off (arch/x86/include/asm/tlbflush.h).
 */
static void vmxb_p_cr4_set_vmxe(void)
{
	lockdep_assert_irqs_disabled();
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
}

static void vmxb_p_cr4_clear_vmxe(void)
{
	lockdep_assert_irqs_disabled();
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
}

/*
 * VMXON can #GP (IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, bad address) or #UD
 * (CR4.VMXE clear) (SDM Vol. 3C 31.3 VMXON). As in KVM's kvm_cpu_vmxon(), an
 * exception-table entry turns a fault into a return value instead of an oops.
 * CF or ZF set (VMfail) -> jbe.
 */
static int vmxb_p_vmxon(vmxb_u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m"(pa) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return 1;
fault:
	return -1;
}

/* VMXOFF outside VMX operation raises #UD (31.3 VMXOFF): fixed up likewise. */
static int vmxb_p_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fail, fault);
	return 0;
fail:
	return 1;
fault:
	return -1;
}

static unsigned long vmxb_p_irq_save(void)
{
	unsigned long flags;

	local_irq_save(flags);
	return flags;
}

static void vmxb_p_irq_restore(unsigned long flags)
{
	local_irq_restore(flags);
}

/*
 * One measurement chunk runs with interrupts off; between chunks interrupts
 * are back on and the task may be rescheduled (cond_resched also reports an
 * RCU quiescent state), so no iteration count can cause a soft lockup or an
 * RCU stall. The task cannot leave the CPU meanwhile (ioctl.c).
 */
static void vmxb_p_chunk_enter(void *ctx)
{
	struct vmxb_chunk_state *st = ctx;

	local_irq_save(st->flags);
}

static void vmxb_p_chunk_leave(void *ctx)
{
	struct vmxb_chunk_state *st = ctx;

	local_irq_restore(st->flags);
	cond_resched();
}

void vmxb_platform_init(struct vmxb_platform *pf, struct vmxb_chunk_state *chunk)
{
	*pf = (struct vmxb_platform){
		.rdmsr = vmxb_p_rdmsr,
		.read_cr0 = vmxb_p_read_cr0,
		.read_cr4 = vmxb_p_read_cr4,
		.cr4_set_vmxe = vmxb_p_cr4_set_vmxe,
		.cr4_clear_vmxe = vmxb_p_cr4_clear_vmxe,
		.vmxon = vmxb_p_vmxon,
		.vmxoff = vmxb_p_vmxoff,
		.irq_save = vmxb_p_irq_save,
		.irq_restore = vmxb_p_irq_restore,
		.chunk_enter = vmxb_p_chunk_enter,
		.chunk_leave = vmxb_p_chunk_leave,
		.chunk_ctx = chunk,
	};
}

void vmxb_cpu_facts(struct vmxb_cpu_facts *facts)
{
	const u32 ecx1 = cpuid_ecx(1);
	const u32 ext_max = cpuid_eax(0x80000000);

	facts->intel = boot_cpu_data.x86_vendor == X86_VENDOR_INTEL;
	facts->vmx = !!(ecx1 & BIT(5));         /* CPUID.1:ECX.VMX */
	facts->hypervisor = !!(ecx1 & BIT(31)); /* CPUID.1:ECX.HYPERVISOR */
	facts->long_mode = 1;                   /* an x86-64 kernel runs */
	facts->rdtscp = ext_max >= 0x80000001 && (cpuid_edx(0x80000001) & BIT(27));
	facts->maxphyaddr = boot_cpu_data.x86_phys_bits;
}
