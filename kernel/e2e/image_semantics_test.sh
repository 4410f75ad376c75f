#!/usr/bin/env bash
# The recorded boot-image semantics lines (testdata/, the reference of
# verdict_test.sh) are what the image prints today on corei7_skylake_x:
#   image_semantics_test.sh BENCH RECORDED
# Regenerate with: bazel run //bench -- --backend=bochs --semantics > kernel/e2e/testdata/image_semantics_corei7_skylake_x.txt
set -uo pipefail
bench=$1 recorded=$2
out=${TEST_TMPDIR:-$(mktemp -d)}/image_semantics.txt
"$bench" --backend=bochs --bochs_model=corei7_skylake_x --semantics > "$out"; rc=$?
[ $rc -eq 0 ] || { echo "FAIL: bench --backend=bochs --semantics exit $rc"; exit 1; }
grep -q '^SUMMARY: [0-9]* tests, 0 failures' "$out" || { echo "FAIL: no passing SUMMARY line"; exit 1; }
if ! diff "$recorded" "$out"; then
  echo "FAIL: $recorded is stale (regenerate it, see the top of this script)"
  exit 1
fi
echo "PASS: $(wc -l < "$out") lines, as recorded"
