// compare: verdicts, thresholds, too few repetitions, geometric mean, and the
// refusal to compare emulated with hardware results or different CPU models.
#include "reports/compare.h"

#include <cmath>
#include <regex>

#include <gtest/gtest.h>

#include "reports/report.h"
#include "reports/tests/fixtures.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;
using testing::around;
using testing::make_report;

constexpr const char* kT0 = "2026-11-20T06:00:00+00:00";
constexpr const char* kT1 = "2026-11-21T06:00:00+00:00";

const CompareRow& row(const Comparison& c, const std::string& name) {
  for (const CompareRow& r : c.rows)
    if (r.name == name) return r;
  throw std::runtime_error("no row " + name);
}

TEST(Compare, FlagsASignificantSlowdownBeyondTheThreshold) {
  json o = make_report({{"ring0/invept_global", around(900, 9, 1)}, {"userspace_capture/flag_outputs", around(20, 9, 2)}}, kT0);
  json n = make_report({{"ring0/invept_global", around(990, 9, 3)}, {"userspace_capture/flag_outputs", around(20, 9, 4)}}, kT1);
  Comparison c = compare(o, n);
  const CompareRow& g = row(c, "ring0/invept_global");
  EXPECT_EQ(g.metric, "cycles_median");
  EXPECT_EQ(g.unit_label, "cycles");
  EXPECT_NEAR(g.change, 0.10, 0.03);
  EXPECT_TRUE(g.utest.performed);
  EXPECT_LT(g.utest.p_value, 0.001);
  EXPECT_EQ(g.verdict, Verdict::kRegression);
  const CompareRow& u = row(c, "userspace_capture/flag_outputs");
  EXPECT_EQ(u.metric, "real_time");
  EXPECT_EQ(u.unit_label, "ns");
  EXPECT_NE(u.verdict, Verdict::kRegression);
  EXPECT_EQ(c.regressions, 1u);
  EXPECT_EQ(c.geomean_count, 2u);
  EXPECT_NEAR(c.geomean_ratio, std::sqrt(g.new_median / g.old_median * u.new_median / u.old_median), 1e-12);

  // The same slowdown under a 20% threshold is significant but not a regression.
  CompareOptions loose;
  loose.threshold = 0.20;
  EXPECT_EQ(row(compare(o, n, loose), "ring0/invept_global").verdict, Verdict::kWithinThreshold);
  // Reversed, it is an improvement.
  EXPECT_EQ(row(compare(n, o), "ring0/invept_global").verdict, Verdict::kImprovement);
}

TEST(Compare, OverlappingSamplesAreNotSignificant) {
  json o = make_report({{"ring0/vmread", {100, 104, 98, 101, 99, 103, 97, 102, 100}}}, kT0);
  json n = make_report({{"ring0/vmread", {101, 99, 103, 98, 100, 104, 97, 102, 101}}}, kT1);
  const Comparison c = compare(o, n);  // owned here: row() returns a reference into it
  const CompareRow& r = row(c, "ring0/vmread");
  EXPECT_GT(r.utest.p_value, 0.5);
  EXPECT_EQ(r.verdict, Verdict::kNoSignificantChange);
}

TEST(Compare, LargeChangeWithOneRepetitionIsNotTestedAndSaysSo) {
  json o = make_report({{"ring0/vmread", {100}}}, kT0);
  json n = make_report({{"ring0/vmread", {200}}}, kT1);
  Comparison c = compare(o, n);
  const CompareRow& r = row(c, "ring0/vmread");
  EXPECT_EQ(r.verdict, Verdict::kTooFewRepetitions);
  EXPECT_NEAR(r.change, 1.0, 1e-12);
  EXPECT_NE(r.note.find("at least 2"), std::string::npos);
  EXPECT_EQ(c.regressions, 0u);
  EXPECT_EQ(c.untested, 1u);
  EXPECT_NE(format_comparison_text(c).find("not tested"), std::string::npos);
}

TEST(Compare, FewRepetitionsAreTestedButMarkedUnreliable) {
  json o = make_report({{"ring0/vmread", {100, 101, 100, 102}}}, kT0);
  json n = make_report({{"ring0/vmread", {150, 151, 152, 150}}}, kT1);
  const Comparison c = compare(o, n);  // owned here: row() returns a reference into it
  const CompareRow& r = row(c, "ring0/vmread");
  EXPECT_TRUE(r.utest.performed);
  EXPECT_NEAR(r.utest.p_value, 0.030382821976577504, 0.005);  // 4 vs 4 fully separated (ties shift it a little)
  EXPECT_EQ(r.verdict, Verdict::kRegression);
  EXPECT_NE(r.note.find("unreliable"), std::string::npos);
}

TEST(Compare, AggregatesOnlyCannotBeTested) {
  json o = make_report({{"ring0/vmread", around(100)}}, kT0);
  json n = make_report({{"ring0/vmread", around(200)}}, kT1);
  for (json* r : {&o, &n}) {
    json rows = json::array();
    for (const json& row : (*r)["google_benchmark"]["benchmarks"])
      if (row["run_type"] == "aggregate") rows.push_back(row);
    (*r)["google_benchmark"]["benchmarks"] = rows;
  }
  const Comparison c = compare(o, n);  // owned here: row() returns a reference into it
  const CompareRow& r = row(c, "ring0/vmread");
  EXPECT_EQ(r.verdict, Verdict::kTooFewRepetitions);
  EXPECT_NE(r.note.find("aggregates"), std::string::npos);
  EXPECT_NEAR(r.change, 1.0, 0.05);
}

TEST(Compare, BenchmarksOnOneSideOnlyAndErrors) {
  json o = make_report({{"a", around(10)}, {"b", around(10)}}, kT0);
  json n = make_report({{"b", around(10)}, {"c", around(10)}}, kT1);
  n["google_benchmark"]["benchmarks"][0]["error_occurred"] = true;  // first row of "b"
  n["google_benchmark"]["benchmarks"][0]["error_message"] = "VMfailValid 28";
  for (json& row : n["google_benchmark"]["benchmarks"])
    if (row["run_name"] == "b") row = {{"name", "b"}, {"run_name", "b"}, {"run_type", "iteration"},
                                       {"error_occurred", true}, {"error_message", "VMfailValid 28"}};
  Comparison c = compare(o, n);
  EXPECT_EQ(row(c, "a").verdict, Verdict::kOnlyOld);
  EXPECT_EQ(row(c, "c").verdict, Verdict::kOnlyNew);
  // OLD measured "b", NEW fails it: lost, not an error of the comparison.
  EXPECT_EQ(row(c, "b").verdict, Verdict::kLostInNew);
  EXPECT_NE(row(c, "b").note.find("VMfailValid 28"), std::string::npos);
  EXPECT_EQ(c.geomean_count, 0u);
  EXPECT_EQ(c.lost, 2u) << "a vanished, b fails in NEW";
  EXPECT_EQ(c.regressions, 0u);
  // The other way round nothing is lost: "b" failed in OLD (an error row) and
  // "a" is new.
  const Comparison back = compare(n, o);
  EXPECT_EQ(row(back, "b").verdict, Verdict::kError);
  EXPECT_EQ(back.lost, 1u) << "only c vanished";
}

TEST(Compare, AnUnsupportedRowInNewIsLostWithItsReason) {
  json o = make_report({{"ring0/invept_single_context", around(900)}}, kT0);
  json n = make_report({{"ring0/invept_single_context", around(900)}}, kT1);
  for (json& r : n["google_benchmark"]["benchmarks"])
    r = {{"name", r["name"]}, {"run_name", r["run_name"]}, {"run_type", "iteration"}, {"error_occurred", true},
         {"error_message", "unsupported: IA32_VMX_EPT_VPID_CAP[25] = 0: single-context INVEPT not supported"}};
  const Comparison c = compare(o, n);
  EXPECT_EQ(row(c, "ring0/invept_single_context").verdict, Verdict::kLostInNew);
  EXPECT_EQ(c.lost, 1u);
  const std::string text = format_comparison_text(c);
  EXPECT_NE(text.find("LOST in NEW"), std::string::npos) << text;
  EXPECT_NE(text.find("NEW: unsupported: IA32_VMX_EPT_VPID_CAP[25] = 0"), std::string::npos) << text;
  EXPECT_NE(text.find("1 benchmark(s) lost in NEW"), std::string::npos) << text;
  EXPECT_EQ(comparison_json(c)["lost"], 1);
}

TEST(Compare, ListsEveryCapabilityChangeOfTheDiagParts) {
  const json d_old = testing::diag_doc();
  const json d_new = testing::diag_doc(0xf0106334141ull & ~(1ull << 25));  // INVEPT single-context gone
  const json o = make_report({{"ring0/vmread", around(100)}}, kT0, {}, {}, &d_old);
  const json n = make_report({{"ring0/vmread", around(100)}}, kT1, {}, {}, &d_new);
  const Comparison c = compare(o, n);
  ASSERT_TRUE(c.capabilities_compared);
  ASSERT_EQ(c.capability_changes.size(), 1u) << diag::capability_diff_text(c.capability_changes);
  EXPECT_EQ(diag::capability_diff_text(c.capability_changes),
            "lost: IA32_VMX_EPT_VPID_CAP bit 25 (Single-context INVEPT): yes -> no\n");
  EXPECT_NE(format_comparison_text(c).find("VMX capability changes (OLD -> NEW):\nlost: IA32_VMX_EPT_VPID_CAP"),
            std::string::npos);
  const json j = comparison_json(c);
  EXPECT_EQ(j["capabilities_lost"], true);
  EXPECT_EQ(j["capability_changes"][0]["item"], "bit 25 (Single-context INVEPT)");
  // Same capabilities: compared and identical; no diag part: not compared.
  EXPECT_TRUE(compare(o, o).capability_changes.empty());
  EXPECT_NE(format_comparison_text(compare(o, o)).find("VMX capabilities: identical"), std::string::npos);
  const json bare = make_report({{"ring0/vmread", around(100)}}, kT1);
  EXPECT_FALSE(compare(o, bare).capabilities_compared);
  EXPECT_TRUE(comparison_json(compare(o, bare))["capability_changes"].is_null());
}

TEST(Compare, MetricCanBeChosen) {
  json o = make_report({{"ring0/vmread", around(100)}}, kT0);
  json n = make_report({{"ring0/vmread", around(300)}}, kT1);
  CompareOptions opt;
  opt.metric = "real_time";  // the fixture's real_time is constant: no change
  const Comparison c = compare(o, n, opt);  // owned here: row() returns a reference into it
  const CompareRow& r = row(c, "ring0/vmread");
  EXPECT_EQ(r.metric, "real_time");
  EXPECT_EQ(r.verdict, Verdict::kNoSignificantChange);
  EXPECT_DOUBLE_EQ(r.change, 0);
}

TEST(Compatibility, RefusesEmulatedAgainstHardware) {
  json hw = make_report({{"ring0/vmread", around(100)}}, kT0);
  json emu = make_report({{"ring0/vmread", around(100)}}, kT1, {}, {"bochs", "corei7_skylake_x"});
  Compatibility c = check_compatible(hw, emu);
  EXPECT_FALSE(c.ok);
  ASSERT_EQ(c.reasons.size(), 1u);
  EXPECT_NE(c.reasons[0].find("emulated"), std::string::npos);
  EXPECT_NE(c.reasons[0].find("hardware"), std::string::npos);
}

TEST(Compatibility, RefusesDifferentCpuModels) {
  testing::HostSpec icx;
  icx.model = "106";
  json a = make_report({{"x", around(1)}}, kT0);
  json b = make_report({{"x", around(1)}}, kT1, icx);
  Compatibility c = check_compatible(a, b);
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.reasons[0].find("model 85"), std::string::npos);
  EXPECT_NE(c.reasons[0].find("model 106"), std::string::npos);
  json e1 = make_report({{"x", around(1)}}, kT0, {}, {"bochs", "corei7_skylake_x"});
  json e2 = make_report({{"x", around(1)}}, kT1, {}, {"bochs", "tigerlake"});
  EXPECT_FALSE(check_compatible(e1, e2).ok);
  // Same emulated model on different hosts: the instruction counts are comparable.
  json e3 = make_report({{"x", around(1)}}, kT1, icx, {"bochs", "corei7_skylake_x"});
  EXPECT_TRUE(check_compatible(e1, e3).ok);
}

TEST(Compatibility, RefusesBareMetalAgainstANestedGuest) {
  json module = make_report({{"ring0/vmread", around(100)}}, kT0);
  json gb = testing::gb_doc({{"ring0/vmread", around(100)}}, kT1, {}, {"qemu", ""});
  gb["context"]["vmxbench_qemu_accel"] = "kvm";
  json nested = build_report(gb, nullptr);
  Compatibility c = check_compatible(module, nested);
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.reasons[0].find("different backends"), std::string::npos);
  // User-space-only runs compare with module runs (the user-space rows match).
  json none = make_report({{"ring0/vmread", around(100)}}, kT1, {}, {"none", ""});
  EXPECT_TRUE(check_compatible(module, none).ok);
}

TEST(Compare, QemuTcgTicksAreLabelledEmulated) {
  json gb = testing::gb_doc({{"ring0/vmread", around(100)}}, kT0, {}, {"qemu", ""});
  gb["context"]["vmxbench_qemu_accel"] = "tcg";
  gb["context"]["vmxbench_emulated"] = "yes";
  gb["context"].erase("vmxbench_tick_unit");
  json r = build_report(gb, nullptr);
  Comparison c = compare(r, r);
  EXPECT_EQ(c.rows[0].unit_label, "tcg-ticks (emulated)");
}

TEST(Compatibility, NotesDifferencesThatDoNotBlock) {
  testing::HostSpec newer;
  newer.kernel = "6.12.9-amd64";
  newer.microcode = "0x2007108";
  json a = make_report({{"x", around(1)}}, kT0);
  json b = make_report({{"x", around(1)}}, kT1, newer);
  Compatibility c = check_compatible(a, b);
  EXPECT_TRUE(c.ok);
  std::string all;
  for (const auto& n : c.notes) all += n + "\n";
  EXPECT_NE(all.find("kernel"), std::string::npos);
  EXPECT_NE(all.find("microcode"), std::string::npos);
}

TEST(Compare, JsonAndTextAgree) {
  json o = make_report({{"ring0/invept_global", around(900, 9, 1)}}, kT0);
  json n = make_report({{"ring0/invept_global", around(1200, 9, 3)}}, kT1);
  Comparison c = compare(o, n);
  json j = comparison_json(c);
  EXPECT_EQ(j["regressions"], 1);
  EXPECT_EQ(j["benchmarks"][0]["verdict"], "REGRESSION");
  EXPECT_NEAR(j["benchmarks"][0]["change"].get<double>(), c.rows[0].change, 1e-15);
  std::string text = format_comparison_text(c);
  EXPECT_NE(text.find("REGRESSION"), std::string::npos);
  EXPECT_NE(text.find("Geometric mean"), std::string::npos);
}

}  // namespace
}  // namespace vmxb::reports

namespace vmxb::reports {
namespace {

// The live-invalidation rows: the flush is the metric (U-tested like any
// row), the guest-side counters are listed old against new.
TEST(Compare, ShowsTheLiveInvalidationCounters) {
  using testing::LiveRowSpec;
  const json o = testing::make_live_report({}, {{"invept_global_live", 64, 900, 400, 2400, 2300},
                                                {"invept_single_context_live", 64, 880, 400, 2400, 410}}, kT0);
  const json n = testing::make_live_report({}, {{"invept_global_live", 64, 905, 400, 3000, 2900},
                                                {"invept_single_context_live", 64, 870, 400, 2400, 420}}, kT1);
  const Comparison c = compare(o, n);
  const CompareRow& g = row(c, "ring0/invept_global_live/pages:64");
  EXPECT_EQ(g.metric, "ticks_median");
  EXPECT_EQ(g.unit_label, "cycles");
  ASSERT_TRUE(g.old_touch && g.new_touch);
  EXPECT_EQ(g.old_touch->pages, 64);
  EXPECT_EQ(g.old_touch->medians.at("refill_penalty"), 2000);
  EXPECT_EQ(g.new_touch->medians.at("refill_penalty"), 2600);
  EXPECT_EQ(g.new_touch->medians.at("collateral"), 2900);
  EXPECT_EQ(g.new_touch->flush, 905);

  const std::string text = format_comparison_text(c);
  EXPECT_NE(text.find("Live invalidation counters"), std::string::npos) << text;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex("ring0/invept_global_live/pages:64 +refill_penalty +2000 +2600 +\\+30\\.00%")))
      << text;
  ASSERT_TRUE(std::regex_search(text, m, std::regex("ring0/invept_single_context_live/pages:64 +collateral +410 +420")))
      << text;

  const json j = comparison_json(c);
  bool found = false;
  for (const json& b : j["benchmarks"])
    if (b["name"] == "ring0/invept_global_live/pages:64") {
      found = true;
      EXPECT_EQ(b["touch_counters"]["pages"], 64);
      EXPECT_EQ(b["touch_counters"]["collateral_penalty"]["old"], 1900.0);
      EXPECT_EQ(b["touch_counters"]["collateral_penalty"]["new"], 2500.0);
    }
  EXPECT_TRUE(found) << j.dump(1);

  // Rows without the counters get neither the table nor the member.
  const json plain_o = make_report({{"ring0/invept_global", around(900)}}, kT0);
  const json plain_n = make_report({{"ring0/invept_global", around(900)}}, kT1);
  const Comparison plain = compare(plain_o, plain_n);
  EXPECT_EQ(format_comparison_text(plain).find("Live invalidation"), std::string::npos);
  EXPECT_FALSE(comparison_json(plain)["benchmarks"][0].contains("touch_counters"));
}

TEST(Series, CanonicalNames) {
  EXPECT_EQ(canonical_name("ring0/invept_global/iterations:1/manual_time"), "ring0/invept_global");
  EXPECT_EQ(canonical_name("userspace_capture/flag_outputs/min_time:0.250"), "userspace_capture/flag_outputs");
  EXPECT_EQ(canonical_name("BM_x/8/threads:2/real_time"), "BM_x/8/threads:2");
  EXPECT_EQ(canonical_name("iterations:3"), "iterations:3");  // the first part is the name itself
}

TEST(Series, KeepsFullNamesWhenCanonicalNamesCollide) {
  json r = testing::make_report({{"BM_a/min_time:0.1", {1, 2}}, {"BM_a/min_time:0.2", {3, 4}}, {"BM_b/iterations:5", {5, 6}}},
                               "2026-11-26T06:00:00+00:00");
  std::vector<std::string> names;
  for (const Series& s : extract_series(r)) names.push_back(s.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"BM_a/min_time:0.1", "BM_a/min_time:0.2", "BM_b"}));
}

}  // namespace
}  // namespace vmxb::reports
