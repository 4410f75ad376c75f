#!/usr/bin/env bash
# Walks every tool and, from each tool's own --help ("Subcommands:"), every
# subcommand: --help prints to stdout and exits 0 with nothing on stderr,
# --version prints "NAME (vmxbench) VERSION" with VERSION from bench/version.h,
# and a mistyped subcommand is a one-line usage error suggesting the nearest.
set -uo pipefail
bench=$1 reports=$2 diag=$3 write_image=$4 semantics=$5
version=$(sed -n 's/.*kVersion = "\(.*\)";.*/\1/p' bench/version.h)
failures=0 checked=0
errfile="${TEST_TMPDIR:-/tmp}/help_err.$$"
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
[ -n "$version" ] || fail "no kVersion in bench/version.h"

# subcommands TOOL [SUB...]: the names under "Subcommands:" in its --help.
subcommands() {
  "$@" --help 2>/dev/null | sed -n '/^Subcommands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

# walk NAME CMD...: checks CMD --help and --version, then each subcommand.
walk() {
  local name=$1; shift
  local out err rc
  out=$("$@" --help 2>"$errfile"); rc=$?
  err=$(cat "$errfile")
  checked=$((checked + 1))
  [ $rc -eq 0 ] || fail "$name --help: exit $rc"
  [ -n "$out" ] || fail "$name --help: nothing on stdout"
  [ -z "$err" ] || fail "$name --help: stderr: $err"
  grep -qi 'usage' <<<"$out" || fail "$name --help: no usage line"
  out=$("$@" --version 2>"$errfile"); rc=$?
  [ $rc -eq 0 ] || fail "$name --version: exit $rc ($(cat "$errfile"))"
  [ "$out" = "$name (vmxbench) $version" ] || fail "$name --version printed '$out'"
  local sub
  for sub in $(subcommands "$@"); do walk "$name $sub" "$@" "$sub"; done
}

walk bench "$bench"
walk reports "$reports"
walk diag "$diag"
walk write_image "$write_image"
walk semantics "$semantics"

# The walk must have found reports' subcommands, history's among them.
[ "$checked" -ge 13 ] || fail "walked only $checked commands (reports' subcommands not found?)"
grep -q -- '--vmxbench_iterations' <<<"$("$bench" --help)" || fail "bench --help lacks vmxbench's flags"
grep -q -- '--benchmark_filter' <<<"$("$bench" --help)" || fail "bench --help lacks Google Benchmark's flags"
[ "$("$bench" -h)" = "$("$bench" --help)" ] || fail "bench -h and --help differ"

# typo CMD... WANT: a one-line usage error (exit 2) suggesting WANT.
typo() {
  local want=${*: -1} err rc
  err=$("${@:1:$#-1}" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || fail "${*:2:$#-2}: exit $rc, want 2"
  [ "$(wc -l <<<"$err")" -eq 1 ] || fail "${*:2:$#-2}: more than one line: $err"
  grep -qF "did you mean '$want'?" <<<"$err" || fail "${*:2:$#-2}: no suggestion of $want: $err"
}
typo "$reports" compre a.json b.json compare
typo "$reports" histroy query history
typo "$reports" history qeury query
typo "$reports" dash dashboard
rm -f "$errfile"
echo "$checked commands walked, $failures failures"
[ $failures -eq 0 ]
