// SPDX-License-Identifier: GPL-2.0
/*
 * vmxbench: times VMX instructions (INVEPT, INVVPID, VMREAD, ...) in VMX root
 * operation on a VT-x host, for //bench's module backend. /dev/vmxbench, root
 * only; the ioctl ABI is kernel/include/vmxbench_abi.h. VMX is entered per
 * request and left before the request returns; a CPU where VMX is already on
 * (KVM) is refused with EBUSY, never shared.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "vmxbench.h"
#include "vmxbench_abi.h"

static int vmxb_open(struct inode *inode, struct file *file)
{
	/* Mode 0600 already keeps others out; this covers a relaxed udev rule. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return nonseekable_open(inode, file);
}

static const struct file_operations vmxb_fops = {
	.owner = THIS_MODULE,
	.open = vmxb_open,
	.unlocked_ioctl = vmxb_ioctl,
	.compat_ioctl = compat_ptr_ioctl, /* __u64 pointers: same layout for 32-bit callers */
};

static struct miscdevice vmxb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = VMXB_DEVICE_NAME,
	.fops = &vmxb_fops,
	.mode = 0600,
};

static int __init vmxb_init(void)
{
	int err = misc_register(&vmxb_misc);

	if (err)
		pr_err("vmxbench: misc_register failed: %d\n", err);
	else
		pr_info("vmxbench: %s ready, ABI %d\n", VMXB_DEVICE_PATH, VMXB_ABI_VERSION);
	return err;
}

static void __exit vmxb_exit(void)
{
	misc_deregister(&vmxb_misc);
}

module_init(vmxb_init);
module_exit(vmxb_exit);

/* work_on_cpu_safe, migrate_disable and cr4_read_shadow are GPL-only exports. */
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vmxbench");
MODULE_DESCRIPTION("VMX instruction microbenchmarks in VMX root operation");
MODULE_VERSION(VMXB_MODULE_VERSION);
