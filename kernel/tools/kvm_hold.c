/*
 * kvm_hold: makes KVM hold VMX on every CPU, then waits to be killed.
 * On Linux 6.1 kvm_intel enables VMX (VMXON, CR4.VMXE=1) only while a VM
 * exists (virt/kvm/kvm_main.c hardware_enable_all from kvm_create_vm), so this
 * creates one with KVM_CREATE_VM and keeps its fd open. Used by the
 * end-to-end test to exercise the module's EBUSY path.
 * Prints "KVM_HOLD ready" once the VM exists; exit 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm;

	if (kvm < 0) {
		printf("KVM_HOLD error: open /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("KVM_HOLD error: KVM_CREATE_VM: %s\n", strerror(errno));
		return 1;
	}
	printf("KVM_HOLD ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
