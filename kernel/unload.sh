#!/usr/bin/env bash
# Unloads vmxbench.ko if it is loaded. A RUN in progress finishes first (rmmod
# waits for open file descriptors to close: the module is busy meanwhile).
# Exit: 0 not loaded (any more); 1 rmmod failed; 3 not root.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "unload.sh: run as root" >&2
  exit 3
fi
if grep -q '^vmxbench ' /proc/modules; then
  rmmod vmxbench || { echo "unload.sh: rmmod failed (is /dev/vmxbench still open? fuser -v /dev/vmxbench)" >&2; exit 1; }
  echo "unload.sh: vmxbench unloaded"
else
  echo "unload.sh: vmxbench is not loaded"
fi
