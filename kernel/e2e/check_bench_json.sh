#!/usr/bin/env bash
# Checks the JSON that //bench printed inside the guest (between BENCH-JSON-BEGIN
# and BENCH-JSON-END in the serial log): the module backend's rows, one per
# operation on the guest's "VMXB-E2E BENCH-OPS" line (bench_checks.sh), without errors, with the sample count asked for and
# plausible tick statistics (the touch rows: their guest-side counters at 64
# pages), and the module's context keys.
#   check_bench_json.sh SERIAL_LOG          exit 0 ok, 1 not
set -euo pipefail
serial=$1
python3 - "$serial" <<'PY'
import json, sys
text = open(sys.argv[1], errors="replace").read().replace("\r", "")
try:
    body = text.split("BENCH-JSON-BEGIN\n", 1)[1].split("BENCH-JSON-END", 1)[0]
    doc = json.loads(body)
except (IndexError, ValueError) as e:
    print(f"check_bench_json: FAIL: no parsable bench JSON in the serial log ({e})")
    sys.exit(1)
problems = []
ctx = doc.get("context", {})
for key, want in {"vmxbench_backend": "module", "vmxbench_emulated": "no", "vmxbench_tick_unit": "cycles",
                  "vmxbench_iterations": "50"}.items():
    if ctx.get(key) != want:
        problems.append(f"context {key}={ctx.get(key)!r}, want {want!r}")
for key in ("vmxbench_module_kernel", "vmxbench_module_microcode", "vmxbench_module_abi", "tsc_hz"):
    if not ctx.get(key):
        problems.append(f"context {key} missing")
# The clock facts from the module: Bochs has none of these counters, so each
# is "unavailable: <reason>" in the context, and every row says so in its
# label and carries no cycles_* / smi_discarded / aperf_mperf_ratio (never zeros).
for fact in ("core_cycles", "aperf_mperf", "smi_count"):
    value = ctx.get("vmxbench_" + fact, "")
    if not (value.startswith("unavailable: ") and len(value) > len("unavailable: ") + 10):
        problems.append(f"context vmxbench_{fact}={value!r}, want 'unavailable: <reason>'")
bench_ops = [l.split(" ", 2)[2] for l in text.splitlines() if l.startswith("VMXB-E2E BENCH-OPS ")]
want_ops = set(bench_ops[0].split()) if bench_ops else set()
if not want_ops:
    problems.append("no 'VMXB-E2E BENCH-OPS' line naming the rows bench was asked for")
rows = {b["name"].split("/")[1]: b for b in doc.get("benchmarks", []) if b.get("name", "").startswith("ring0/")}
if set(rows) != want_ops:
    problems.append(f"ring0 rows {sorted(rows)}, want {sorted(want_ops)}")
for op, b in rows.items():
    if b.get("error_occurred"):
        problems.append(f"{op}: error {b.get('error_message')}")
        continue
    if b.get("samples") != 50:
        problems.append(f"{op}: samples={b.get('samples')}, want 50")
    if not (0 < b.get("ticks_min", 0) <= b.get("ticks_median", 0) <= b.get("ticks_p99", 0)):
        problems.append(f"{op}: ticks min/median/p99 {b.get('ticks_min')}/{b.get('ticks_median')}/{b.get('ticks_p99')}")
    if not b.get("label", "").startswith("module:"):
        problems.append(f"{op}: label {b.get('label')!r}")
    if "cycles unavailable (context vmxbench_core_cycles)" not in b.get("label", ""):
        problems.append(f"{op}: label {b.get('label')!r} does not say the cycles are unavailable")
    for absent in ("cycles_median", "smi_discarded", "aperf_mperf_ratio"):
        if absent in b:
            problems.append(f"{op}: counter {absent}={b[absent]!r} although the source is unavailable")
    if op.endswith("_live"):  # a touch row: the guest's own series, per page count
        if b.get("pages") != 64 or "/pages:64/" not in b["name"] + "/":
            problems.append(f"{op}: pages={b.get('pages')} in {b['name']}, want 64")
        for series in ("warm", "refill", "collateral"):
            if not b.get(series, 0) > 0:
                problems.append(f"{op}: counter {series}={b.get(series)!r}, want > 0")
for p in problems:
    print("check_bench_json: FAIL:", p)
if problems:
    sys.exit(1)
print(f"check_bench_json: PASS: {len(rows)} module rows, kernel {ctx['vmxbench_module_kernel']}, tsc_hz {ctx['tsc_hz']}")
PY
