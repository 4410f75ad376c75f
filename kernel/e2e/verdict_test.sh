#!/usr/bin/env bash
# Shows that the e2e verdict (verdict.sh + check_bench_json.sh) can fail: real
# serial logs of passing runs (testdata/, from //kernel:e2e_bochs_test and
# //kernel:e2e_bochs_612_test) must pass, and each mutation that breaks one
# rule must fail. No Bochs needed: runs in a second.
set -uo pipefail
if [ -n "${TEST_SRCDIR:-}" ]; then e2e="$TEST_SRCDIR/${TEST_WORKSPACE:-vmxbench}/kernel/e2e"
else e2e=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd); fi
tmp=${TEST_TMPDIR:-$(mktemp -d)}
log61="$e2e/testdata/serial_6.1_pass.txt"
log612="$e2e/testdata/serial_6.12_pass.txt"
failures=0

expect() {  # expect WANT(pass|fail) NAME SERIAL KERNEL WITH_BENCH [OPS_LIST]
  local want=$1 name=$2 rc
  "$e2e/verdict.sh" "$3" "$4" "$5" ${6:+"$6"} >"$tmp/out" 2>&1
  rc=$?
  if { [ "$want" = pass ] && [ $rc -eq 0 ]; } || { [ "$want" = fail ] && [ $rc -ne 0 ]; }; then
    echo "PASS: $name (verdict exit $rc)"
  else
    echo "FAIL: $name: wanted $want, verdict exit $rc:"
    sed 's/^/    /' "$tmp/out"
    failures=$((failures + 1))
  fi
}
mutate() {  # mutate NAME SED_EXPR SOURCE -> path
  sed "$2" "$3" > "$tmp/$1.txt"
  echo "$tmp/$1.txt"
}
mutate_json() {  # mutate_json NAME PYTHON_ON_doc SOURCE -> path (the bench JSON edited)
  python3 - "$3" "$tmp/$1.txt" "$2" <<'PY'
import json, sys
src, dst, code = sys.argv[1:]
text = open(src).read()
head, rest = text.split("BENCH-JSON-BEGIN\n", 1)
body, tail = rest.split("BENCH-JSON-END", 1)
doc = json.loads(body)
exec(code)
open(dst, "w").write(head + "BENCH-JSON-BEGIN\n" + json.dumps(doc, indent=1) + "\nBENCH-JSON-END" + tail)
PY
  echo "$tmp/$1.txt"
}

expect pass "6.1 log passes" "$log61" default 1
expect pass "6.12 log passes" "$log612" 6.12 1
expect pass "6.1 log passes without bench" "$log61" default 0
expect fail "6.1 log lacks the 6.12 checks" "$log61" 6.12 1
expect fail "a required PASS missing" "$(mutate no_busy '/^PASS: busy_ebusy$/d' "$log61")" default 1
expect fail "a FAIL line" "$(mutate fail_line 's/^PASS: fuzz_10000_calls$/FAIL: fuzz_10000_calls: exit 1/' "$log61")" default 1
expect fail "an extra FAIL line" "$(mutate extra_fail '$a FAIL: something: broke' "$log61")" default 1
expect fail "a kernel panic" "$(mutate panic '$a [   99.0] Kernel panic - not syncing: Fatal exception' "$log61")" default 1
expect fail "an oops" "$(mutate oops '$a [   99.0] Oops: 0000 [#1] PREEMPT SMP NOPTI' "$log61")" default 1
expect fail "a BUG" "$(mutate bug '$a [   99.0] BUG: kernel NULL pointer dereference, address: 0000000000000008' "$log61")" default 1
expect fail "an unknown NMI" "$(mutate nmi '$a [   99.0] Uhhuh. NMI received for unknown reason 2d on CPU 0.' "$log61")" default 1
expect pass "a program's text that merely says BUG: or Oops" "$(mutate program_text '$a     "note": "built without NDEBUG: Oops is a word"' "$log61")" default 0
expect fail "the guest never finished" "$(mutate no_done '/^VMXB-E2E DONE/d' "$log61")" default 1
expect fail "no reboot-notifier line (6.12)" "$(mutate no_reboot_line "/system going down: the RUN in progress/d" "$log612")" 6.12 1
# The operations: the guest's OPS line (its `vmxbctl list`) decides which
# run_<op> checks are required, and must match the host's list when given.
ops_of() {  # ops_of SERIAL NAME -> a `vmxbctl list`-shaped file of the log's OPS line
  sed -n 's/^VMXB-E2E OPS //p' "$1" | tr ' ' '\n' | sed 's/$/ id=0 vmx_root=0 what=x/' > "$tmp/$2.txt"
  echo "$tmp/$2.txt"
}
expect pass "6.1 log with its own operation list" "$log61" default 1 "$(ops_of "$log61" ops61)"
expect pass "6.12 log with its own operation list" "$log612" 6.12 1 "$(ops_of "$log612" ops612)"
expect fail "no OPS line" "$(mutate no_ops '/^VMXB-E2E OPS /d' "$log61")" default 1
expect fail "an empty OPS line" "$(mutate empty_ops 's/^VMXB-E2E OPS .*/VMXB-E2E OPS /' "$log61")" default 1
expect fail "a listed operation that never ran" "$(mutate extra_op 's/^VMXB-E2E OPS .*/& no_such_op/' "$log61")" default 1
expect fail "the run of the newest row missing" \
  "$(mutate no_exit_reason '/^PASS: run_vmread_exit_reason$/d' "$log61")" default 1
extra="$tmp/ops_extra.txt"
{ cat "$(ops_of "$log61" ops61b)"; echo "no_such_op id=99 vmx_root=0 what=x"; } > "$extra"
expect fail "the host lists an operation the guest did not" "$log61" default 1 "$extra"
expect pass "bench JSON re-serialized unchanged" "$(mutate_json identity 'pass' "$log61")" default 1
expect fail "bench JSON missing" "$(mutate no_json '/BENCH-JSON-BEGIN/,/BENCH-JSON-END/d' "$log61")" default 1
expect fail "bench row with an error" \
  "$(mutate_json row_error 'doc["benchmarks"][0]["error_occurred"] = True' "$log61")" default 1
expect fail "bench row with too few samples" \
  "$(mutate_json few_samples 'doc["benchmarks"][1]["samples"] = 49' "$log61")" default 1
expect fail "bench row missing" "$(mutate_json row_missing 'doc["benchmarks"].pop()' "$log61")" default 1
expect fail "bench ran another backend" \
  "$(mutate_json other_backend 'doc["context"]["vmxbench_backend"] = "bochs"' "$log61")" default 1
expect fail "no BENCH-OPS line" "$(mutate no_bench_ops '/^VMXB-E2E BENCH-OPS /d' "$log61")" default 1
expect fail "a BENCH-OPS row bench did not print" \
  "$(mutate bench_ops_extra 's/^VMXB-E2E BENCH-OPS .*/& vmclear/' "$log61")" default 1
expect fail "bench ticks zero" "$(mutate_json zero_ticks 'doc["benchmarks"][2]["ticks_min"] = 0' "$log61")" default 1
# The guest rows from the module (ABI 4): the largest page count must have
# run, NMIs must not reach Linux as unknown, and the live row's JSON carries
# its guest-side counters at the page count asked for.
expect fail "the 512-page touch run missing" "$(mutate no_512 '/^PASS: run_touch_512_pages$/d' "$log612")" 6.12 1
expect fail "an NMI Linux could not place" \
  "$(mutate nmi_unknown '$a [   99.0] Uhhuh. NMI received for unknown reason 30 on CPU 0.' "$log612")" 6.12 1
live_row='next(b for b in doc["benchmarks"] if "_live/" in b["name"])'
expect fail "bench live row without its collateral counter" \
  "$(mutate_json no_collateral "del $live_row[\"collateral\"]" "$log612")" 6.12 1
expect fail "bench live row at another page count" \
  "$(mutate_json other_pages "$live_row[\"pages\"] = 512" "$log612")" 6.12 1

# The semantics suite through the module, against the boot image's lines
# (testdata/image_semantics_corei7_skylake_x.txt unless a 5th argument).
image_lines="$e2e/testdata/image_semantics_corei7_skylake_x.txt"
expect_sem() {  # expect_sem WANT NAME SERIAL [IMAGE_LINES]
  local want=$1 name=$2 rc
  "$e2e/verdict.sh" "$3" default 1 "$(ops_of "$3" ops_sem)" "${4:-$image_lines}" >"$tmp/out" 2>&1
  rc=$?
  if { [ "$want" = pass ] && [ $rc -eq 0 ]; } || { [ "$want" = fail ] && [ $rc -ne 0 ]; }; then
    echo "PASS: $name (verdict exit $rc)"
  else
    echo "FAIL: $name: wanted $want, verdict exit $rc:"
    sed 's/^/    /' "$tmp/out"
    failures=$((failures + 1))
  fi
}
expect_sem pass "6.1 log against the recorded image lines" "$log61"
expect fail "no semantics lines" "$(mutate no_sem '/^SEM /d' "$log61")" default 1
expect fail "a semantics check missing" "$(mutate no_sem_busy '/^PASS: semantics_busy_ebusy$/d' "$log61")" default 1
expect fail "bench --semantics missing" "$(mutate no_bench_sem '/^PASS: bench_semantics_module$/d' "$log61")" default 1
expect fail "a module case FAILs" \
  "$(mutate sem_fail 's/^SEM PASS: vmptrld$/SEM FAIL: vmptrld: expected VMsucceed, got VMfailInvalid/' "$log61")" default 1
expect fail "a module case's verdict differs from the image's" \
  "$(mutate sem_differs 's/^SEM PASS: vmptrld$/SEM SKIP: vmptrld: some reason/' "$log61")" default 1
expect fail "a listed module-only SKIP runs in the module" \
  "$(mutate sem_listed_runs 's/^SEM SKIP: vmxon_gp_at_cpl3: .*/SEM PASS: vmxon_gp_at_cpl3/' "$log61")" default 1
expect fail "a case missing from the module" "$(mutate sem_missing '/^SEM PASS: vmxoff_ud_after_vmxoff$/d' "$log61")" default 1
expect fail "the module's SUMMARY miscounts" \
  "$(mutate sem_summary 's/^SEM SUMMARY: \([0-9]*\) tests, 0 failures, \([0-9]*\) skipped/SEM SUMMARY: \1 tests, 0 failures, 1\2 skipped/' "$log61")" \
  default 1
sed '/^PASS: vmptrld$/d' "$image_lines" > "$tmp/image_short.txt"
expect_sem fail "the image ran a case the module did not list" "$log61" "$tmp/image_short.txt"
sed 's/^PASS: vmxon_gp_at_cpl3$/SKIP: vmxon_gp_at_cpl3: the image skips it too/' "$image_lines" > "$tmp/image_stale.txt"
expect_sem fail "a listed module-only SKIP the image skips too (stale list)" "$log61" "$tmp/image_stale.txt"

echo "verdict_test: $failures failure(s)"
[ $failures -eq 0 ]
