#!/usr/bin/env bash
# End-to-end test of the kernel module under Bochs (no VT-x, no module loading
# on our machines): builds vmxbench.ko against Debian's kernel headers, boots
# the matching Debian kernel (`cpu: model=corei7_skylake_x`, VMX+EPT+VPID) from
# a GRUB ISO whose initramfs holds the module, the test programs and //bench,
# runs kernel/e2e/guest_init.sh there and checks its PASS/FAIL lines.
# Guest serial lines are echoed to stderr as they arrive.
#
#   e2e_bochs_test.sh --vmxbctl P --fuzz P --kvm-hold P [--bench P] [--kernel 6.12]
# --vmxbctl/--fuzz/--kvm-hold: the static test programs (//kernel:...);
# --bench: the //bench binary (without it the bench checks are not run).
# --kernel 6.12: Debian's 6.12 kernel and headers from the cache instead of the
# installed headers and their kernel (6.1): kvm.enable_virt_at_load=Y paths.
# Environment:
#   VMXB_KERNEL_CACHE                      kernel/fetch_kernel.sh's cache (/var/cache/vmxbench)
#   VMXB_BOCHS_TIMEOUT                     wall-clock limit for Bochs, seconds (540)
# Exit: 0 all required checks passed; 1 a check failed or is missing; 2 setup problem.
set -uo pipefail

t_start=$(date +%s)
log() { echo "e2e[$(($(date +%s) - t_start))s]: $*" >&2; }
die() { log "ERROR: $*"; exit 2; }

# Under `bazel test` the script runs as kernel/e2e_bochs_test in the runfiles tree.
if [ -n "${TEST_SRCDIR:-}" ]; then
  kernel_dir="$TEST_SRCDIR/${TEST_WORKSPACE:-vmxbench}/kernel"
else
  kernel_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fi
here="$kernel_dir/e2e"
cache=${VMXB_KERNEL_CACHE:-/var/cache/vmxbench}
work=${TEST_TMPDIR:-$(mktemp -d /tmp/vmxbench-e2e.XXXXXX)}
timeout_s=${VMXB_BOCHS_TIMEOUT:-540}

vmxbctl="" fuzz="" kvm_hold="" bench="" kernel=default
while [ $# -gt 0 ]; do
  case $1 in
    --vmxbctl) vmxbctl=$2; shift 2 ;;
    --fuzz) fuzz=$2; shift 2 ;;
    --kvm-hold) kvm_hold=$2; shift 2 ;;
    --bench) bench=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    *) die "unknown argument $1" ;;
  esac
done
# Bazel passes runfiles-relative paths; make them absolute.
abs() { [ -n "$1" ] && [ -e "$1" ] && echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
vmxbctl=$(abs "$vmxbctl") || die "--vmxbctl missing"
fuzz=$(abs "$fuzz") || die "--fuzz missing"
kvm_hold=$(abs "$kvm_hold") || die "--kvm-hold missing"
if [ -n "$bench" ]; then bench=$(abs "$bench") || die "--bench $bench missing"; fi

for tool in bochs grub-mkrescue xorriso cpio gzip script timeout; do
  command -v $tool >/dev/null || die "$tool missing: run tools/setup"
done
busybox=$(command -v busybox) || die "busybox missing: run tools/setup (busybox-static)"

# --- 1. the module, built against the installed headers, warnings fatal --------
kdir_args=()
if [ "$kernel" = 6.12 ]; then
  kdir=$(ls -d "$cache"/headers-6.12.*/usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -n1)
  [ -n "$kdir" ] || die "no Debian 6.12 headers in $cache: run kernel/fetch_kernel.sh (as root; tools/setup does)"
  kdir_args=(--kdir "$kdir")
elif [ "$kernel" != default ]; then
  die "--kernel must be default or 6.12"
fi
log "building vmxbench.ko"
"$kernel_dir/build.sh" --werror "${kdir_args[@]}" "$work/module" >&2 || { log "FAIL: module build"; exit 1; }
release=$(modinfo -F vermagic "$work/module/vmxbench.ko" | cut -d' ' -f1)
image="$cache/image-$release"
vmlinuz="$image/boot/vmlinuz-$release"
moddir="$image/lib/modules/$release/kernel"
[ -f "$vmlinuz" ] || die "no kernel image for $release in $image: run kernel/fetch_kernel.sh (as root; tools/setup does)"

# --- 2. initramfs ----------------------------------------------------------------
root="$work/initramfs"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib/vmxb,lib64,etc}
cp "$busybox" "$root/bin/busybox"
cp "$here/guest_init.sh" "$root/init"
chmod 755 "$root/init"
cp "$work/module/vmxbench.ko" "$root/lib/vmxb/"
for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-intel.ko; do
  if [ -f "$moddir/$m" ]; then
    cp "$moddir/$m" "$root/lib/vmxb/"
  elif [ -f "$moddir/$m.xz" ]; then  # 6.12 ships xz-compressed modules; busybox insmod wants plain ones
    xz -dc "$moddir/$m.xz" > "$root/lib/vmxb/$(basename "$m")" || die "xz failed (install xz-utils)"
  else
    die "$moddir/$m missing (linux-image-$release incomplete?)"
  fi
done
install -m 755 "$vmxbctl" "$root/bin/vmxbctl"
install -m 755 "$fuzz" "$root/bin/vmxb_fuzz"
install -m 755 "$kvm_hold" "$root/bin/kvm_hold"
if [ -n "$bench" ]; then
  install -m 755 "$bench" "$root/bin/bench"
  cp "$here/bench_checks.sh" "$root/lib/vmxb/bench_checks.sh"
  # Shared libraries as the host resolves them; the guest finds them via LD_LIBRARY_PATH.
  ldd "$bench" | awk '/=> \//{print $3} /^\t\/lib64\//{print $1}' | while read -r lib; do
    case $lib in
      */ld-linux-x86-64.so.2) cp -L "$lib" "$root/lib64/" ;;
      *) cp -L "$lib" "$root/lib/vmxb/" ;;
    esac
  done
  [ -e "$root/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
fi
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"
log "initramfs $(du -h "$work/initrd.gz" | cut -f1) (bench: ${bench:-absent})"

# --- 3. GRUB ISO -----------------------------------------------------------------
iso_root="$work/iso"
mkdir -p "$iso_root/boot/grub"
cp "$vmlinuz" "$iso_root/boot/vmlinuz"
cp "$work/initrd.gz" "$iso_root/boot/initrd.gz"
# oops=panic + panic=-1: an oops reboots at once and the host stops at "Kernel panic".
cat > "$iso_root/boot/grub/grub.cfg" <<'CFG'
set timeout=0
set default=0
menuentry "vmxbench e2e" {
  linux /boot/vmlinuz console=ttyS0,115200 mitigations=off nokaslr oops=panic panic=-1 loglevel=5 tsc=reliable
  initrd /boot/initrd.gz
}
CFG
grub-mkrescue -o "$work/boot.iso" "$iso_root" >"$work/grub-mkrescue.log" 2>&1 ||
  { cat "$work/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }

# --- 4. Bochs --------------------------------------------------------------------
serial="$work/serial.log"
: > "$serial"
cat > "$work/bochsrc" <<RC
megs: 512
cpu: model=corei7_skylake_x, count=1, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1
clock: sync=none, time0=local
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path="$work/boot.iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$serial"
display_library: term
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
RC
printf 'c\nquit\n' > "$work/debugger.rc"
log "booting Debian $release under Bochs (/init after ~1-2 min; limit ${timeout_s}s)"
t_boot=$(date +%s)
# display_library term needs a tty: script(1) provides one; its screen output is discarded.
# Bazel runs tests without TERM; ncurses (bochs-term) needs one it knows (ncurses-base).
TERM=vt100 timeout -k 10 "$timeout_s" script -qfec "bochs -q -f '$work/bochsrc' -rc '$work/debugger.rc'" /dev/null \
  </dev/null >"$work/bochs.screen" 2>&1 &
bochs_pid=$!

# Echo serial lines as they arrive; stop early once the guest is done or panicked.
seen=0 t_init="" t_said=$(date +%s)
while kill -0 $bochs_pid 2>/dev/null; do
  sleep 2
  total=$(wc -l < "$serial")
  if [ "$total" -gt "$seen" ]; then
    sed -n "$((seen + 1)),${total}p" "$serial" | sed "s/^/guest: /" >&2
    seen=$total
    t_said=$(date +%s)
  elif [ $(($(date +%s) - t_said)) -ge 20 ]; then
    # BIOS and GRUB loading the kernel and initramfs say nothing on the serial port.
    log "Bochs running, guest quiet ($(wc -c < "$serial") serial bytes so far)"
    t_said=$(date +%s)
  fi
  if [ -z "$t_init" ] && grep -q 'VMXB-E2E START' "$serial"; then
    t_init=$(($(date +%s) - t_boot))
    log "guest reached /init after ${t_init}s"
  fi
  if grep -q -e 'Kernel panic' -e 'end Kernel panic' "$serial"; then
    sleep 3
    break
  fi
  # After DONE the guest powers off during a RUN (guest_init.sh finish), which
  # ends Bochs by itself; the reboot notifier's line comes on the way.
  if [ -z "${t_done:-}" ] && grep -q 'VMXB-E2E DONE' "$serial"; then t_done=$(date +%s); fi
  if [ -n "${t_done:-}" ] && [ $(($(date +%s) - t_done)) -ge 120 ]; then
    log "the guest did not power off within 120s of DONE"
    break
  fi
done
kill $bochs_pid 2>/dev/null
wait $bochs_pid 2>/dev/null
sed -n "$((seen + 1)),\$p" "$serial" | sed "s/^/guest: /" >&2
t_guest=$(($(date +%s) - t_boot))
log "Bochs ran ${t_guest}s (boot to /init: ${t_init:-never}s)"

# --- 5. verdict ------------------------------------------------------------------
tr -d '\r' < "$serial" > "$work/serial.txt"
status=0
# The guest's operation list must be this build's (the same vmxbctl, asked here).
"$vmxbctl" list > "$work/ops.txt" || die "vmxbctl list failed on the host"
# The boot image's semantics lines on the guest's CPU model, for the module's
# (check_semantics.sh); without //bench, the recorded ones in testdata/.
image_semantics="$here/testdata/image_semantics_corei7_skylake_x.txt"
if [ -n "$bench" ]; then
  "$bench" --backend=bochs --bochs_model=corei7_skylake_x --semantics > "$work/image_semantics.txt" ||
    die "bench --backend=bochs --semantics failed on the host"
  image_semantics="$work/image_semantics.txt"
  # The recorded copy must still be what the image prints (verdict_test uses it).
  if ! cmp -s "$image_semantics" "$here/testdata/image_semantics_corei7_skylake_x.txt"; then
    log "kernel/e2e/testdata/image_semantics_corei7_skylake_x.txt is stale: the image now prints:"
    diff "$here/testdata/image_semantics_corei7_skylake_x.txt" "$image_semantics" | head -n 20 >&2
    status=1
  fi
fi
"$here/verdict.sh" "$work/serial.txt" "$kernel" "$([ -n "$bench" ] && echo 1 || echo 0)" "$work/ops.txt" \
  "$image_semantics" || status=1
if ! grep -q '^VMXB-E2E DONE' "$work/serial.txt"; then
  log "Bochs said:"
  tail -n 15 "$work/bochs.screen" | tr -cd '[:print:]\n' | sed 's/^/bochs: /' >&2
  grep -E '^[0-9]+[ep]\[' "$work/bochs.log" | tail -n 10 | sed 's/^/bochs.log: /' >&2
fi
# Keep the logs with the test results (bazel-testlogs/.../test.outputs/).
if [ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]; then
  cp "$work/serial.txt" "$work/bochs.log" "$work/bochs.screen" "$TEST_UNDECLARED_OUTPUTS_DIR/" 2>/dev/null
fi
log "$(grep -c '^PASS: ' "$work/serial.txt") PASS, $(grep -c '^FAIL: ' "$work/serial.txt") FAIL;" \
  "total $(($(date +%s) - t_start))s, Bochs ${t_guest}s, boot to /init ${t_init:-never}s"
[ $status -eq 0 ] && log "OK" || log "FAILED"
exit $status
