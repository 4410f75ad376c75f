#!/usr/bin/env bash
# //harness:semantics from the command line: the suite's lines and an exit
# status per outcome (0 no failures, 2 usage, 7 did not finish, with the
# image's own reason).
set -uo pipefail
bin=$1
failures=0
check() {  # check NAME WANT_STATUS GOT_STATUS [detail]
  if [ "$2" -eq "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1: exit $3, want $2 ${4:-}"; failures=$((failures + 1)); fi
}

out=$("$bin" --bochs_model=corei7_skylake_x 2>/tmp/sem_err.$$); rc=$?
check skylake_runs 0 $rc "$(head -c 300 /tmp/sem_err.$$)"
echo "$out" | grep -q '^SUMMARY: [0-9]* tests, 0 failures' || { echo "FAIL: no clean SUMMARY line"; failures=$((failures + 1)); }
echo "$out" | grep -q '^PASS: vmcall_exit_reason_18$' || { echo "FAIL: a guest case is missing"; failures=$((failures + 1)); }
[ "$(echo "$out" | grep -c -v -E '^(PASS|FAIL|SKIP|KNOWN|OBSERVED|SUMMARY): ')" -eq 0 ] || { echo "FAIL: lines other than the suite's"; failures=$((failures + 1)); }

"$bin" --bochs_model=core_duo_t2400_yonah > /dev/null 2>/tmp/sem_err.$$; rc=$?
check no_long_mode_did_not_finish 7 $rc
grep -q 'no long mode: CPUID.80000001H:EDX\[29\]=0' /tmp/sem_err.$$ || { echo "FAIL: the image's reason was not passed on: $(cat /tmp/sem_err.$$)"; failures=$((failures + 1)); }

"$bin" --bochs_model=no_such_cpu > /dev/null 2>&1; check unknown_model_is_usage 2 $?
"$bin" --timeout=0 > /dev/null 2>&1; check zero_timeout_is_usage 2 $?
"$bin" --bogus > /dev/null 2>&1; check unknown_flag_is_usage 2 $?
rm -f /tmp/sem_err.$$
echo "$failures failures"
[ $failures -eq 0 ]
