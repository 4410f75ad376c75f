#include "reports/tests/fixtures.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "reports/report.h"
#include "reports/timeutil.h"
#include "stats/descriptive.h"

namespace vmxb::reports::testing {

using nlohmann::json;

json benchmark_rows(const std::string& name, const std::vector<double>& samples) {
  json rows = json::array();
  const bool ring0 = name.rfind("ring0/", 0) == 0;
  const int n = static_cast<int>(samples.size());
  for (int i = 0; i < n; ++i) {
    json r = {{"name", name},          {"family_index", 0},   {"per_family_instance_index", 0},
              {"run_name", name},      {"run_type", "iteration"}, {"repetitions", n},
              {"repetition_index", i}, {"threads", 1},        {"iterations", 1000},
              {"time_unit", "ns"}};
    if (ring0) {
      r["real_time"] = 1500.0;
      r["cpu_time"] = 1490.0;
      r["cycles_min"] = samples[i] * 0.95;
      r["cycles_median"] = samples[i];
      r["cycles_p99"] = samples[i] * 1.4;
      r["cycles_stddev"] = 4.0;
      r["overhead"] = 24.0;
    } else {
      r["real_time"] = samples[i];
      r["cpu_time"] = samples[i] * 0.99;
    }
    rows.push_back(r);
  }
  if (n > 1) {
    for (const char* agg : {"mean", "median", "stddev"}) {
      double v = std::string(agg) == "mean" ? stats::mean(samples) : std::string(agg) == "median" ? stats::median(samples)
                                                                                            : stats::sample_stddev(samples);
      json r = {{"name", name + "_" + agg}, {"family_index", 0}, {"per_family_instance_index", 0},
                {"run_name", name},          {"run_type", "aggregate"}, {"repetitions", n},
                {"threads", 1},              {"aggregate_name", agg},   {"aggregate_unit", "time"},
                {"iterations", n},           {"time_unit", "ns"}};
      if (ring0) {
        r["real_time"] = 1500.0;
        r["cpu_time"] = 1490.0;
        r["cycles_median"] = v;
      } else {
        r["real_time"] = v;
        r["cpu_time"] = v;
      }
      rows.push_back(r);
    }
  }
  return rows;
}

json gb_doc(const std::map<std::string, std::vector<double>>& benchmarks, const std::string& date,
           const HostSpec& host, const BackendSpec& backend) {
  json ctx = {{"date", date},
              {"host_name", host.name},
              {"executable", "bench"},
              {"num_cpus", 2},
              {"mhz_per_cpu", 2600},
              {"cpu_scaling_enabled", false},
              {"library_build_type", "release"},
              {"vmxbench_version", "0.3.0"},
              {"vmxbench_backend", backend.kind},
              {"vmxbench_emulated", backend.kind == "bochs" ? "yes" : "no"},
              {"vmxbench_tick_unit", backend.kind == "bochs" ? "instructions" : "cycles"},
              {"cpu_vendor", host.vendor},
              {"cpu_brand", "Intel(R) Xeon(R) Test CPU @ 2.60GHz"},
              {"cpu_family", host.family},
              {"cpu_model", host.model},
              {"cpu_stepping", host.stepping},
              {"microcode", host.microcode},
              {"kernel", host.kernel},
              {"hypervisor", host.hypervisor},
              {"tsc_hz", "2600000000"}};
  if (backend.kind == "bochs") ctx["vmxbench_bochs_model"] = backend.bochs_model;
  json rows = json::array();
  for (const auto& [name, samples] : benchmarks)
    for (const json& r : benchmark_rows(name, samples)) rows.push_back(r);
  return {{"context", ctx}, {"benchmarks", rows}};
}

json diag_doc(unsigned long long ept_vpid_cap) {
  char cap[32];
  std::snprintf(cap, sizeof cap, "0x%llx", ept_vpid_cap);
  return {{"schema", "vmxbench-diag"},
          {"schema_version", 1},
          {"msrs",
           {{"0x3a", "0x5"},
            {"0x480", "0xd810000000002b"},
            {"0x48b", "0x2177fff00000000"},
            {"0x48c", cap},
            {"0x485", "0x600401e0"}}},
          {"verdicts",
           json::array({{{"name", "vmx_enabled"}, {"verdict", "pass"}, {"detail", "IA32_FEATURE_CONTROL locked, VMX outside SMX on"}},
                        {{"name", "invept_single_context"}, {"verdict", "pass"}, {"detail", "EPT_VPID_CAP bit 25"}},
                        {{"name", "vmfunc"}, {"verdict", "fail"}, {"detail", "secondary control bit 45 is 0"}}})}};
}

namespace {

// Repetition `i` of `repetitions` of an iteration row, before its values.
json iteration_row(const std::string& name, int repetitions, int i) {
  return {{"name", name},          {"run_name", name}, {"run_type", "iteration"}, {"repetitions", repetitions},
          {"repetition_index", i}, {"threads", 1}};
}

}  // namespace

json live_rows(const LiveRowSpec& spec, int repetitions) {
  const std::string name = "ring0/" + spec.op + "/pages:" + std::to_string(spec.pages) + "/iterations:1/manual_time";
  json rows = json::array();
  for (int i = 0; i < repetitions; ++i) {
    json row = iteration_row(name, repetitions, i);
    row.update({{"iterations", 1},
                {"real_time", 0.0},
                {"cpu_time", 560.0},
                {"time_unit", "ns"},
                {"ticks_median", spec.flush},
                {"overhead_ticks", 24.0},
                {"pages", static_cast<double>(spec.pages)},
                {"warm", spec.warm},
                {"refill", spec.refill},
                {"collateral", spec.collateral},
                {"refill_penalty", spec.refill - spec.warm},
                {"collateral_penalty", spec.collateral - spec.warm}});
    rows.push_back(std::move(row));
  }
  return rows;
}

json make_live_report(const std::map<std::string, std::vector<double>>& benchmarks,
                     const std::vector<LiveRowSpec>& live, const std::string& date, const HostSpec& host,
                     const BackendSpec& backend) {
  json rows = json::array();
  for (const LiveRowSpec& spec : live)
    for (const json& r : live_rows(spec)) rows.push_back(r);
  return make_report_with_rows(benchmarks, rows, date, host, backend);
}

json unsupported_rows(const std::string& name, const std::string& reason, int repetitions) {
  json rows = json::array();
  for (int i = 0; i < repetitions; ++i) {
    json row = iteration_row(name, repetitions, i);
    row.update({{"error_occurred", true},
                {"error_message", "unsupported: " + reason},
                {"iterations", 0},
                {"real_time", 0},
                {"cpu_time", 0},
                {"time_unit", "ns"}});
    rows.push_back(std::move(row));
  }
  return rows;
}

json make_report_with_rows(const std::map<std::string, std::vector<double>>& benchmarks, const json& extra_rows,
                          const std::string& date, const HostSpec& host, const BackendSpec& backend) {
  json gb = gb_doc(benchmarks, date, host, backend);
  for (const json& r : extra_rows) gb["benchmarks"].push_back(r);
  return build_report(gb, nullptr);
}

json make_report(const std::map<std::string, std::vector<double>>& benchmarks, const std::string& date,
                const HostSpec& host, const BackendSpec& backend, const json* diag) {
  return build_report(gb_doc(benchmarks, date, host, backend), diag);
}

std::string format_day(int day) {
  std::string utc = format_utc(*parse_iso8601("2026-01-01T06:00:00Z") + int64_t{day} * 86400);
  return utc.substr(0, 19) + "+00:00";
}

std::vector<double> around(double center, int n, unsigned seed) {
  std::vector<double> v;
  unsigned x = seed * 2654435761u + 12345;
  for (int i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    double f = static_cast<double>((x >> 8) % 4001) / 4000.0;  // [0, 1]
    v.push_back(center * (0.98 + 0.04 * f));
  }
  return v;
}

std::string runfile_path(const std::string& rel) {
  const char* src = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  if (src && ws) return std::string(src) + "/" + ws + "/" + rel;
  return rel;
}

std::string fixture_path(const std::string& name) { return runfile_path("reports/tests/fixtures/" + name); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string temp_dir(const std::string& tag) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/" + tag + ".XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp " + tmpl);
  return tmpl;
}

}  // namespace vmxb::reports::testing

#include "reports/history.h"

namespace vmxb::reports::testing {

DemoHistory populate_demo_history(History& history) {
  DemoHistory demo;
  json diag = diag_doc();
  // IA32_VMX_EPT_VPID_CAP without bit 17 (EPT 1-GByte pages).
  json diag_changed = diag_doc(0xf0106334141ull & ~(1ull << 17));
  HostSpec alpha, beta;
  alpha.name = "alpha";
  beta.name = "beta";
  beta.model = "106";
  for (int day = 1; day <= 6; ++day) {
    const std::string date = "2026-11-0" + std::to_string(day) + "T06:00:00+00:00";
    const unsigned s = static_cast<unsigned>(day) * 10;
    double global = day == 6 ? 1080 : 900;
    double vmread = day == 3 ? 140 : 100;
    json alpha_report = make_report({{"ring0/invept_single_context", around(600, 9, s)},
                                     {"ring0/invept_global", around(global, 9, s + 1)},
                                     {"ring0/vmread", around(vmread, 9, s + 2)},
                                     {"userspace_capture/flag_outputs", around(2.4, 9, s + 3)}},
                                    date, alpha, {}, day == 6 ? &diag_changed : &diag);
    // Each hardware run names the revision it measured (bench --vmxbench_revision).
    alpha_report["google_benchmark"]["context"]["vmxbench_revision"] = demo.revision_prefix + std::to_string(day);
    alpha_report["google_benchmark"]["context"]["vmxbench_revision_order"] = std::to_string(day);
    history.ingest(alpha_report);
    history.ingest(make_report({{"ring0/invept_single_context", std::vector<double>(9, 1)},
                               {"ring0/invept_global", std::vector<double>(9, 1)},
                               {"ring0/vmread", std::vector<double>(9, 1)}},
                              date, alpha, {"bochs", "corei7_skylake_x"}, &diag));
    history.ingest(make_report({{"ring0/invept_single_context", around(480, 9, s + 4)},
                               {"ring0/invept_global", around(760, 9, s + 5)}},
                              date, beta));
    demo.reports += 3;
  }
  HostSpec gamma;
  gamma.name = demo.unsupported_host;
  gamma.model = "23";
  json unsupported = json::array();
  for (const char* name : {"ring0/invept_single_context/iterations:1/manual_time",
                           "ring0/invept_global/iterations:1/manual_time"})
    for (const json& r : unsupported_rows(name, demo.unsupported_reason)) unsupported.push_back(r);
  for (int run = 0; run < 3; ++run) {
    const int minutes = 6 * 60 + 90 * run;
    char date[40];
    std::snprintf(date, sizeof date, "2026-11-06T%02d:%02d:00+00:00", minutes / 60, minutes % 60);
    demo.close_runs.push_back(date);
    history.ingest(make_report_with_rows({{"ring0/vmcall", around(1200.0 + 40 * run, 5, 70 + run)}}, unsupported,
                                         date, gamma, {"bochs", "core2_penryn_t9600"}));
    ++demo.reports;
  }
  return demo;
}

}  // namespace vmxb::reports::testing

namespace vmxb::reports::testing {

DownsampledHistory downsampled_history() {
  DownsampledHistory d;
  for (const auto& [benchmark, base] : {std::pair<std::string, double>{"ring0/invept_single_context", 500},
                                        {"ring0/invept_global", 800}}) {
    for (int day = 1; day <= 8; ++day) {
      HistoryPoint p;
      char date[40];
      std::snprintf(date, sizeof date, "2026-01-%02dT12:00:00Z", day);
      p.timestamp = date;
      p.content_hash = "sha256:delta-" + std::to_string(day);
      p.host_id = "delta-id";
      p.host_name = d.host;
      p.backend = "module";
      p.tick_unit = "cycles";
      p.benchmark = benchmark;
      p.metric = "cycles_median";
      p.unit = "cycles";
      // Values with more digits than the page keeps, and a rising trend.
      const double median = base + day * 3.14159265 + (benchmark == "ring0/invept_global" ? 0.123456 : 0);
      p.median = p.mean = median;
      if (day <= 2) {
        p.runs = d.downsampled_runs;
        std::snprintf(date, sizeof date, "2026-01-%02dT%02d:00:00Z", day, 12 - (d.downsampled_runs - 1));
        p.first_timestamp = date;
        p.min = median * 0.9;
        p.max = median * 1.25;
        p.repetitions = 9;
      } else {
        p.samples = around(median, 9, static_cast<unsigned>(day));
        p.repetitions = static_cast<int64_t>(p.samples.size());
        p.min = *std::min_element(p.samples.begin(), p.samples.end());
        p.max = *std::max_element(p.samples.begin(), p.samples.end());
        p.revision = "rev-" + std::to_string(day);
        p.revision_order = day * 10;
        if (day == 5 && benchmark == "ring0/invept_global") {
          p.error = d.failed_reason;
          p.samples.clear();
          p.median = p.mean = p.min = p.max = 0;
        }
      }
      d.points.push_back(std::move(p));
    }
  }
  return d;
}

}  // namespace vmxb::reports::testing
