#!/usr/bin/env bash
# write_image never replaces an existing file without --force, and says so in
# one line with exit 4; with --force it replaces it whole.
set -uo pipefail
write_image=$1
export VMXBENCH_IMAGE=$PWD/$2
dir=${TEST_TMPDIR:-$(mktemp -d)}
out=$dir/vmxbench.img
fail=0
check() { if "${@:2}"; then echo "PASS: $1"; else echo "FAIL: $1"; fail=1; fi; }

"$write_image" --mode=probe "$out" >"$dir/first.out" 2>&1
check "writes a new image (exit $?)" test -s "$out"
cp "$out" "$dir/first.img"
echo "keep me" >"$out"
"$write_image" --mode=probe "$out" >"$dir/again.out" 2>"$dir/again.err"
rc=$?
check "an existing file is refused with exit 4 (got $rc)" test "$rc" -eq 4
check "the refusal is one line naming the file and --force: $(cat "$dir/again.err")" \
  sh -c "[ \$(wc -l <'$dir/again.err') -eq 1 ] && grep -q -- '--force' '$dir/again.err' && grep -qF '$out' '$dir/again.err'"
check "the existing file is untouched" grep -qx "keep me" "$out"
"$write_image" --mode=probe --force "$out" >"$dir/forced.out" 2>&1
rc=$?
check "--force replaces it with the same image (exit $rc)" sh -c "[ $rc -eq 0 ] && cmp -s '$out' '$dir/first.img'"
exit $fail
