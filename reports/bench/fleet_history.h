// A fleet's history for //reports/bench: deterministic reports of 50 hosts
// over a year, shaped like //bench's (24 ring-0 and user-space rows of 3
// repetitions, the live-invalidation rows, a diag part, a revision), so the benchmarks
// measure the history and the dashboard at the sizes a fleet reaches.
//
//  - hosts 0..39: hardware (module backend, diag part, live rows); every
//    seventh of them loses INVEPT single-context half-way through the year
//    (a capability change); host 3's invept_global regresses by 20% at the
//    last run;
//  - hosts 40..44: Bochs corei7_skylake_x (instruction counts: flat);
//  - hosts 45..49: Bochs core2_penryn_t9600 (INVEPT and INVVPID unsupported).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace vmxb::reports {
class History;
}

namespace vmxb::reports::bench {

inline constexpr int kFleetHosts = 50;

// Report `index` of a history of `total` reports: host index % kFleetHosts,
// its run index / kFleetHosts, the runs of each host spread over 365 days.
nlohmann::json fleet_report(int index, int total);

// Ingests reports [from, to) of a `total`-report fleet.
void add_fleet_reports(History& history, int from, int to, int total);

// A SQLite history of `total` fleet reports, generated on first use into
// $VMXBENCH_REPORTS_BENCH_DIR (default /var/tmp/vmxbench-reports-bench) and
// kept there: a 50k-report history takes minutes to write.
std::string cached_fleet_history(int total);

}  // namespace vmxb::reports::bench
