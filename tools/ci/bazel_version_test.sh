#!/usr/bin/env bash
# tools/setup's Bazel check (check_bazel in tools/bazel_version.sh) and the
# tools/bazel launcher shim, against a fake `bazel` and a fake `dpkg-query` on
# PATH in a temporary directory: the machine's own Bazel and packages are not
# looked at or changed.
set -uo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
# shellcheck source=tools/bazel_version.sh
source "$repo/tools/bazel_version.sh"
tested=$(bazel_tested_version "$repo")

tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/bazel_version_test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bin="$tmp/bin"          # the fakes, first on PATH
no_bazel="$tmp/no_bazel"  # the tools check_bazel needs, and no bazel
mkdir -p "$bin" "$no_bazel"
for tool in head cut grep readlink dirname; do ln -s "$(command -v "$tool")" "$no_bazel/$tool"; done

# bazel --version answers $FAKE_BAZEL_SAYS (nothing and exit 1 if empty).
cat > "$bin/bazel" <<'FAKE'
#!/bin/bash
[ -n "${FAKE_BAZEL_SAYS:-}" ] || exit 1
echo "$FAKE_BAZEL_SAYS"
FAKE
# bazel-bootstrap is installed at $FAKE_DEB_VERSION (not at all if empty) and owns $FAKE_OWNED.
cat > "$bin/dpkg-query" <<FAKE
#!/bin/bash
case "\$1" in
  -W) [ -n "\${FAKE_DEB_VERSION:-}" ] && echo -n "install ok installed \$FAKE_DEB_VERSION" ;;
  -L) [ -n "\${FAKE_DEB_VERSION:-}" ] && printf '/usr/bin\n$bin/bazel\n$bin/bazel-4\n' ;;
  -S) [ -n "\${FAKE_DEB_VERSION:-}" ] && [ "\$2" = "\${FAKE_OWNED:-}" ] && echo "bazel-bootstrap: \$2" ;;
esac
FAKE
printf '#!/bin/bash\necho "debian bazel-4 $*"\n' > "$bin/bazel-4"
printf '#!/bin/bash\necho "bazelisk download $*"\n' > "$tmp/downloaded"
chmod +x "$bin"/* "$tmp/downloaded"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect NAME WANT_STATUS STDOUT_HAS STDERR_HAS (empty: that stream must be empty), environment before.
expect() {
  local name=$1 want=$2 out_has=$3 err_has=$4 status
  PATH="${CHECK_PATH:-$bin:/usr/bin:/bin}" check_bazel "$repo" > "$tmp/out" 2> "$tmp/err"
  status=$?
  [ "$status" -eq "$want" ] || fail "$name: status $status, want $want"
  for stream in out err; do
    local has=$out_has
    [ $stream = err ] && has=$err_has
    if [ -z "$has" ]; then
      [ ! -s "$tmp/$stream" ] || fail "$name: std$stream should be empty: $(cat "$tmp/$stream")"
    else
      grep -qF -- "$has" "$tmp/$stream" || fail "$name: std$stream lacks '$has': $(cat "$tmp/$stream")"
      [ "$(wc -l < "$tmp/$stream")" -eq 1 ] || fail "$name: std$stream is not one line: $(cat "$tmp/$stream")"
    fi
  done
}

FAKE_BAZEL_SAYS="bazel $tested" expect "tested release" 0 "bazel: $bin/bazel (bazel $tested)" ""
FAKE_BAZEL_SAYS="bazel no_version" FAKE_DEB_VERSION="$tested+ds-9" FAKE_OWNED="$bin/bazel" \
  expect "Debian bazel-bootstrap" 0 "bazel: $bin/bazel (Debian bazel-bootstrap $tested, which reports no_version)" ""
# Refused, each with the cause and the fix; the negative controls of the two accepted cases above.
FAKE_BAZEL_SAYS="bazel 7.4.1" expect "newer release" "$kBazelWrongVersion" "" "is 'bazel 7.4.1', not Bazel $tested"
FAKE_BAZEL_SAYS="bazel 7.4.1" expect "newer release, bazelisk fix" "$kBazelWrongVersion" "" "USE_BAZEL_VERSION"
FAKE_BAZEL_SAYS="bazel 7.4.1" expect "newer release, Debian fix" "$kBazelWrongVersion" "" "bazel-bootstrap ($tested)"
FAKE_BAZEL_SAYS="bazel no_version" FAKE_DEB_VERSION="5.3.2+ds-1" FAKE_OWNED="$bin/bazel" \
  expect "other bazel-bootstrap version" "$kBazelWrongVersion" "" "is 'bazel no_version', not Bazel $tested"
FAKE_BAZEL_SAYS="bazel no_version" FAKE_DEB_VERSION="$tested+ds-9" FAKE_OWNED="/usr/bin/something-else" \
  expect "unstamped bazel not from the package" "$kBazelWrongVersion" "" "is 'bazel no_version'"
FAKE_BAZEL_SAYS="" expect "bazel that does not answer" "$kBazelWrongVersion" "" "no answer to bazel --version"
CHECK_PATH="$no_bazel" expect "no bazel" "$kBazelWrongVersion" "" "no bazel on PATH"
if [ "$kBazelWrongVersion" -le 0 ] || [ "$kBazelWrongVersion" -ge 128 ] || [ "$kBazelWrongVersion" -eq 3 ]; then
  fail "exit status $kBazelWrongVersion must be 1..127 and not 3 (packages missing)"
fi

# tools/bazel: BAZEL_REAL when the launcher found it, else Debian's binary of the tested version.
shim() { PATH="$bin:/usr/bin:/bin" "$repo/tools/bazel" "$@" 2>&1; }
got=$(BAZEL_REAL="$tmp/downloaded" shim --version) || fail "shim with BAZEL_REAL: status $?"
[ "$got" = "bazelisk download --version" ] || fail "shim with BAZEL_REAL ran: $got"
got=$(BAZEL_REAL="/usr/bin/bazel-$tested" FAKE_DEB_VERSION="$tested+ds-9" shim build //x) || fail "shim on Debian: status $?"
[ "$got" = "debian bazel-4 build //x" ] || fail "shim on Debian ran: $got"
got=$(BAZEL_REAL="/usr/bin/bazel-$tested" FAKE_DEB_VERSION="5.3.2+ds-1" shim build //x)
status=$?
[ "$status" -eq "$kBazelWrongVersion" ] || fail "shim without Bazel $tested: status $status: $got"
case "$got" in *"no Bazel $tested"*"run tools/setup"*) ;; *) fail "shim without Bazel $tested says: $got" ;; esac

[ "$failures" -eq 0 ] || exit 1
echo "PASS: bazel_version_test"
