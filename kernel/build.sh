#!/usr/bin/env bash
# Builds vmxbench.ko out of the source tree.
#
#   kernel/build.sh [--kdir DIR] [--werror] OUT_DIR    build; OUT_DIR/vmxbench.ko, OUT_DIR/build.log
#   kernel/build.sh --stage DIR                         only lay out the Kbuild tree (DKMS uses this)
#
# --kdir: a prepared kernel build tree (default: the headers linux-headers-amd64
# points at, /usr/src/linux-headers-<release>). --werror: any compiler, objtool
# or modpost warning fails the build (the tests use it).
# Exit: 0 built, 1 build failed (log printed), 2 usage, 3 no kernel headers.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" >&2; exit 2; }

# Copies the module sources and the shared C++ headers into one Kbuild tree.
stage() {
  local dir=$1
  mkdir -p "$dir/include" "$dir/src/primitives" "$dir/src/core/guest" "$dir/src/semantics"
  cp "$here"/module/Kbuild "$here"/module/Makefile "$here"/module/*.c "$here"/module/*.cc \
    "$here"/module/*.h "$dir/"
  cp "$here"/include/*.h "$dir/include/"
  cp "$root"/primitives/*.h "$dir/src/primitives/"
  cp "$root"/core/*.h "$dir/src/core/"
  cp "$root"/core/guest/*.h "$dir/src/core/guest/"
  cp "$root"/core/guest/world_switch.S "$dir/"  # Kbuild assembles sources of its own directory
  cp "$root"/semantics/*.h "$root"/semantics/*.cc "$dir/src/semantics/"
  cp "$here/dkms.conf" "$dir/"
  return 0
}

default_kdir() {
  local rel
  rel=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
    grep -o 'linux-headers-[0-9][^ ,]*-amd64' | head -n1 | sed 's/^linux-headers-//') || true
  if [ -n "$rel" ] && [ -d "/usr/src/linux-headers-$rel" ]; then
    echo "/usr/src/linux-headers-$rel"
  elif [ -e "/lib/modules/$(uname -r)/build" ]; then
    echo "/lib/modules/$(uname -r)/build"
  fi
}

kdir="" werror=0 out=""
while [ $# -gt 0 ]; do
  case $1 in
    --kdir) kdir=${2:?}; shift 2 ;;
    --werror) werror=1; shift ;;
    --stage) stage "${2:?}"; exit 0 ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) out=$1; shift ;;
  esac
done
[ -n "$out" ] || usage
[ -n "$kdir" ] || kdir=$(default_kdir)
if [ -z "$kdir" ] || [ ! -f "$kdir/Makefile" ]; then
  echo "build.sh: no kernel build tree (${kdir:-none}); install linux-headers-amd64 (tools/setup)" >&2
  exit 3
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vmxbench-kbuild.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage "$work"

log="$out/build.log"
set +e
make -C "$kdir" M="$work" VMXB_WERROR=$werror modules >"$log" 2>&1
rc=$?
set -e
# Warnings that -Werror does not cover: objtool and modpost report, they do not fail.
warnings=$(grep -E 'warning:|WARNING:' "$log" || true)
if [ $rc -ne 0 ] || { [ $werror -eq 1 ] && [ -n "$warnings" ]; }; then
  cat "$log" >&2
  echo "build.sh: FAILED against $kdir (make exit $rc${warnings:+, warnings present})" >&2
  exit 1
fi
cp "$work/vmxbench.ko" "$out/vmxbench.ko"
echo "build.sh: $out/vmxbench.ko ($(modinfo -F vermagic "$out/vmxbench.ko" 2>/dev/null | cut -d' ' -f1)) from $kdir"
