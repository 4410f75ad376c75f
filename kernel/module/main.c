// SPDX-License-Identifier: GPL-2.0
/*
 * vmxbench: times VMX instructions (INVEPT, INVVPID, VMREAD, ...) in VMX root
 * operation on a VT-x host, for //bench's module backend. /dev/vmxbench, root
 * only; the ioctl ABI is kernel/include/vmxbench_abi.h. VMX is entered at the
 * start of each interrupts-off chunk of a request and left at its end, so it is
 * never on while Linux can schedule; a CPU where VMX is already on (KVM) is
 * refused with EBUSY, never shared.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
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

/*
 * Reboot, power-off and kexec run the reboot notifiers before they stop the
 * other CPUs. VMX blocks INIT, so a CPU left in VMX operation could not be
 * brought up by the next kernel: the notifier waits until no RUN is inside a
 * chunk. (Linux's emergency virt-disable callback, used on panic and kdump,
 * is KVM's single slot and stays KVM's; a panic can only catch a CPU inside
 * one chunk, a bounded window.)
 */
static int vmxb_reboot(struct notifier_block *nb, unsigned long action, void *data)
{
	vmxb_stop_runs_for_shutdown();
	return NOTIFY_DONE;
}

static struct notifier_block vmxb_reboot_nb = {
	.notifier_call = vmxb_reboot,
};

static int __init vmxb_init(void)
{
	int err = register_reboot_notifier(&vmxb_reboot_nb);

	if (err) {
		pr_err("register_reboot_notifier failed: %d\n", err);
		return err;
	}
	err = misc_register(&vmxb_misc);
	if (err) {
		pr_err("misc_register failed: %d\n", err);
		unregister_reboot_notifier(&vmxb_reboot_nb);
		return err;
	}
	pr_info("%s ready, ABI %d\n", VMXB_DEVICE_PATH, VMXB_ABI_VERSION);
	return 0;
}

static void __exit vmxb_exit(void)
{
	misc_deregister(&vmxb_misc);
	unregister_reboot_notifier(&vmxb_reboot_nb);
}

module_init(vmxb_init);
module_exit(vmxb_exit);

/* cr4_set_bits_irqsoff and intel_pt_handle_vmx are GPL-only exports. */
MODULE_LICENSE("GPL");
MODULE_AUTHOR("vmxbench");
MODULE_DESCRIPTION("VMX instruction microbenchmarks in VMX root operation");
MODULE_VERSION(VMXB_MODULE_VERSION);
