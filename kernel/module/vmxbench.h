/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the module's C files. */
#ifndef VMXBENCH_INTERNAL_H
#define VMXBENCH_INTERNAL_H

#include <linux/fs.h>
#include <linux/version.h>
#include <asm/msr.h>

#include "session.h"

struct completion;

#define VMXB_MODULE_VERSION "1.0"

/*
 * RDMSR that returns an error instead of oopsing on #GP (an absent MSR).
 * Linux 6.15 renamed rdmsrl_safe() to rdmsrq_safe(); both are inline
 * functions, not macros, so the version decides which one the headers have.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
#define vmxb_rdmsr_safe(msr, value) rdmsrq_safe(msr, value)
#define vmxb_wrmsr_safe(msr, value) wrmsrq_safe(msr, value)
#else
#define vmxb_rdmsr_safe(msr, value) rdmsrl_safe(msr, value)
#define vmxb_wrmsr_safe(msr, value) wrmsrl_safe(msr, value)
#endif

/* A rejected request: one rate-limited dmesg line, and the errno. */
#define vmxb_reject(err, fmt, ...)                                              \
	({                                                                      \
		long __err = (err);                                             \
		pr_notice_ratelimited(fmt " (error %ld)\n", ##__VA_ARGS__, \
				      -__err);                                  \
		__err;                                                          \
	})

/* platform.c: kernel services for the C++ side; should_stop is the RUN's own. */
void vmxb_platform_init(struct vmxb_platform *pf, int (*should_stop)(void *ctx), void *stop_ctx);
void vmxb_cpu_facts(struct vmxb_cpu_facts *facts); /* CPUID of the current CPU */

/* guest_host.c: the guest rows' host-state hooks of struct vmxb_platform. */
void vmxb_guest_platform_init(struct vmxb_platform *pf);
/* guest_memory.c: a guest row's memory for one RUN; free is safe after a failed alloc. */
int vmxb_guest_memory_alloc(struct vmxb_guest_memory *gm);
void vmxb_guest_memory_free(struct vmxb_guest_memory *gm);

/* ioctl.c */
long vmxb_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
/*
 * Reboot, power-off, kexec: stops a RUN in progress at its next chunk
 * boundary, waits for it (VMX is then off everywhere) and refuses new ones.
 */
void vmxb_stop_runs_for_shutdown(void);
/* One RUN or SEMANTICS at a time: 0, -EINTR or -ESHUTDOWN (then not locked). */
/*
 * ioctl.c: runs fn(job) in a kthread bound to `cpu` (name: a format taking
 * the CPU number) and waits for it to complete `done`; a signal sets *stop to
 * -EINTR and waits on, since the thread stops at its next check. 0 or the
 * kthread_create error.
 */
long vmxb_run_bound(int (*fn)(void *), void *job, const char *name, unsigned int cpu,
		    struct completion *done, int *stop);
/* A session's return value (session.h VMXB_SESSION_*) as the ioctl's errno. */
long vmxb_session_errno(int rc, int stop_errno);
int vmxb_runs_lock(void);
void vmxb_runs_unlock(void);
bool vmxb_runs_going_down(void);

/* semantics.c: the SEMANTICS ioctl */
long vmxb_semantics(void __user *uarg);

#endif
