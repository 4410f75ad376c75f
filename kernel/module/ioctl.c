// SPDX-License-Identifier: GPL-2.0
/*
 * The two ioctls of /dev/vmxbench (kernel/include/vmxbench_abi.h). Every field
 * of a request is checked before anything runs; a bad request costs one
 * rate-limited dmesg line and an errno, never more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/workqueue.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tsc.h>

#include "vmxbench.h"
#include "vmxbench_abi.h"

/*
 * One RUN at a time: they share nothing, but one CPU-bound measurement at a
 * time is what a benchmark wants, and the reboot notifier waits on it.
 */
static DEFINE_MUTEX(vmxb_run_lock);
static bool vmxb_going_down; /* set once by the reboot notifier */

static unsigned int max_run_ms = 60000;
module_param(max_run_ms, uint, 0644);
MODULE_PARM_DESC(max_run_ms,
		 "wall-time limit of one RUN in milliseconds (1..3600000, default 60000)");

/* ---- INFO ------------------------------------------------------------------ */

struct vmxb_msr_job {
	u64 msrs[VMXB_NUM_MSRS];
	u32 valid;
};

static void vmxb_read_msrs_here(void *arg)
{
	struct vmxb_msr_job *job = arg;
	int i;

	for (i = 0; i < VMXB_NUM_MSRS; i++) {
		u64 v;

		if (!vmxb_rdmsr_safe(VMXB_MSR_INDEX(i), &v)) {
			job->msrs[i] = v;
			job->valid |= 1u << i;
		}
	}
}

_Static_assert(VMXB_SESSION_CHUNK_FIELDS == VMXB_CHUNK_FIELDS, "session.h mirrors the ABI");
_Static_assert(VMXB_SESSION_COUNTER_SOURCES == VMXB_COUNTER_SOURCES, "session.h mirrors the ABI");
_Static_assert(VMXB_SESSION_FACTS == VMXB_MEASUREMENT_FACTS, "session.h mirrors the ABI");
_Static_assert(VMXB_SESSION_FACT_LEN == VMXB_FACT_LEN, "session.h mirrors the ABI");

struct vmxb_facts_job {
	struct vmxb_platform pf;
	int intel;
	char (*out)[VMXB_FACT_LEN];
};

/* The clock facts of this CPU (CPUID and fault-safe RDMSR probes only). */
static void vmxb_measurement_facts_here(void *arg)
{
	struct vmxb_facts_job *job = arg;

	vmxb_measurement_facts(&job->pf, job->intel, job->out);
}

static void vmxb_cpu_state_here(void *arg)
{
	struct vmxb_cpu_state *st = arg;
	u64 fc;

	st->cr4 = __read_cr4();
	st->flags = VMXB_CPU_ONLINE;
	if (st->cr4 & X86_CR4_VMXE)
		st->flags |= VMXB_CPU_VMXE;
	if (!vmxb_rdmsr_safe(MSR_IA32_FEAT_CTL, &fc)) {
		st->feature_control = fc;
		st->flags |= VMXB_CPU_FC_VALID;
	}
}

static long vmxb_info(void __user *uarg)
{
	struct vmxb_info *info;
	struct vmxb_cpu_state __user *ucpus;
	struct vmxb_cpu_state *states = NULL;
	struct vmxb_msr_job msr_job = {};
	struct vmxb_facts_job facts_job = {};
	struct vmxb_cpu_facts facts;
	u32 cpu, n;
	long err = 0;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	if (copy_from_user(info, uarg, sizeof(*info))) {
		err = vmxb_reject(-EFAULT, "INFO: request not readable");
		goto out;
	}
	if (info->size != sizeof(*info) || info->reserved_in != 0) {
		err = vmxb_reject(-EINVAL, "INFO: size %u (expected %zu) or reserved field set",
				  info->size, sizeof(*info));
		goto out;
	}
	if (info->cpus_capacity > VMXB_MAX_CPUS_REQUEST ||
	    (info->cpus_capacity != 0 && info->cpus_ptr == 0)) {
		err = vmxb_reject(-EINVAL, "INFO: cpus_capacity %u without room",
				  info->cpus_capacity);
		goto out;
	}
	ucpus = u64_to_user_ptr(info->cpus_ptr);
	n = min_t(u32, info->cpus_capacity, nr_cpu_ids);
	if (n && !access_ok(ucpus, (size_t)n * sizeof(*ucpus))) {
		err = vmxb_reject(-EFAULT, "INFO: cpus_ptr not writable");
		goto out;
	}
	if (info->msr_cpu >= nr_cpu_ids) {
		err = vmxb_reject(-EINVAL, "INFO: msr_cpu %u >= nr_cpu_ids %u", info->msr_cpu,
				  nr_cpu_ids);
		goto out;
	}

	if (n) {
		states = kvcalloc(n, sizeof(*states), GFP_KERNEL);
		if (!states) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* The IPIs need CPUs that stay online; user memory is touched only after. */
	cpus_read_lock();
	if (!cpu_online(info->msr_cpu)) {
		cpus_read_unlock();
		err = vmxb_reject(-ENODEV, "INFO: CPU %u is offline", info->msr_cpu);
		goto out;
	}
	smp_call_function_single(info->msr_cpu, vmxb_read_msrs_here, &msr_job, 1);
	vmxb_platform_init(&facts_job.pf, NULL, NULL);
	facts_job.intel = boot_cpu_data.x86_vendor == X86_VENDOR_INTEL;
	facts_job.out = info->measurement;
	smp_call_function_single(info->msr_cpu, vmxb_measurement_facts_here, &facts_job, 1);
	for (cpu = 0; cpu < n; cpu++) {
		states[cpu].cpu = cpu;
		if (cpu_online(cpu))
			smp_call_function_single(cpu, vmxb_cpu_state_here, &states[cpu], 1);
	}
	info->nr_online = num_online_cpus();
	cpus_read_unlock();
	if (n && copy_to_user(ucpus, states, (size_t)n * sizeof(*states))) {
		err = vmxb_reject(-EFAULT, "INFO: cpus_ptr not writable");
		goto out;
	}

	vmxb_cpu_facts(&facts);
	info->abi_version = VMXB_ABI_VERSION;
	info->op_count = vmxb_op_count();
	info->op_table_hash = vmxb_op_table_hash();
	info->max_iterations = VMXB_MAX_ITERATIONS;
	info->max_chunk = VMXB_MAX_CHUNK;
	info->cpuid_flags = (facts.vmx ? VMXB_CPUID_VMX : 0) |
			    (facts.hypervisor ? VMXB_CPUID_HYPERVISOR : 0) |
			    (facts.rdtscp ? VMXB_CPUID_RDTSCP : 0) |
			    (facts.intel ? VMXB_CPUID_INTEL : 0);
	info->family = boot_cpu_data.x86;
	info->model = boot_cpu_data.x86_model;
	info->stepping = boot_cpu_data.x86_stepping;
	info->microcode = boot_cpu_data.microcode;
	info->tsc_khz = tsc_khz;
	info->nr_cpu_ids = nr_cpu_ids;
	info->cpus_written = n;
	info->msr_valid = msr_job.valid;
	memcpy(info->msrs, msr_job.msrs, sizeof(info->msrs));
	strscpy(info->module_version, VMXB_MODULE_VERSION, sizeof(info->module_version));
	strscpy(info->kernel_release, utsname()->release, sizeof(info->kernel_release));
	strscpy(info->cpu_vendor, boot_cpu_data.x86_vendor_id, sizeof(info->cpu_vendor));
	if (copy_to_user(uarg, info, sizeof(*info)))
		err = vmxb_reject(-EFAULT, "INFO: reply not writable");
out:
	kvfree(states);
	kfree(info);
	return err;
}

/* ---- RUN ------------------------------------------------------------------- */

struct vmxb_job {
	struct vmxb_session_in in;
	struct vmxb_session_out out;
	struct vmxb_guest_memory guest; /* guest rows only */
	struct completion done;
	unsigned int cpu;
	unsigned long deadline; /* jiffies */
	int stop;               /* set by the waiting ioctl: -EINTR */
	int rc;                 /* vmxb_session_run()'s */
};

/*
 * Asked with interrupts off at every chunk start, in the RUN's kthread. The
 * thread is bound to job->cpu; if that CPU goes offline the scheduler moves
 * it, and the RUN stops instead of measuring somewhere else.
 */
static int vmxb_should_stop(void *ctx)
{
	struct vmxb_job *job = ctx;
	int stop = READ_ONCE(job->stop);

	if (stop)
		return stop;
	if (READ_ONCE(vmxb_going_down))
		return -ESHUTDOWN;
	if (raw_smp_processor_id() != job->cpu)
		return -ENODEV;
	if (time_after(jiffies, job->deadline))
		return -ETIME;
	return 0;
}

/*
 * The RUN itself, in a kthread bound to the requested CPU: no hotplug lock is
 * held (a long RUN does not block CPU hotplug), and the ioctl's task waits
 * interruptibly. VMX is on only inside the interrupts-off chunks of
 * vmxb_session_run(), so the thread may be preempted between them.
 */
static int vmxb_job_thread(void *arg)
{
	struct vmxb_job *job = arg;
	struct vmxb_platform pf;

	vmxb_platform_init(&pf, vmxb_should_stop, job);
	vmxb_cpu_facts(&job->in.cpu);
	job->rc = vmxb_session_run(&pf, &job->in, &job->out);
	/* Signals the ioctl and exits without returning into module text. */
	kthread_complete_and_exit(&job->done, 0);
}

static long vmxb_run_on_cpu(struct vmxb_job *job, unsigned int cpu)
{
	unsigned int ms = clamp_val(READ_ONCE(max_run_ms), 1u, 3600000u);

	long err;

	job->cpu = cpu;
	job->deadline = jiffies + msecs_to_jiffies(ms);
	/* The thread stops at its next chunk boundary: one chunk at most. */
	err = vmxb_run_bound(vmxb_job_thread, job, "vmxbench/%u", cpu, &job->done, &job->stop);
	return err ? err : vmxb_session_errno(job->rc, job->out.stop_errno);
}

long vmxb_run_bound(int (*fn)(void *), void *job, const char *name, unsigned int cpu,
		    struct completion *done, int *stop)
{
	struct task_struct *task;

	init_completion(done);
	task = kthread_create(fn, job, name, cpu);
	if (IS_ERR(task))
		return PTR_ERR(task);
	kthread_bind(task, cpu);
	wake_up_process(task);
	if (wait_for_completion_interruptible(done)) {
		WRITE_ONCE(*stop, -EINTR);
		wait_for_completion(done);
	}
	return 0;
}

long vmxb_session_errno(int rc, int stop_errno)
{
	if (rc == VMXB_SESSION_BUSY)
		return -EBUSY;
	if (rc == VMXB_SESSION_STOPPED)
		return stop_errno;
	return 0;
}

/* Canonical for this kernel's paging mode (48 or 57 linear-address bits). */
static bool vmxb_canonical(u64 la)
{
	return __is_canonical_address(la, boot_cpu_data.x86_virt_bits);
}

/* Sample entries a RUN writes: iterations per series (4 for the touch rows). */
static u32 vmxb_samples_needed(const struct vmxb_run *r)
{
	return r->iterations * vmxb_op_sample_series(r->op); /* <= 4 << 20 */
}

static long vmxb_check_run(const struct vmxb_run *r)
{
	int i;

	if (r->size != sizeof(*r))
		return vmxb_reject(-EINVAL, "RUN: size %u, expected %zu", r->size, sizeof(*r));
	if ((r->flags & ~VMXB_RUN_FLAGS) != 0)
		return vmxb_reject(-EINVAL, "RUN: unknown flags %#x", r->flags);
	for (i = 0; i < ARRAY_SIZE(r->reserved_in); i++)
		if (r->reserved_in[i] != 0)
			return vmxb_reject(-EINVAL, "RUN: reserved_in[%d] must be 0", i);
	if (r->op >= vmxb_op_count())
		return vmxb_reject(-EINVAL, "RUN: operation id %u out of range 0..%u", r->op,
				   vmxb_op_count() - 1);
	if (r->iterations == 0 || r->iterations > VMXB_MAX_ITERATIONS)
		return vmxb_reject(-EINVAL, "RUN: iterations %u not in 1..%u", r->iterations,
				   VMXB_MAX_ITERATIONS);
	if (r->warmup > VMXB_MAX_ITERATIONS)
		return vmxb_reject(-EINVAL, "RUN: warm-up %u > %u", r->warmup, VMXB_MAX_ITERATIONS);
	if (r->chunk > VMXB_MAX_CHUNK)
		return vmxb_reject(-EINVAL, "RUN: chunk %u > %u", r->chunk, VMXB_MAX_CHUNK);
	if (r->pages > VMXB_MAX_PAGES)
		return vmxb_reject(-EINVAL, "RUN: pages %u > %u", r->pages, VMXB_MAX_PAGES);
	if (r->samples_capacity < vmxb_samples_needed(r) || r->samples_ptr == 0)
		return vmxb_reject(-EINVAL, "RUN: %u sample entries < %u iterations x %u",
				   r->samples_capacity, r->iterations,
				   vmxb_op_sample_series(r->op));
	if (!access_ok(u64_to_user_ptr(r->samples_ptr),
		       (size_t)vmxb_samples_needed(r) * sizeof(u64)))
		return vmxb_reject(-EFAULT, "RUN: sample buffer not in user space");
	if (!vmxb_canonical(r->linear_address))
		return vmxb_reject(-EINVAL, "RUN: linear address %#llx not canonical",
				   r->linear_address);
	if (r->cpu >= nr_cpu_ids)
		return vmxb_reject(-EINVAL, "RUN: CPU %u >= nr_cpu_ids %u", r->cpu, nr_cpu_ids);
	if (!cpu_online(r->cpu))
		return vmxb_reject(-ENODEV, "RUN: CPU %u is offline", r->cpu);
	return 0;
}

/* The 4-KiB pages of one RUN, by what they hold. */
enum vmxb_page {
	VMXB_PAGE_VMXON,	/* VMXON region */
	VMXB_PAGE_VMCS,		/* the current VMCS */
	VMXB_PAGE_VMCS_OTHER,	/* a second VMCS, for VMCLEAR */
	VMXB_PAGE_EPT_ROOT,	/* EPT PML4, also the default INVVPID linear address */
	VMXB_PAGES
};

static long vmxb_run_locked(struct vmxb_run *r, struct vmxb_job *job)
{
	unsigned long pages[VMXB_PAGES] = {};
	vmxb_u64 *samples, *overhead;
	long err;
	int i;

	err = -ENOMEM;
	samples = kvcalloc(vmxb_samples_needed(r), sizeof(*samples), GFP_KERNEL);
	overhead = kcalloc(VMXB_OVERHEAD_SAMPLES, sizeof(*overhead), GFP_KERNEL);
	if (!samples || !overhead)
		goto out;
	for (i = 0; i < VMXB_PAGES; i++) {
		pages[i] = get_zeroed_page(GFP_KERNEL); /* 4-KiB aligned, WB memory */
		if (!pages[i])
			goto out;
	}
	if (vmxb_op_needs_guest(r->op) && vmxb_guest_memory_alloc(&job->guest))
		goto out;

	job->in = (struct vmxb_session_in){
		.op = r->op,
		.vpid = r->vpid ? r->vpid : 1, /* VPID 0 is the host's (SDM 29.1) */
		.iterations = r->iterations,
		.warmup = r->warmup,
		.chunk = r->chunk ? r->chunk : VMXB_DEFAULT_CHUNK,
		.linear_address = r->linear_address ? r->linear_address
						    : pages[VMXB_PAGE_EPT_ROOT],
		.vmxon_va = (void *)pages[VMXB_PAGE_VMXON],
		.vmcs_va = (void *)pages[VMXB_PAGE_VMCS],
		.vmcs_other_va = (void *)pages[VMXB_PAGE_VMCS_OTHER],
		.ept_root_va = (void *)pages[VMXB_PAGE_EPT_ROOT],
		.vmxon_pa = __pa(pages[VMXB_PAGE_VMXON]),
		.vmcs_pa = __pa(pages[VMXB_PAGE_VMCS]),
		.vmcs_other_pa = __pa(pages[VMXB_PAGE_VMCS_OTHER]),
		.ept_root_pa = __pa(pages[VMXB_PAGE_EPT_ROOT]),
		.samples = samples,
		.samples_capacity = vmxb_samples_needed(r),
		.pages = r->pages,
		.guest = vmxb_op_needs_guest(r->op) ? &job->guest : NULL,
		.overhead = overhead,
		.overhead_n = VMXB_OVERHEAD_SAMPLES,
	};
	job->in.without_vmxon = !!(r->flags & VMXB_RUN_FAULT_TEST);
	err = vmxb_run_on_cpu(job, r->cpu);
	switch (err) {
	case 0:
		break;
	case -EBUSY:
		err = vmxb_reject(-EBUSY,
				  "RUN: CR4.VMXE set on CPU %u: VMX is held by another hypervisor (KVM?)",
				  r->cpu);
		goto out;
	case -EINTR:
		err = vmxb_reject(-EINTR, "RUN on CPU %u interrupted by a signal", r->cpu);
		goto out;
	case -ESHUTDOWN:
		err = vmxb_reject(-ESHUTDOWN, "RUN on CPU %u stopped: the system is going down",
				  r->cpu);
		goto out;
	case -ETIME:
		err = vmxb_reject(-ETIME, "RUN on CPU %u stopped after max_run_ms=%u", r->cpu,
				  READ_ONCE(max_run_ms));
		goto out;
	case -ENODEV:
		err = vmxb_reject(-ENODEV, "RUN stopped: CPU %u went offline", r->cpu);
		goto out;
	default:
		err = vmxb_reject(err, "RUN: CPU %u unavailable", r->cpu);
		goto out;
	}
	/* Only VMXE is ours; other bits (e.g. CR4.PCE) may change legitimately. */
	if ((job->out.cr4_after ^ job->out.cr4_before) & X86_CR4_VMXE)
		pr_err_ratelimited("CR4.VMXE %s after the run on CPU %u\n",
				   job->out.cr4_after & X86_CR4_VMXE ? "left set" : "cleared",
				   r->cpu);

	r->status = job->out.status;
	r->vm_error = job->out.vm_error;
	r->samples_written = min(job->out.samples_written, r->iterations); /* per series */
	r->overhead_min = job->out.overhead_min;
	r->eptp = job->out.eptp;
	r->cr4_before = job->out.cr4_before;
	r->cr4_after = job->out.cr4_after;
	r->vmx_entered = job->out.vmx_entered;
	strscpy(r->reason, job->out.reason, sizeof(r->reason));
	memcpy(r->chunk_totals, job->out.chunk_totals, sizeof(r->chunk_totals));
	memcpy(r->counter_states, job->out.counter_states, sizeof(r->counter_states));
	err = 0;
	/* Series k starts at entry k x iterations: copy them all (zeros past samples_written). */
	if (r->samples_written &&
	    copy_to_user(u64_to_user_ptr(r->samples_ptr), samples,
			 (size_t)vmxb_samples_needed(r) * sizeof(u64)))
		err = vmxb_reject(-EFAULT, "RUN: sample buffer not writable");
out:
	vmxb_guest_memory_free(&job->guest); /* nothing if not a guest row */
	for (i = 0; i < VMXB_PAGES; i++)
		free_page(pages[i]); /* free_page(0) is a no-op */
	kfree(overhead);
	kvfree(samples);
	return err;
}

static long vmxb_run(void __user *uarg)
{
	struct vmxb_run *r;
	struct vmxb_job *job;
	long err;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	err = -ENOMEM;
	if (!r || !job)
		goto out;
	err = 0;
	if (copy_from_user(r, uarg, sizeof(*r)))
		err = vmxb_reject(-EFAULT, "RUN: request not readable");
	if (!err)
		err = vmxb_check_run(r);
	if (err)
		goto out;

	if (mutex_lock_interruptible(&vmxb_run_lock)) {
		err = -EINTR;
		goto out;
	}
	if (READ_ONCE(vmxb_going_down))
		err = vmxb_reject(-ESHUTDOWN, "RUN refused: the system is going down");
	else
		err = vmxb_run_locked(r, job);
	mutex_unlock(&vmxb_run_lock);
	if (!err && copy_to_user(uarg, r, sizeof(*r)))
		err = vmxb_reject(-EFAULT, "RUN: reply not writable");
out:
	kfree(job);
	kfree(r);
	return err;
}

/* The SEMANTICS ioctl (semantics.c) runs under the same lock as a RUN. */
int vmxb_runs_lock(void)
{
	if (mutex_lock_interruptible(&vmxb_run_lock))
		return -EINTR;
	if (READ_ONCE(vmxb_going_down)) {
		mutex_unlock(&vmxb_run_lock);
		return vmxb_reject(-ESHUTDOWN, "request refused: the system is going down");
	}
	return 0;
}

void vmxb_runs_unlock(void)
{
	mutex_unlock(&vmxb_run_lock);
}

bool vmxb_runs_going_down(void)
{
	return READ_ONCE(vmxb_going_down);
}

void vmxb_stop_runs_for_shutdown(void)
{
	bool running;

	WRITE_ONCE(vmxb_going_down, true);
	running = mutex_is_locked(&vmxb_run_lock);
	mutex_lock(&vmxb_run_lock);
	mutex_unlock(&vmxb_run_lock);
	/* A measurement cut short is worth a warning; otherwise only info. */
	if (running)
		/* One string, longer than 100 columns: kernel/e2e greps for it. */
		pr_warn(
		"system going down: the RUN in progress stopped at a chunk boundary; VMX is off on every CPU\n");
	else
		pr_info("system going down: no RUN in progress; VMX is off on every CPU\n");
}

long vmxb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case VMXB_IOC_INFO:
		return vmxb_info((void __user *)arg);
	case VMXB_IOC_RUN:
		return vmxb_run((void __user *)arg);
	case VMXB_IOC_SEMANTICS:
		return vmxb_semantics((void __user *)arg);
	default:
		return -ENOTTY;
	}
}
