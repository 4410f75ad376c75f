// Synthetic Google Benchmark documents and reports for the reports tests:
// the same shape tiny_bench and //bench produce, with chosen values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/history.h"

namespace vmxb::reports::testing {

struct HostSpec {
  std::string name = "lab-host-1";
  std::string vendor = "GenuineIntel";
  std::string family = "6", model = "85", stepping = "4";
  std::string microcode = "0x2007006", kernel = "6.1.0-18-amd64", hypervisor = "none";
};

struct BackendSpec {
  std::string kind = "module";  // module | bochs | qemu
  std::string bochs_model;      // for bochs
};

// Iteration rows (one per sample, repetitions = samples.size()) plus the
// mean/median/stddev aggregate rows Google Benchmark appends. Ring-0 names
// ("ring0/...") get the value as cycles_median (and friends); others as real_time (ns).
nlohmann::json rows(const std::string& name, const std::vector<double>& samples);

// A Google Benchmark document with vmxbench's context keys.
nlohmann::json gb_doc(const std::map<std::string, std::vector<double>>& benchmarks, const std::string& date,
                     const HostSpec& host = {}, const BackendSpec& backend = {});

// //bench's live-invalidation rows (ring0/<op>/pages:<N>): `repetitions`
// iteration rows whose ticks_median is the flush and whose counters are the
// given medians (the penalties derived as bench derives them).
struct LiveRowSpec {
  std::string op;  // "invept_single_context_live", ...
  int pages = 64;
  double flush = 0, warm = 0, refill = 0, collateral = 0;
};
nlohmann::json live_rows(const LiveRowSpec& spec, int repetitions = 3);

// gb_doc(benchmarks, ...) with the live rows appended, made into a report.
nlohmann::json make_live_report(const std::map<std::string, std::vector<double>>& benchmarks,
                               const std::vector<LiveRowSpec>& live, const std::string& date,
                               const HostSpec& host = {}, const BackendSpec& backend = {});

// What //bench writes for a ring-0 row that did not run: one error row per
// repetition, "unsupported: <reason>", no counters (bench/ring0_benchmarks.cc).
nlohmann::json unsupported_rows(const std::string& name, const std::string& reason, int repetitions = 3);

// gb_doc(benchmarks, ...) with `extra_rows` appended, made into a report.
nlohmann::json make_report_with_rows(const std::map<std::string, std::vector<double>>& benchmarks,
                                    const nlohmann::json& extra_rows, const std::string& date,
                                    const HostSpec& host = {}, const BackendSpec& backend = {});

// A diag document with skylake_x-like capability MSRs and three verdicts.
// `ept_vpid_cap` lets a test change one MSR.
nlohmann::json diag_doc(unsigned long long ept_vpid_cap = 0xf0106334141ull);

// build_report(gb_doc(...), diag).
nlohmann::json make_report(const std::map<std::string, std::vector<double>>& benchmarks, const std::string& date,
                          const HostSpec& host = {}, const BackendSpec& backend = {},
                          const nlohmann::json* diag = nullptr);

// "2026-01-01T06:00:00+00:00" plus `day` days.
std::string format_day(int day);

// n values around `center` (deterministic, spread +-2%).
std::vector<double> around(double center, int n = 9, unsigned seed = 1);

// A file under reports/tests/fixtures, and any workspace file, in the runfiles.
std::string fixture_path(const std::string& name);
std::string runfile_path(const std::string& workspace_relative);
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// A fresh directory under TEST_TMPDIR (or /tmp).
std::string temp_dir(const std::string& tag);

}  // namespace vmxb::reports::testing

namespace vmxb::reports {
class History;
}

namespace vmxb::reports::testing {

struct DemoHistory {
  int reports = 0;
  // What the dashboard must show.
  std::string regressed_host = "alpha", regressed_benchmark = "ring0/invept_global";
  std::string recovered_benchmark = "ring0/vmread";  // regressed on day 3, back to normal after
  // gamma: Bochs core2_penryn_t9600, whose EPT has no INVEPT: both rows unsupported.
  std::string unsupported_host = "gamma", unsupported_where = "bochs (core2_penryn_t9600)";
  std::string unsupported_reason = "IA32_VMX_EPT_VPID_CAP[20] (INVEPT) is 0";
  // alpha's last hardware report sees other VMX capabilities (EPT 1-GByte pages gone).
  std::string capability_change_at = "2026-11-06T06:00:00Z";
  // alpha's hardware runs name revisions rev-1 .. rev-6 (order = day).
  std::string revision_prefix = "rev-";
  // gamma's runs are 90 minutes apart on one day (its chart's time axis must show times).
  std::vector<std::string> close_runs;
};

// Six days of reports: host alpha on hardware (with diag) and under Bochs
// (corei7_skylake_x), host beta on hardware without diag. alpha's
// invept_global regresses by ~20% on the last day; vmread regresses on day 3
// and recovers on day 4; alpha's day-6 hardware report has a diag part with
// other capabilities. Host gamma: three Bochs penryn runs on day 6, 90
// minutes apart, with INVEPT unsupported and a vmcall that varies.
DemoHistory populate_demo_history(History& history);

}  // namespace vmxb::reports::testing

namespace vmxb::reports::testing {

// History points as reports/dashboard_query.h downsamples them, made by hand:
// host "delta" on hardware, ring0/invept_single_context and
// ring0/invept_global, eight points each on days 1..8 of 2026-01:
// the first two stand for `downsampled_runs` runs each (first_timestamp
// `downsampled_runs - 1` hours earlier, samples empty), the rest are single
// runs with samples. Points 3..8 name revisions rev-3 .. rev-8 with order
// 30, 40, ... 80; points 1 and 2 have none, so `unordered_runs` runs of the
// chart have no order. The global's point 5 failed (`failed_reason`).
struct DownsampledHistory {
  int downsampled_runs = 12;
  int unordered_runs = 2;
  std::string host = "delta";
  std::string failed_reason = "vmfail-valid error 7: bad field";
  std::vector<HistoryPoint> points;
};
DownsampledHistory downsampled_history();

}  // namespace vmxb::reports::testing
