# Sourced by guest_init.sh when the image holds //bench: bench with the module
# backend, inside the guest. Small counts: Bochs runs ~50 MIPS. The JSON goes
# to the host between BENCH-JSON-BEGIN/END lines, after the BENCH-OPS line that
# names the rows asked for (check_bench_json.sh checks both).
# The guest rows among them run a guest from the module: a round trip
# (vmcall) and a live invalidation at one page count (its warm, refill and
# collateral counters come from the guest).
BENCH_OPS="invept_single_context invept_global invvpid_single_context vmread vmxoff_vmxon vmcall invept_global_live"
BENCH_FILTER="^ring0/($(echo $BENCH_OPS | tr ' ' '|'))/"
bench_run() {  # bench_run OUT ERR   (the module backend, JSON, small counts)
  bench --backend=module --benchmark_format=json --benchmark_filter="$BENCH_FILTER" \
    --vmxbench_iterations=50 --vmxbench_warmup=5 --vmxbench_pages=64 > "$1" 2> "$2"
}

bench_run /tmp/bench.json /tmp/bench.err; rc=$?
echo "VMXB-E2E BENCH-OPS $BENCH_OPS"
echo "BENCH-JSON-BEGIN"
cat /tmp/bench.json
echo "BENCH-JSON-END"
check bench_module_json "bench exit $rc: $(tr '\n' ' ' < /tmp/bench.err | head -c 400)" [ $rc -eq 0 ]
check bench_json_valid "no module rows in the JSON" grep -q '"label": "module: TSC cycles' /tmp/bench.json

su -s /bin/sh nobody -c "bench --backend=module --benchmark_filter='$BENCH_FILTER' --vmxbench_iterations=5" \
  > /tmp/bench-nonroot.out 2>&1; rc=$?
cat /tmp/bench-nonroot.out | grep '^bench:'
check bench_nonroot_exit "want exit 4 (kExitNoPrivilege) and 'run as root', got $rc" \
  sh -c "[ $rc -eq 4 ] && grep -q 'run as root' /tmp/bench-nonroot.out"

# Called while KVM holds VMX (a VM open, or 6.12's enable_virt_at_load=Y).
bench_busy_check() {  # bench_busy_check [CHECK_NAME]
  bench_run /tmp/bench-busy.json /tmp/bench-busy.err; rc=$?
  grep -h -o 'VMX is already in use[^"]*' /tmp/bench-busy.err /tmp/bench-busy.json | head -n 1
  check "${1:-bench_busy_exit}" "want exit 5 (kExitVmxBusy) naming kvm.enable_virt_at_load=0, got $rc" \
    sh -c "[ $rc -eq 5 ] && grep -q 'kvm.enable_virt_at_load=0' /tmp/bench-busy.err /tmp/bench-busy.json"
}
