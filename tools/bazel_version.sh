# shellcheck shell=bash
# The Bazel this workspace is tested with and how to recognise it, sourced by
# tools/setup, tools/bazel and //tools/ci:bazel_version_test. The version is
# written once, in .bazelversion (bazelisk and Debian's /usr/bin/bazel wrapper
# both read it).

# kBazelWrongVersion: tools/setup's exit status for a bazel it refuses (3 is
# "not root, packages missing").
readonly kBazelWrongVersion=4

# The version in REPO/.bazelversion.
bazel_tested_version() {
  local version
  read -r version < "$1/.bazelversion"
  echo "$version"
}

# Debian's bazel-bootstrap binary (/usr/bin/bazel-4 in bookworm) if that
# package is installed at upstream version $1. Its `bazel --version` says
# "bazel no_version" (a bootstrap build carries no release stamp), so the
# package manager is the only witness of what it is.
debian_bazel_binary() {
  local status
  status=$(dpkg-query -W -f='${Status} ${Version}' bazel-bootstrap 2>/dev/null) || return 1
  [[ "$status" == "install ok installed $1+"* || "$status" == "install ok installed $1-"* ]] || return 1
  dpkg-query -L bazel-bootstrap 2>/dev/null | grep -m1 -E '/bin/bazel-[0-9][^/]*$'
}

# Prints one line naming the bazel on PATH and what it is. Returns 0 if it is
# the tested version (or Debian's bazel-bootstrap of that version); else prints
# the cause and the fix on stderr and returns kBazelWrongVersion.
check_bazel() {
  local repo=$1 tested path reported owner
  tested=$(bazel_tested_version "$repo")
  local fix="install Debian's bazel-bootstrap ($tested) and put /usr/bin/bazel first on PATH, or with bazelisk let .bazelversion choose (unset USE_BAZEL_VERSION, or set it to $tested)"
  if ! path=$(command -v bazel); then
    echo "tools/setup: ERROR: no bazel on PATH: $fix" >&2
    return "$kBazelWrongVersion"
  fi
  # From the workspace, so bazelisk and Debian's wrapper apply .bazelversion and tools/bazel as a build would.
  reported=$(cd "$repo" && bazel --version 2>/dev/null | head -n 1) || reported=""
  if [[ "$reported" == "bazel $tested" ]]; then
    echo "tools/setup: bazel: $path ($reported)"
    return 0
  fi
  owner=$(dpkg-query -S "$(readlink -f "$path")" 2>/dev/null | cut -d: -f1) || owner=""
  if [[ "$reported" == "bazel no_version" && "$owner" == "bazel-bootstrap" ]] && debian_bazel_binary "$tested" > /dev/null; then
    echo "tools/setup: bazel: $path (Debian bazel-bootstrap $tested, which reports no_version)"
    return 0
  fi
  echo "tools/setup: ERROR: $path is '${reported:-no answer to bazel --version}', not Bazel $tested, the only version this WORKSPACE is tested with: $fix" >&2
  return "$kBazelWrongVersion"
}
