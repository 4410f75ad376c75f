#!/usr/bin/env bash
# Builds vmxbench.ko for the running kernel and loads it (reloading an older
# one), then shows /dev/vmxbench and whether KVM holds VMX somewhere.
#   sudo kernel/load.sh [--ko PATH]      --ko: load this module instead of building
# Exit: 0 loaded; 1 build or insmod failed; 3 not root / no headers.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ko=""
[ "${1:-}" = "--ko" ] && ko=${2:?--ko needs a path}
if [ "$(id -u)" -ne 0 ]; then
  echo "load.sh: run as root (insmod, and /dev/vmxbench is mode 0600)" >&2
  exit 3
fi
if [ -z "$ko" ]; then
  kdir="/lib/modules/$(uname -r)/build"
  [ -f "$kdir/Makefile" ] || { echo "load.sh: no headers for $(uname -r): apt-get install linux-headers-$(uname -r)" >&2; exit 3; }
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  "$here/build.sh" --kdir "$kdir" "$out" || exit 1
  ko="$out/vmxbench.ko"
fi
if grep -q '^vmxbench ' /proc/modules; then
  rmmod vmxbench
fi
insmod "$ko" || { echo "load.sh: insmod failed; dmesg | tail says why" >&2; exit 1; }
command -v udevadm >/dev/null && udevadm settle 2>/dev/null || true
ls -l /dev/vmxbench
# CR4.VMXE cannot be read from user space; a loaded kvm_intel is the usual holder.
if grep -q '^kvm_intel ' /proc/modules; then
  echo "load.sh: note: kvm_intel is loaded. While it holds VMX (a VM exists, or Linux >= 6.12 with" \
    "kvm.enable_virt_at_load=Y) RUN fails with EBUSY: close the VMs, modprobe -r kvm_intel, or" \
    "load kvm with enable_virt_at_load=0."
fi
