// SPDX-License-Identifier: GPL-2.0
/*
 * The SEMANTICS ioctl (kernel/include/vmxbench_abi.h): the semantics suite on
 * one CPU, in a kthread bound there, its lines copied to the caller's buffer.
 * The suite itself is semantics_platform.cc; this is its Linux side: the
 * request check, the pages, CPUID, and the die notifier that tells the suite
 * which vector a fixed-up fault had.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/kdebug.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/processor.h>

#include "vmxbench.h"
#include "vmxbench_abi.h"
#include "semantics_session.h"

/*
 * The CPU the suite runs on (-1: none) and the vector of the last trap the
 * kernel announced there. Written by the notifier on that CPU with
 * interrupts off, read by the suite on the same CPU: no other writer.
 */
static int vmxb_sem_cpu = -1;
static int vmxb_sem_trap = -1;

/*
 * do_error_trap() calls the die chain with DIE_TRAP before it fixes up a
 * kernel-mode #UD, #SS or #DE; recording the vector changes nothing else
 * (NOTIFY_DONE), the exception-table fixup then resumes the instruction.
 */
static int vmxb_sem_die(struct notifier_block *nb, unsigned long val, void *data)
{
	struct die_args *args = data;

	if (val == DIE_TRAP && READ_ONCE(vmxb_sem_cpu) == raw_smp_processor_id())
		WRITE_ONCE(vmxb_sem_trap, args->trapnr);
	return NOTIFY_DONE;
}

static struct notifier_block vmxb_sem_die_nb = {
	.notifier_call = vmxb_sem_die,
};

static int vmxb_sem_take_trap(void)
{
	int v = READ_ONCE(vmxb_sem_trap);

	WRITE_ONCE(vmxb_sem_trap, -1);
	return v;
}

static void vmxb_sem_clear_trap(void)
{
	WRITE_ONCE(vmxb_sem_trap, -1);
}

struct vmxb_sem_job {
	struct vmxb_semantics_in in;
	struct vmxb_semantics_out out;
	struct vmxb_guest_memory guest; /* the guest cases' memory (guest_memory.c) */
	struct completion done;
	unsigned int cpu;
	int stop; /* set by the waiting ioctl: -EINTR */
	int rc;
};

static int vmxb_sem_should_stop(void *ctx)
{
	struct vmxb_sem_job *job = ctx;
	int stop = READ_ONCE(job->stop);

	if (stop)
		return stop;
	if (vmxb_runs_going_down())
		return -ESHUTDOWN;
	if (raw_smp_processor_id() != job->cpu)
		return -ENODEV;
	return 0;
}

static void vmxb_sem_cpuid(struct vmxb_semantics_in *in)
{
	unsigned int eax, ebx, ecx, edx;

	in->cpuid_1_ecx = cpuid_ecx(1);
	if (cpuid_eax(0) >= 7) {
		cpuid_count(7, 0, &eax, &ebx, &ecx, &edx);
		in->cpuid_7_ebx = ebx;
		in->cpuid_7_edx = edx;
	}
	if (cpuid_eax(0x80000000) >= 0x80000008)
		in->cpuid_80000008_eax = cpuid_eax(0x80000008);
}

static int vmxb_sem_thread(void *arg)
{
	struct vmxb_sem_job *job = arg;
	struct vmxb_platform pf;

	vmxb_platform_init(&pf, vmxb_sem_should_stop, job);
	vmxb_cpu_facts(&job->in.cpu);
	vmxb_sem_cpuid(&job->in);
	WRITE_ONCE(vmxb_sem_cpu, job->cpu);
	job->rc = vmxb_semantics_run(&pf, &job->in, &job->out);
	WRITE_ONCE(vmxb_sem_cpu, -1);
	kthread_complete_and_exit(&job->done, 0);
}

static long vmxb_sem_on_cpu(struct vmxb_sem_job *job, unsigned int cpu)
{
	long err;

	job->cpu = cpu;
	/* A signal is checked once, before the suite's one interrupts-off section. */
	err = vmxb_run_bound(vmxb_sem_thread, job, "vmxbench-sem/%u", cpu, &job->done, &job->stop);
	return err ? err : vmxb_session_errno(job->rc, job->out.stop_errno);
}

static long vmxb_check_semantics(const struct vmxb_semantics *s)
{
	int i;

	if (s->size != sizeof(*s) || s->version != VMXB_SEMANTICS_VERSION)
		return vmxb_reject(-EINVAL, "SEMANTICS: size %u version %u, expected %zu and %u",
				   s->size, s->version, sizeof(*s), VMXB_SEMANTICS_VERSION);
	if ((s->flags & ~VMXB_SEMANTICS_FLAGS) != 0 || s->reserved_in0 != 0)
		return vmxb_reject(-EINVAL, "SEMANTICS: unknown flags %#x or reserved field set",
				   s->flags);
	for (i = 0; i < ARRAY_SIZE(s->reserved_in); i++)
		if (s->reserved_in[i] != 0)
			return vmxb_reject(-EINVAL, "SEMANTICS: reserved_in[%d] must be 0", i);
	if (s->output_capacity == 0 || s->output_capacity > VMXB_SEMANTICS_MAX_OUTPUT ||
	    s->output_ptr == 0)
		return vmxb_reject(-EINVAL, "SEMANTICS: output buffer of %u bytes not in 1..%u",
				   s->output_capacity, VMXB_SEMANTICS_MAX_OUTPUT);
	if (!access_ok(u64_to_user_ptr(s->output_ptr), s->output_capacity))
		return vmxb_reject(-EFAULT, "SEMANTICS: output buffer not in user space");
	if (s->cpu >= nr_cpu_ids)
		return vmxb_reject(-EINVAL, "SEMANTICS: CPU %u >= nr_cpu_ids %u", s->cpu,
				   nr_cpu_ids);
	if (!cpu_online(s->cpu))
		return vmxb_reject(-ENODEV, "SEMANTICS: CPU %u is offline", s->cpu);
	return 0;
}

static long vmxb_semantics_locked(struct vmxb_semantics *s, struct vmxb_sem_job *job)
{
	unsigned long pages[VMXB_SEM_PAGES] = {};
	char *output;
	long err = -ENOMEM;
	int i;

	output = kvzalloc(s->output_capacity, GFP_KERNEL);
	if (!output)
		goto out;
	for (i = 0; i < VMXB_SEM_PAGES; i++) {
		pages[i] = get_zeroed_page(GFP_KERNEL); /* 4-KiB aligned, WB memory */
		if (!pages[i])
			goto out;
		job->in.page_va[i] = (void *)pages[i];
		job->in.page_pa[i] = __pa(pages[i]);
	}
	job->in.output = output;
	job->in.capacity = s->output_capacity;
	job->in.emulator_bochs = !!(s->flags & VMXB_SEMANTICS_EMULATOR_BOCHS);
	job->in.take_trap_vector = vmxb_sem_take_trap;
	job->in.clear_trap_vector = vmxb_sem_clear_trap;
	/* Without it the guest cases SKIP, the rest of the suite runs. */
	job->in.guest_memory = vmxb_guest_memory_alloc(&job->guest) ? NULL : &job->guest;

	err = register_die_notifier(&vmxb_sem_die_nb);
	if (err)
		goto out;
	err = vmxb_sem_on_cpu(job, s->cpu);
	unregister_die_notifier(&vmxb_sem_die_nb);
	if (err == -EBUSY) {
		err = vmxb_reject(-EBUSY,
				  "SEMANTICS: CR4.VMXE set on CPU %u: VMX is held by another hypervisor (KVM?)",
				  s->cpu);
		goto out;
	}
	if (err) {
		err = vmxb_reject(err, "SEMANTICS on CPU %u stopped", s->cpu);
		goto out;
	}
	if ((job->out.cr4_after ^ job->out.cr4_before) & X86_CR4_VMXE)
		pr_err_ratelimited("CR4.VMXE %s after the semantics suite on CPU %u\n",
				   job->out.cr4_after & X86_CR4_VMXE ? "left set" : "cleared",
				   s->cpu);
	s->output_written = min(job->out.written, s->output_capacity);
	s->output_needed = job->out.needed;
	s->result_flags = (job->out.passed ? VMXB_SEMANTICS_PASSED : 0) |
			  (job->out.needed > s->output_written ? VMXB_SEMANTICS_TRUNCATED : 0);
	s->vmx_entered = job->out.vmx_entered;
	s->cr4_before = job->out.cr4_before;
	s->cr4_after = job->out.cr4_after;
	err = 0;
	if (s->output_written &&
	    copy_to_user(u64_to_user_ptr(s->output_ptr), output, s->output_written))
		err = vmxb_reject(-EFAULT, "SEMANTICS: output buffer not writable");
out:
	vmxb_guest_memory_free(&job->guest); /* nothing if never allocated */
	for (i = 0; i < VMXB_SEM_PAGES; i++)
		free_page(pages[i]); /* free_page(0) is a no-op */
	kvfree(output);
	return err;
}

long vmxb_semantics(void __user *uarg)
{
	struct vmxb_semantics *s;
	struct vmxb_sem_job *job;
	long err = -ENOMEM;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!s || !job)
		goto out;
	err = 0;
	if (copy_from_user(s, uarg, sizeof(*s)))
		err = vmxb_reject(-EFAULT, "SEMANTICS: request not readable");
	if (!err)
		err = vmxb_check_semantics(s);
	if (err)
		goto out;
	err = vmxb_runs_lock();
	if (err)
		goto out;
	err = vmxb_semantics_locked(s, job);
	vmxb_runs_unlock();
	if (!err && copy_to_user(uarg, s, sizeof(*s)))
		err = vmxb_reject(-EFAULT, "SEMANTICS: reply not writable");
out:
	kfree(job);
	kfree(s);
	return err;
}
