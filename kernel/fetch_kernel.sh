#!/usr/bin/env bash
# Fetches, without installing, what the kernel-module tests need beyond the
# installed linux-headers-amd64, into a fixed cache (Bazel tests have no network):
#   $VMXB_KERNEL_CACHE/image-<release>/     linux-image-<release> unpacked (vmlinuz + modules),
#                                           <release> = the one linux-headers-amd64 points at;
#                                           booted under Bochs by //kernel:e2e_bochs_test
#   $VMXB_KERNEL_CACHE/headers-<release>/   newest Debian 6.12 headers (+ common, kbuild) unpacked;
#                                           the module is built against them by //kernel:build_test
#   $VMXB_KERNEL_CACHE/image-<6.12 release>/ that 6.12 kernel, booted by //kernel:e2e_bochs_612_test
# `apt-get download` + `dpkg-deb -x`: installing linux-image/headers-6.12 would pull in a
# kernel, udev and initramfs-tools. Idempotent; called by tools/setup.
# Exit: 0 ok, 3 not root and something missing, 1 download/unpack failed.
set -euo pipefail

cache=${VMXB_KERNEL_CACHE:-/var/cache/vmxbench}

headers_release() {
  # linux-headers-amd64 depends on exactly one linux-headers-<release>.
  dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
    grep -o 'linux-headers-[0-9][^ ,]*-amd64' | head -n1 | sed 's/^linux-headers-//'
}

# Unpacks the given packages (name=version) into $2 unless $2/.complete exists.
fetch_into() {
  local dest=$1; shift
  [ -f "$dest/.complete" ] && { echo "fetch_kernel: $dest is present"; return 0; }
  if [ "$(id -u)" -ne 0 ] && [ ! -w "$cache" ]; then
    echo "fetch_kernel: $dest missing; run as root: $0" >&2
    return 3
  fi
  local tmp
  tmp=$(mktemp -d)
  chown _apt "$tmp" 2>/dev/null || chmod 777 "$tmp"  # apt-get download writes there as _apt
  trap 'rm -rf "$tmp"' RETURN
  echo "fetch_kernel: downloading $* -> $dest"
  # Stale or missing package lists (a fresh machine): update once and retry.
  if ! (cd "$tmp" && apt-get download -q "$@" >/dev/null) &&
     ! { apt-get update -qq && (cd "$tmp" && apt-get download -q "$@" >/dev/null); }; then
    echo "fetch_kernel: cannot download $* (no network, or the mirror no longer offers that" \
      "exact version: upgrade linux-headers-amd64 and rerun)" >&2
    return 1
  fi
  rm -rf "$dest.partial"
  mkdir -p "$dest.partial"
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$dest.partial"; done
  touch "$dest.partial/.complete"
  rm -rf "$dest"
  mv "$dest.partial" "$dest"
}

mkdir -p "$cache" 2>/dev/null || true

release=$(headers_release)
if [ -z "$release" ]; then
  echo "fetch_kernel: linux-headers-amd64 is not installed (run tools/setup)" >&2
  exit 1
fi
version=$(dpkg-query -W -f='${Version}' "linux-headers-$release")
# The image must be the very build the headers describe (same vermagic/symbol CRCs).
fetch_into "$cache/image-$release" "linux-image-$release=$version"

# Newest 6.12 headers the configured mirror offers (bookworm-security carries 6.12).
h612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9.]+\+deb12-amd64$' 2>/dev/null |
  awk '{print $1}' | sort -V | tail -n1)
if [ -z "$h612" ]; then
  echo "fetch_kernel: no linux-headers-6.12.*-amd64 offered by the configured mirror; the 6.12 build check will be skipped"
  exit 0
fi
r612=${h612#linux-headers-}
v612=$(apt-cache show "$h612" | awk '/^Version:/{print $2; exit}')
base612=${r612%-amd64}
dest612="$cache/headers-$r612"
fetch_into "$dest612" "$h612=$v612" "linux-headers-$base612-common=$v612" "linux-kbuild-$base612=$v612"
# Debian's per-flavour Makefile includes the common one by absolute /usr/src path.
sed -i "s|^include /usr/src/|include $dest612/usr/src/|" "$dest612/usr/src/$h612/Makefile"
# The signed image can lag behind the headers on the security mirror (seen for
# 6.12.118: headers and -unsigned offered, the signed package not yet). The
# -unsigned package is the same build (same vermagic and modules, /boot and
# /lib/modules at the same paths) without the Secure Boot signature, which a
# Bochs boot does not check.
image612="linux-image-$r612"
# (apt-cache madison lists real versions only: `apt-cache show` succeeds on the
# virtual package the -unsigned one provides.)
offers() { apt-cache madison "$1" 2>/dev/null | awk -F' [|] ' -v v="$2" '$2 == v {found=1} END {exit !found}'; }
if ! offers "$image612" "$v612" && offers "$image612-unsigned" "$v612"; then
  echo "fetch_kernel: the mirror offers no signed $image612=$v612 yet; using $image612-unsigned (same build)"
  image612="$image612-unsigned"
fi
fetch_into "$cache/image-$r612" "$image612=$v612"
