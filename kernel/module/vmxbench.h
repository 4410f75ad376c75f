/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the module's C files. */
#ifndef VMXBENCH_INTERNAL_H
#define VMXBENCH_INTERNAL_H

#include <linux/fs.h>

#include "session.h"

#define VMXB_MODULE_VERSION "1.0"

/* platform.c: kernel services for the C++ side; fill in chunk_ctx per run. */
struct vmxb_chunk_state {
	unsigned long flags;
};
void vmxb_platform_init(struct vmxb_platform *pf, struct vmxb_chunk_state *chunk);
void vmxb_cpu_facts(struct vmxb_cpu_facts *facts); /* CPUID of the current CPU */

/* ioctl.c */
long vmxb_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif
