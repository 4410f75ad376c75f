// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel services for the C++ side (session.cc): MSRs, control registers,
 * Intel PT, interrupt control and the chunk boundaries. The VMX instructions
 * themselves are the C++ wrappers, each with its own exception-table fixup.
 */
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/stddef.h>
#include <asm/extable.h>
#include <asm/extable_fixup_types.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/perf_event.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "vmxbench.h"
#include "primitives/extable.h"

static int vmxb_p_rdmsr(vmxb_u32 index, vmxb_u64 *value)
{
	u64 v = 0;
	int err = vmxb_rdmsr_safe(index, &v); /* #GP (absent MSR) is fixed up, not an oops */

	*value = err ? 0 : v;
	return err ? 1 : 0;
}

/* The clock counters' MSRs (core/chunk_counters.h); a #GP is fixed up. */
static int vmxb_p_wrmsr(vmxb_u32 index, vmxb_u64 value)
{
	return vmxb_wrmsr_safe(index, value) ? 1 : 0;
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

static void vmxb_p_pt_handle_vmx(int on)
{
	intel_pt_handle_vmx(on);
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
 * Between chunks interrupts are on, VMX is off, and the task may be
 * rescheduled (cond_resched also reports an RCU quiescent state), so no
 * iteration count can cause a soft lockup or an RCU stall.
 */
static void vmxb_p_resched(void)
{
	cond_resched();
}

/*
 * The VMX wrappers' fault paths (primitives/capture.h) write exception-table
 * entries by hand, in the layout primitives/extable.h describes; the kernel's
 * fixup_exception() must read them as its own.
 */
static_assert(sizeof(struct exception_table_entry) == VMXB_EXTABLE_ENTRY_SIZE);
static_assert(offsetof(struct exception_table_entry, insn) == 0);
static_assert(offsetof(struct exception_table_entry, fixup) == 4);
static_assert(offsetof(struct exception_table_entry, data) == 8);
static_assert(EX_TYPE_DEFAULT == VMXB_EXTABLE_TYPE_DEFAULT);

void vmxb_platform_init(struct vmxb_platform *pf, int (*should_stop)(void *ctx), void *stop_ctx)
{
	*pf = (struct vmxb_platform){
		.rdmsr = vmxb_p_rdmsr,
		.wrmsr = vmxb_p_wrmsr,
		.read_cr0 = vmxb_p_read_cr0,
		.read_cr4 = vmxb_p_read_cr4,
		.cr4_set_vmxe = vmxb_p_cr4_set_vmxe,
		.cr4_clear_vmxe = vmxb_p_cr4_clear_vmxe,
		.pt_handle_vmx = vmxb_p_pt_handle_vmx,
		.irq_save = vmxb_p_irq_save,
		.irq_restore = vmxb_p_irq_restore,
		.should_stop = should_stop,
		.stop_ctx = stop_ctx,
		.resched = vmxb_p_resched,
	};
	vmxb_guest_platform_init(pf);
}

void vmxb_cpu_facts(struct vmxb_cpu_facts *facts)
{
	u64 fc = 0;

	facts->intel = boot_cpu_data.x86_vendor == X86_VENDOR_INTEL;
	/*
	 * Raw CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3C 24.6): what the CPU has, which
	 * X86_FEATURE_VMX is not. The kernel clears that flag when
	 * IA32_FEATURE_CONTROL disables VMX; kernel_vmx below is its verdict, and
	 * INFO reports both so the user sees which one stops a RUN.
	 */
	facts->vmx = !!(cpuid_ecx(1) & BIT(5));
	facts->hypervisor = this_cpu_has(X86_FEATURE_HYPERVISOR);
	facts->long_mode = 1; /* an x86-64 kernel runs */
	facts->rdtscp = this_cpu_has(X86_FEATURE_RDTSCP);
	facts->maxphyaddr = boot_cpu_data.x86_phys_bits;
	/*
	 * As KVM does, trust the kernel's verdict: init_ia32_feat_ctl() clears
	 * X86_FEATURE_VMX on a CPU whose IA32_FEATURE_CONTROL does not enable VMX
	 * for the mode the kernel runs in (inside SMX under tboot, else outside).
	 * tboot_enabled() is not exported, so "inside SMX" is read back from that
	 * verdict: VMX usable although only the inside-SMX bit is set.
	 */
	facts->kernel_vmx = this_cpu_has(X86_FEATURE_VMX);
	facts->inside_smx = facts->kernel_vmx && !vmxb_rdmsr_safe(MSR_IA32_FEAT_CTL, &fc) &&
			    (fc & FEAT_CTL_VMX_ENABLED_INSIDE_SMX) &&
			    !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX);
}
