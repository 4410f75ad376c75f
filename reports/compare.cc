#include "reports/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "reports/capability_changes.h"
#include "reports/report.h"
#include "reports/text_format.h"
#include "stats/descriptive.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

std::string str(const json& v) {
  if (v.is_null()) return "?";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string cpu(const json& host) {
  return str(host["cpu_vendor"]) + " family " + str(host["cpu_family"]) + " model " + str(host["cpu_model"]);
}

std::string backend(const json& r) {
  const json& b = r["backend"];
  std::string s = backend_label(b);
  s += b["emulated"].get<bool>() ? ", emulated: " : ", hardware: ";
  s += b["tick_unit"].get<std::string>();
  return s;
}

std::string percent(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f%%", f * 100);
  return buf;
}

std::string pad(std::string s, size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kRegression: return "REGRESSION";
    case Verdict::kImprovement: return "improvement";
    case Verdict::kWithinThreshold: return "significant, within threshold";
    case Verdict::kNoSignificantChange: return "no significant change";
    case Verdict::kTooFewRepetitions: return "not tested: too few repetitions";
    case Verdict::kOnlyOld: return "only in OLD";
    case Verdict::kOnlyNew: return "only in NEW";
    case Verdict::kLostInNew: return "LOST in NEW";
    case Verdict::kError: return "error";
  }
  return "?";
}

Compatibility check_compatible(const json& o, const json& n) {
  Compatibility c;
  const bool oe = o["backend"]["emulated"].get<bool>(), ne = n["backend"]["emulated"].get<bool>();
  if (oe != ne) {
    c.ok = false;
    c.reasons.push_back("OLD is " + backend(o) + " and NEW is " + backend(n) +
                        ": emulated instruction counts and hardware cycles measure different things");
  } else if (oe) {
    if (backend_label(o["backend"]) != backend_label(n["backend"])) {
      c.ok = false;
      c.reasons.push_back("different emulators or emulated CPU models: OLD " + backend_label(o["backend"]) + ", NEW " +
                          backend_label(n["backend"]));
    }
  } else {
    const json &oh = o["host"], &nh = n["host"];
    if (oh["cpu_vendor"] != nh["cpu_vendor"] || oh["cpu_family"] != nh["cpu_family"] ||
        oh["cpu_model"] != nh["cpu_model"]) {
      c.ok = false;
      c.reasons.push_back("different CPU models: OLD " + cpu(oh) + ", NEW " + cpu(nh));
    }
  }
  const std::string ok_kind = o["backend"]["kind"], nk_kind = n["backend"]["kind"];
  if (c.ok && !oe && ok_kind != nk_kind && ok_kind != "none" && nk_kind != "none") {
    c.ok = false;  // bare-metal module vs a nested guest under QEMU/KVM
    c.reasons.push_back("different backends: OLD " + backend(o) + ", NEW " + backend(n));
  }
  if (c.ok && o["backend"]["tick_unit"] != n["backend"]["tick_unit"]) {
    c.ok = false;
    c.reasons.push_back("different tick units: OLD " + str(o["backend"]["tick_unit"]) + ", NEW " +
                        str(n["backend"]["tick_unit"]));
  }
  if (o["backend"]["kind"] != n["backend"]["kind"])
    c.notes.push_back("backends differ: OLD " + backend(o) + ", NEW " + backend(n));
  for (const char* f : {"name", "cpu_stepping", "microcode", "kernel", "hypervisor", "vmx_capability_hash"}) {
    if (o["host"][f] != n["host"][f])
      c.notes.push_back(std::string("host ") + f + " differs: OLD " + str(o["host"][f]) + ", NEW " +
                        str(n["host"][f]));
  }
  if (o["suite_version"] != n["suite_version"])
    c.notes.push_back("suite versions: OLD " + str(o["suite_version"]) + ", NEW " + str(n["suite_version"]));
  return c;
}

Comparison compare(const json& old_report, const json& new_report, const CompareOptions& opt) {
  Comparison c;
  c.options = opt;
  std::vector<Series> olds = extract_series(old_report, opt.metric);
  std::vector<Series> news = extract_series(new_report, opt.metric);
  std::map<std::string, const Series*> new_by_name;
  for (const Series& s : news) new_by_name[s.name] = &s;
  std::vector<double> ratios;
  std::map<std::string, bool> seen;
  const std::map<std::string, TouchCounters> old_touch = touch_counters(old_report);
  const std::map<std::string, TouchCounters> new_touch = touch_counters(new_report);

  auto finish = [&](CompareRow& row) {
    if (const auto it = old_touch.find(row.name); it != old_touch.end() && row.old_series) row.old_touch = it->second;
    if (const auto it = new_touch.find(row.name); it != new_touch.end() && row.new_series) row.new_touch = it->second;
    if (row.verdict == Verdict::kRegression) ++c.regressions;
    if (row.verdict == Verdict::kImprovement) ++c.improvements;
    if (row.verdict == Verdict::kTooFewRepetitions) ++c.untested;
    if (row.verdict == Verdict::kOnlyOld || row.verdict == Verdict::kLostInNew) ++c.lost;
    c.rows.push_back(std::move(row));
  };

  for (const Series& os : olds) {
    CompareRow row;
    row.name = os.name;
    row.metric = os.metric;
    row.unit_label = unit_label(os);
    row.old_series = os;
    auto it = new_by_name.find(os.name);
    if (it == new_by_name.end()) {
      row.verdict = Verdict::kOnlyOld;
      finish(row);
      continue;
    }
    seen[os.name] = true;
    const Series& ns = *it->second;
    row.new_series = ns;
    if (!os.error.empty() || !ns.error.empty()) {
      row.verdict = os.error.empty() ? Verdict::kLostInNew : Verdict::kError;
      row.note = !os.error.empty() ? "OLD: " + os.error : "NEW: " + ns.error;
      finish(row);
      continue;
    }
    row.old_median = stats::median(os.samples);
    row.new_median = stats::median(ns.samples);
    if (row.old_median > 0 && row.new_median > 0) {
      row.change = row.new_median / row.old_median - 1;
      row.change_defined = true;
      ratios.push_back(row.new_median / row.old_median);
    }
    if (os.aggregates_only || ns.aggregates_only) {
      row.verdict = Verdict::kTooFewRepetitions;
      row.note = "only aggregates reported (--benchmark_report_aggregates_only): no repetitions to test";
      finish(row);
      continue;
    }
    row.utest = stats::mann_whitney_u(os.samples, ns.samples);
    if (!row.utest.performed) {
      row.verdict = Verdict::kTooFewRepetitions;
      row.note = "repetitions " + std::to_string(os.samples.size()) + " vs " + std::to_string(ns.samples.size()) +
                 ": the U test needs at least " + std::to_string(stats::kUTestMinRepetitions) + " per side (" +
                 std::to_string(stats::kUTestOptimalRepetitions) + "+ recommended; --benchmark_repetitions)";
      finish(row);
      continue;
    }
    if (!row.utest.reliable())
      row.note = "repetitions " + std::to_string(os.samples.size()) + " vs " + std::to_string(ns.samples.size()) +
                 ": result unreliable, " + std::to_string(stats::kUTestOptimalRepetitions) + "+ recommended";
    row.significant = row.utest.p_value < opt.alpha;
    if (!row.significant)
      row.verdict = Verdict::kNoSignificantChange;
    else if (row.change_defined && row.change > opt.threshold)
      row.verdict = Verdict::kRegression;
    else if (row.change_defined && row.change < -opt.threshold)
      row.verdict = Verdict::kImprovement;
    else
      row.verdict = Verdict::kWithinThreshold;
    finish(row);
  }
  for (const Series& ns : news) {
    if (seen.count(ns.name)) continue;
    CompareRow row;
    row.name = ns.name;
    row.metric = ns.metric;
    row.unit_label = unit_label(ns);
    row.new_series = ns;
    row.verdict = Verdict::kOnlyNew;
    finish(row);
  }
  c.geomean_count = ratios.size();
  c.geomean_ratio = ratios.empty() ? 0 : stats::geometric_mean(ratios);
  const std::optional<diag::Decoded> old_caps = decoded_capabilities(old_report.value("diag", json()));
  const std::optional<diag::Decoded> new_caps = decoded_capabilities(new_report.value("diag", json()));
  if (old_caps && new_caps) {
    c.capabilities_compared = true;
    c.capability_changes = diag::diff_capabilities(*old_caps, *new_caps);
  }
  return c;
}

namespace {

// The live-invalidation rows' counters, one line per counter:
// "ring0/invept_global_live/pages:64  refill  258  300  +16.3%".
std::string format_touch_counters_text(const Comparison& c) {
  std::vector<std::vector<std::string>> table = {{"Live invalidation", "Counter", "Old", "New", "Change"}};
  std::string unit;
  for (const CompareRow& r : c.rows) {
    if (!r.old_touch && !r.new_touch) continue;
    unit = r.unit_label;
    for (const std::string& counter : kTouchCounterNames) {
      const auto value = [&](const std::optional<TouchCounters>& t) -> std::optional<double> {
        if (!t || !t->medians.count(counter)) return std::nullopt;
        return t->medians.at(counter);
      };
      const std::optional<double> o = value(r.old_touch), n = value(r.new_touch);
      if (!o && !n) continue;
      table.push_back({r.name, counter, o ? num(*o) : "-", n ? num(*n) : "-",
                       o && n && *o > 0 ? percent(*n / *o - 1) : "-"});
    }
  }
  if (table.size() == 1) return "";
  std::vector<size_t> w(table[0].size(), 0);
  for (const auto& l : table)
    for (size_t i = 0; i < l.size(); ++i) w[i] = std::max(w[i], l[i].size());
  std::ostringstream out;
  out << "Live invalidation counters (median over the repetitions, " << unit
      << "): warm = re-touch after a no-op exit, refill = re-touch after the flush, collateral = the other "
         "context's re-touch after the flush; penalty = that minus warm.\n";
  for (const auto& l : table) {
    std::string line;
    for (size_t i = 0; i < l.size(); ++i) line += (i ? "  " : "") + (i + 1 < l.size() ? pad(l[i], w[i]) : l[i]);
    out << line << "\n";
  }
  return out.str();
}

json touch_counters_json(const CompareRow& r) {
  json out = json::object();
  for (const std::string& counter : kTouchCounterNames) {
    const auto value = [&](const std::optional<TouchCounters>& t) {
      return t && t->medians.count(counter) ? json(t->medians.at(counter)) : json();
    };
    json o = value(r.old_touch), n = value(r.new_touch);
    if (o.is_null() && n.is_null()) continue;
    out[counter] = {{"old", o}, {"new", n}};
  }
  const TouchCounters& any = r.new_touch ? *r.new_touch : *r.old_touch;
  out["pages"] = any.pages;
  return out;
}

}  // namespace

std::string format_comparison_text(const Comparison& c) {
  std::vector<std::vector<std::string>> table = {
      {"Benchmark", "Unit", "Old", "New", "Change", "p-value", "Reps", "Verdict"}};
  for (const CompareRow& r : c.rows) {
    std::vector<std::string> line = {r.name, r.unit_label};
    line.push_back(r.old_series && r.old_series->error.empty() ? num(stats::median(r.old_series->samples)) : "-");
    line.push_back(r.new_series && r.new_series->error.empty() ? num(stats::median(r.new_series->samples)) : "-");
    line.push_back(r.change_defined ? percent(r.change) : "-");
    line.push_back(r.utest.performed ? num(r.utest.p_value) + (r.significant ? " *" : "") : "-");
    line.push_back((r.old_series ? std::to_string(r.old_series->samples.size()) : "-") + "/" +
                   (r.new_series ? std::to_string(r.new_series->samples.size()) : "-"));
    line.push_back(verdict_name(r.verdict));
    table.push_back(line);
  }
  std::vector<size_t> w(table[0].size(), 0);
  for (const auto& l : table)
    for (size_t i = 0; i < l.size(); ++i) w[i] = std::max(w[i], l[i].size());
  std::ostringstream out;
  for (const auto& l : table) {
    std::string s;
    for (size_t i = 0; i < l.size(); ++i) s += (i ? "  " : "") + (i + 1 < l.size() ? pad(l[i], w[i]) : l[i]);
    out << s << "\n";
  }
  for (const CompareRow& r : c.rows)
    if (!r.note.empty()) out << "  note: " << r.name << ": " << r.note << "\n";
  out << format_touch_counters_text(c);
  out << "Median of the repetitions; change = new/old - 1; two-sided Mann-Whitney U test (SciPy's method=auto: exact "
      << "when a side has at most " << stats::kUTestExactMaxSize
      << " repetitions and no value is tied, else the normal approximation), alpha " << num(c.options.alpha) << " (* = significant); regression threshold " << num(c.options.threshold * 100) << "% (a fraction of " << num(c.options.threshold) << ")"
      << ".\n";
  if (c.geomean_count > 0)
    out << "Geometric mean of new/old over " << c.geomean_count << " benchmark(s): " << num(c.geomean_ratio)
        << " (" << percent(c.geomean_ratio - 1) << ")\n";
  out << c.regressions << " significant regression(s) beyond the threshold, " << c.improvements
      << " improvement(s), " << c.untested << " benchmark(s) not tested (too few repetitions), " << c.lost
      << " benchmark(s) lost in NEW (vanished, unsupported or failing)\n";
  if (!c.capabilities_compared)
    out << "VMX capabilities: not compared (a report has no diag part with capability MSRs)\n";
  else if (c.capability_changes.empty())
    out << "VMX capabilities: identical\n";
  else
    out << "VMX capability changes (OLD -> NEW):\n" << diag::capability_diff_text(c.capability_changes);
  return out.str();
}

json comparison_json(const Comparison& c) {
  json rows = json::array();
  for (const CompareRow& r : c.rows) {
    json j = {{"name", r.name},
              {"metric", r.metric},
              {"unit", r.unit_label},
              {"verdict", verdict_name(r.verdict)},
              {"significant", r.significant}};
    j["old_median"] = r.old_series && r.old_series->error.empty() ? json(stats::median(r.old_series->samples)) : json();
    j["new_median"] = r.new_series && r.new_series->error.empty() ? json(stats::median(r.new_series->samples)) : json();
    j["change"] = r.change_defined ? json(r.change) : json();
    j["p_value"] = r.utest.performed ? json(r.utest.p_value) : json();
    j["u"] = r.utest.performed ? json(r.utest.u1) : json();
    j["u_test_method"] = r.utest.performed ? json(stats::u_test_method_name(r.utest.method)) : json();
    j["repetitions"] = {r.old_series ? json(r.old_series->samples.size()) : json(),
                        r.new_series ? json(r.new_series->samples.size()) : json()};
    if (!r.note.empty()) j["note"] = r.note;
    if (r.old_touch || r.new_touch) j["touch_counters"] = touch_counters_json(r);
    rows.push_back(j);
  }
  return {{"alpha", c.options.alpha},
          {"threshold", c.options.threshold},
          {"benchmarks", rows},
          {"geomean_ratio", c.geomean_count ? json(c.geomean_ratio) : json()},
          {"geomean_count", c.geomean_count},
          {"regressions", c.regressions},
          {"improvements", c.improvements},
          {"untested", c.untested},
          {"lost", c.lost},
          {"capability_changes", c.capabilities_compared ? diag::capability_diff_json(c.capability_changes) : json()},
          {"capabilities_lost", diag::any_lost(c.capability_changes)}};
}

}  // namespace vmxb::reports
