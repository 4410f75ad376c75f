#include "reports/export.h"

#include <algorithm>
#include <cstdio>

#include "reports/report.h"
#include "reports/series.h"
#include "stats/descriptive.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string backend(const json& r) { return backend_label(r["backend"]); }

std::string host_field(const json& host, const char* field) {
  auto it = host.find(field);
  if (it == host.end() || it->is_null()) return "?";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string export_name(const json& report, const std::string& benchmark, bool emulated) {
  std::string where = backend(report);
  if (!emulated) {
    const json& host = report["host"];
    where += ", " + host_field(host, "cpu_vendor") + " family " + host_field(host, "cpu_family") + " model " +
             host_field(host, "cpu_model");
  }
  return benchmark + " [" + where + "]";
}

std::string left_out_of_export(const json& report) {
  std::string left_out;
  for (const Series& s : extract_series(report))
    if (s.samples.empty())
      left_out += (left_out.empty() ? "" : "; ") + s.name + ": " + (s.error.empty() ? "no value" : s.error);
  return left_out;
}

json to_github_action_benchmark(const json& report) {
  json out = json::array();
  for (const Series& s : extract_series(report)) {
    if (s.samples.empty()) continue;
    json e = {{"name", export_name(report, s.name, s.emulated)},
              {"unit", s.emulated && s.unit != "ns" ? (s.unit.empty() ? s.metric : s.unit) + " (emulated)" : s.unit},
              {"value", stats::median(s.samples)}};
    if (s.unit.empty()) e["unit"] = s.metric;
    if (s.samples.size() >= 2) e["range"] = "± " + num(stats::sample_stddev(s.samples));
    e["extra"] = "host: " + report["host"]["name"].get<std::string>() + "\nbackend: " + backend(report) +
                 "\nmetric: " + s.metric + " (median of " + std::to_string(s.samples.size()) +
                 " repetition(s))\nsuite: " + report["suite_version"].get<std::string>() +
                 "\ntimestamp: " + report["timestamp"].get<std::string>();
    out.push_back(std::move(e));
  }
  return out;
}

json to_bencher_bmf(const json& report) {
  json out = json::object();
  for (const Series& s : extract_series(report)) {
    if (s.samples.empty()) continue;
    std::string measure = s.unit == "ns" ? "latency" : s.unit.empty() ? s.metric : s.unit;
    json m = {{"value", stats::median(s.samples)}};
    if (s.samples.size() >= 2) {
      m["lower_value"] = *std::min_element(s.samples.begin(), s.samples.end());
      m["upper_value"] = *std::max_element(s.samples.begin(), s.samples.end());
    }
    out[export_name(report, s.name, s.emulated)][measure] = m;
  }
  return out;
}

json to_gbench(const json& report) {
  json rows = json::array();
  int family = 0;
  for (const Series& s : extract_series(report)) {
    if (s.samples.empty()) continue;  // left_out_of_export()
    // The unit in the name: compare.py prints bare numbers and reads every value as a time.
    const std::string name = export_name(report, s.name, s.emulated) + " " + unit_label(s);
    for (size_t i = 0; i < s.samples.size(); ++i)
      rows.push_back({{"name", name},
                      {"run_name", name},
                      {"run_type", "iteration"},
                      {"family_index", family},
                      {"per_family_instance_index", 0},
                      {"repetitions", s.samples.size()},
                      {"repetition_index", i},
                      {"threads", 1},
                      {"iterations", 1},
                      {"real_time", s.samples[i]},
                      {"cpu_time", s.samples[i]},
                      {"time_unit", "ns"}});
    ++family;
  }
  json context = {{"date", report["timestamp"]},
                  {"host_name", report["host"]["name"]},
                  {"executable", "vmxbench reports export --format gbench"},
                  {"vmxbench_backend", backend(report)},
                  {"vmxbench_suite_version", report["suite_version"]},
                  {"vmxbench_values",
                   "real_time and cpu_time both hold each row's own metric, named after the row: cycles "
                   "(ring-0 on hardware), ns (user space) or instruction counts (emulated); time_unit \"ns\" is "
                   "nominal. compare.py's OVERALL_GEOMEAN mixes these units and means nothing"}};
  if (const std::string left_out = left_out_of_export(report); !left_out.empty())
    context["vmxbench_left_out"] = left_out;
  return {{"context", context}, {"benchmarks", rows}};
}

}  // namespace vmxb::reports
