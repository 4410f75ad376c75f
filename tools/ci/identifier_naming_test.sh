#!/usr/bin/env bash
# Runs clang-tidy's readability-identifier-naming, configured by the
# repository's .clang-tidy, on every C++ source of the repository (git
# ls-files '*.cc'), each with the flags it is built with, and fails listing
# "file:line: identifier (kind)" for every name off the convention. Headers
# are checked through the sources that include them (.clang-tidy's
# HeaderFilterRegex). Negative controls first: a planted `int BadName();` in
# a temporary copy must be reported, and a source that does not compile must
# fail the run rather than go unchecked. Names still waiting for a rename are
# listed in identifier_naming_baseline.txt.
#
# Usage (tools/ci/BUILD): identifier_naming_test.sh RING0_CXXFLAGS
# (tools/build_defs/ring0.bzl, the boot image's flags, as one argument).
set -euo pipefail

runfiles=${TEST_SRCDIR:?run it with bazel test}/vmxbench
# The source tree itself (the test is tagged local and external): the
# runfiles hold the README, whose link leads back to it.
root=$(dirname "$(readlink -f "$runfiles/README.md")")
work=${TEST_TMPDIR:-$(mktemp -d)}

# The system libraries' include flags, from the pkg-config modules the
# WORKSPACE names.
mapfile -t modules < <(grep -oP '^\s*module = "\K[^"]+' "$root/WORKSPACE")
# Hosted: generated sources (reports/report_schema.inc) are in the runfiles.
HOSTED_FLAGS="-std=c++20 -I$runfiles -I$root/kernel/include $(pkg-config --cflags "${modules[@]}")"
# The boot image and the primitives' ring-0 build check (-Werror dropped:
# clang's warnings are not the point here).
IMAGE_FLAGS=${1//-Werror/}
# kernel/module/Kbuild: C++ with -nostdinc, the module's include/ and src/
# (its copy of primitives/ and core/) on the path; the kernel's
# code-generation flags do not change what a name is.
KERNEL_FLAGS="-std=gnu++20 -DVMXB_RING0 -ffreestanding -fno-exceptions -fno-rtti -nostdinc -nostdinc++ -I$root/kernel/include"
export root HOSTED_FLAGS IMAGE_FLAGS KERNEL_FLAGS

# lint BASE FILE: clang-tidy on BASE/FILE with the flags FILE is built with
# (BASE first on the include path); prints "file:line: name (kind)" per hit
# and "ERROR in FILE: ..." per compiler error, paths relative to BASE.
lint() {
  local base=$1 file=$2 flags out
  case $file in
    semantics/tests/*.cc) flags=$HOSTED_FLAGS ;;
    harness/image/*.cc | semantics/*.cc | primitives/tests/opcode_probe.cc) flags=$IMAGE_FLAGS ;;
    kernel/module/*.cc) flags=$KERNEL_FLAGS ;;
    *) flags=$HOSTED_FLAGS ;;
  esac
  # shellcheck disable=SC2086
  out=$(clang-tidy --quiet --config-file="$root/.clang-tidy" "$base/$file" -- -I"$base" $flags 2>&1) || true
  sed -nE -e 's#/\./#/#g' \
    -e "s#^$base/([^:]+):([0-9]+):[0-9]+: warning: invalid case style for ([^']+) '([^']+)'.*#\1:\2: \4 (\3)#p" \
    -e "s#^(.*error: .*)#ERROR in $file: \1#p" <<<"$out"
}
export -f lint

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Negative controls on a copy of a small source and its header.
control=$work/control
mkdir -p "$control/stats"
cp "$root/stats/descriptive.cc" "$root/stats/descriptive.h" "$control/stats/"
echo 'int BadName();' >>"$control/stats/descriptive.h"
echo 'int AlsoBadName() { return 0; }' >>"$control/stats/descriptive.cc"
hits=$(lint "$control" stats/descriptive.cc)
grep -qE "^stats/descriptive\.h:[0-9]+: BadName \(function\)$" <<<"$hits" ||
  fail "control: the planted 'int BadName();' in a header was not reported (got: $hits)"
grep -qE "^stats/descriptive\.cc:[0-9]+: AlsoBadName \(function\)$" <<<"$hits" ||
  fail "control: the planted 'AlsoBadName' in a source was not reported (got: $hits)"
[ "$(grep -c . <<<"$hits")" -eq 2 ] || fail "control: expected exactly the 2 planted names, got: $hits"
printf '#include "stats/no_such_header.h"\n' >"$control/stats/broken.cc"
grep -q '^ERROR in stats/broken.cc' <<<"$(lint "$control" stats/broken.cc)" ||
  fail "control: a source that does not compile was not reported"

# The repository.
cd "$root"
git ls-files -- '*.cc' >"$work/sources"
[ -s "$work/sources" ] || fail "no sources found under $root"
start=$SECONDS
xargs -P2 -n1 bash -c 'lint "$root" "$0"' <"$work/sources" | sort -u >"$work/hits"
echo "checked $(wc -l <"$work/sources") sources in $((SECONDS - start)) s"
# tools/ci/identifier_naming_baseline.txt: the names still waiting for a
# rename, without line numbers (they move).
baseline=$root/tools/ci/identifier_naming_baseline.txt
{ grep -v '^#' "$baseline" || true; } | sort -u >"$work/baseline"  # an empty baseline is the goal
sed -E 's/^([^:]+):[0-9]+: /\1: /' "$work/hits" | sort -u >"$work/found"
new=$(comm -23 "$work/found" "$work/baseline")
if [ -n "$new" ]; then
  fail "names off the convention (.clang-tidy) or compiler errors:"
  grep -Ff <(cut -d' ' -f2- <<<"$new") "$work/hits" >&2 || echo "$new" >&2
fi
stale=$(comm -13 "$work/found" "$work/baseline")
[ -z "$stale" ] || fail "fixed, remove from $baseline: $stale"
[ "$failures" -eq 0 ] || exit 1
echo "PASS"
