#!/usr/bin/env bash
# Builds vmxbench.ko with -Werror and objtool/modpost warnings fatal (build.sh
# --werror) against every kernel tree we have: the installed Debian headers
# (required) and the 6.12 headers kernel/fetch_kernel.sh unpacks into
# /var/cache/vmxbench (built when present, an explicit SKIP line otherwise).
# Then checks what the module must look like: GPL license (GPL-only exports),
# vermagic of the tree, no C++ runtime references, the device name, and an
# exception-table entry for every VMX instruction (check_extable.py), and
# checkpatch on the C glue.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${VMXB_KERNEL_CACHE:-/var/cache/vmxbench}
out=${TEST_TMPDIR:-$(mktemp -d)}
failures=0

check_module() {  # check_module KO RELEASE
  local ko=$1 release=$2 problems=""
  [ "$(modinfo -F license "$ko")" = "GPL" ] || problems+=" license!=GPL"
  [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$release" ] || problems+=" vermagic!=$release"
  # new/delete, exceptions, RTTI, guard variables, atexit: none may be referenced.
  local cxxrt
  cxxrt=$(nm -u "$ko" | grep -E '_Znw|_Znam|_Zdl|_Zda|__cxa_|__gxx_|_ZTI|_ZTV|__dso_handle|atexit' || true)
  [ -z "$cxxrt" ] && problems+="" || problems+=" C++-runtime-refs:$(echo $cxxrt | tr ' ' ',')"
  [ "$(modinfo -F name "$ko")" = vmxbench ] || problems+=" name!=vmxbench"
  local extable
  if extable=$("$here/check_extable.py" "$ko"); then
    echo "extable ($release): $(echo "$extable" | tail -n1)"
  else
    problems+=" VMX-instructions-without-fixup:$(echo "$extable" | head -n3 | tr '\n' '|')"
  fi
  if [ -n "$problems" ]; then echo "FAIL: module checks ($release):$problems"; return 1; fi
  echo "PASS: module checks ($release)"
}

build() {  # build NAME KDIR
  local name=$1 kdir=$2 release
  if "$here/build.sh" --werror --kdir "$kdir" "$out/$name" > "$out/$name.out" 2>&1; then
    release=$(basename "$kdir" | sed 's/^linux-headers-//')  # Debian names the tree after the release
    echo "PASS: build without warnings against $kdir"
    check_module "$out/$name/vmxbench.ko" "$release" || failures=$((failures + 1))
  else
    cat "$out/$name.out"
    echo "FAIL: build against $kdir"
    failures=$((failures + 1))
  fi
}

rel61=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
  grep -o 'linux-headers-[0-9][^ ,]*-amd64' | head -n1 | sed 's/^linux-headers-//')
if [ -z "$rel61" ] || [ ! -f "/usr/src/linux-headers-$rel61/Makefile" ]; then
  echo "FAIL: linux-headers-amd64 not installed: run tools/setup"
  exit 1
fi
build debian-default "/usr/src/linux-headers-$rel61"

found=0
for kdir in "$cache"/headers-*/usr/src/linux-headers-*-amd64; do
  [ -f "$kdir/Makefile" ] || continue
  found=1
  build "$(basename "$kdir")" "$kdir"
done
[ $found -eq 1 ] || echo "SKIP: no extra kernel headers in $cache (kernel/fetch_kernel.sh fetches Debian's 6.12 ones)"

# Negative controls: the same build with one warning planted must fail, in the
# C glue and in the C++ core, or "without warnings" above would mean nothing.
plant() {  # plant NAME FILE LINE
  local tree="$out/plant-$1"
  rm -rf "$tree"
  mkdir -p "$tree/kernel" "$tree/primitives" "$tree/core" "$tree/semantics"
  cp -rL "$here/build.sh" "$here/dkms.conf" "$here/module" "$here/include" "$tree/kernel/"
  cp -L "$here"/../primitives/*.h "$tree/primitives/"
  cp -rL "$here"/../core/. "$tree/core/"
  cp -L "$here"/../semantics/*.h "$here"/../semantics/*.cc "$tree/semantics/"
  echo "$3" >> "$tree/kernel/module/$2"
  if "$tree/kernel/build.sh" --werror "$tree/out" > "$tree/log" 2>&1; then
    echo "FAIL: a planted warning in $2 ($1) did not fail the build"
    failures=$((failures + 1))
  else
    echo "PASS: a planted warning in $2 ($1) fails the build: $(grep -m1 -o 'warning: .*\|error: .*' "$tree/log")"
  fi
}
plant c platform.c 'static int vmxb_planted(void) { int unused; return 0; }'
plant cxx session.cc 'namespace { int vmxb_planted() { int unused; return 0; } }'

# And a VMX instruction without a fixup, built cleanly, must fail the extable check.
tree="$out/plant-extable"
rm -rf "$tree" && mkdir -p "$tree"
cp -rL "$here/." "$tree/kernel" && mkdir -p "$tree/primitives" "$tree/core" "$tree/semantics"
cp -L "$here"/../primitives/*.h "$tree/primitives/" && cp -rL "$here"/../core/. "$tree/core/"
cp -L "$here"/../semantics/*.h "$here"/../semantics/*.cc "$tree/semantics/"
echo 'void vmxb_planted_vmcall(void); void vmxb_planted_vmcall(void) { asm volatile("vmcall"); }' \
  >> "$tree/kernel/module/platform.c"
if ! "$tree/kernel/build.sh" --werror "$tree/out" > "$tree/log" 2>&1; then
  cat "$tree/log"
  echo "FAIL: the module with a planted bare VMCALL did not build"
  failures=$((failures + 1))
elif planted=$("$here/check_extable.py" "$tree/out/vmxbench.ko"); then
  echo "FAIL: a planted VMCALL without a fixup passed the extable check: $planted"
  failures=$((failures + 1))
else
  echo "PASS: a planted VMCALL without a fixup fails the extable check: $(echo "$planted" | head -n1)"
fi

# checkpatch.pl, the kernel's style checker, on the C glue: no ERROR and no
# line over 100 columns (LONG_LINE, a CHECK under -f, hence --strict;
# checkpatch itself exempts a line that is one user-visible string, which must
# stay greppable). Other warnings and checks are not fatal:
# LINUX_VERSION_CODE, for one, is what an out-of-tree module's compatibility
# shim needs. Debian ships checkpatch only inside the kernel source tarball
# (linux-source-6.1), so it is unpacked once into $cache.
checkpatch_issues() {  # checkpatch_issues DIR: the offending lines, if any
  (cd "$1" && perl "$checkpatch" --no-tree --strict --max-line-length=100 --terse --show-types -f \
    main.c ioctl.c platform.c guest_memory.c guest_host.c semantics.c vmxbench.h semantics_session.h 2>&1) | grep -E ': (ERROR|(WARNING|CHECK):LONG_LINE)' || true
}
checkpatch=${VMXB_CHECKPATCH:-$cache/checkpatch/scripts/checkpatch.pl}
if [ ! -f "$checkpatch" ]; then
  tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | head -n1)
  unpacked=$cache/checkpatch
  [ -w "$cache" ] || [ -w "$(dirname "$cache")" ] || unpacked=$out/checkpatch
  if [ -n "$tarball" ] && mkdir -p "$unpacked" &&
    tar -xJf "$tarball" -C "$unpacked" --strip-components=1 --wildcards \
      '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'; then
    checkpatch=$unpacked/scripts/checkpatch.pl
  fi
fi
if [ ! -f "$checkpatch" ]; then
  echo "SKIP: checkpatch.pl not found (apt-get install linux-source-6.1, or set VMXB_CHECKPATCH)"
else
  issues=$(checkpatch_issues "$here/module")
  if [ -n "$issues" ]; then
    echo "$issues"
    echo "FAIL: checkpatch on the C glue"
    failures=$((failures + 1))
  else
    echo "PASS: checkpatch on the C glue: no errors, no line over 100 columns"
  fi
  # Negative control: a planted error and a planted long line must be found.
  tree="$out/plant-checkpatch"
  rm -rf "$tree" && mkdir -p "$tree" && cp -L "$here"/module/*.c "$here"/module/*.h "$tree/"
  printf 'static int vmxb_planted = 0;\n' >> "$tree/platform.c"  # ERROR:INITIALISED_STATIC
  printf 'static const int vmxb_planted_long_line = %s1;\n' "$(printf '1 + %.0s' $(seq 25))" >> "$tree/main.c"
  planted=$(checkpatch_issues "$tree")
  # Here-strings, not pipes: with pipefail, grep -q exiting at its first match
  # can leave echo with SIGPIPE and the test failing at random.
  if grep -q 'platform.c.*ERROR' <<< "$planted" && grep -q 'main.c.*LONG_LINE' <<< "$planted"; then
    echo "PASS: a planted checkpatch error and long line are found"
  else
    echo "FAIL: a planted checkpatch error or long line was not found: $planted"
    failures=$((failures + 1))
  fi
fi

echo "build_test: $failures failure(s)"
[ $failures -eq 0 ]
