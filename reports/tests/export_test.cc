// Exports: github-action-benchmark's customSmallerIsBetter and Bencher's BMF.
#include "reports/export.h"

#include <gtest/gtest.h>

#include <set>

#include "reports/tests/fixtures.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

// How the fixtures' host (module backend) and Bochs reports name their rows.
const std::string kOnHost = " [module, GenuineIntel family 6 model 85]";
const std::string kOnBochs = " [bochs (corei7_skylake_x)]";

TEST(Export, GithubActionBenchmark) {
  std::vector<double> g = {900, 910, 905}, u = {20.5, 21.5};
  json r = testing::make_report({{"ring0/invept_global", g}, {"userspace_capture/flag_outputs", u},
                                {"ring0/single", {100}}},
                               "2026-11-26T06:00:00+00:00");
  json out = to_github_action_benchmark(r);
  ASSERT_TRUE(out.is_array());
  ASSERT_EQ(out.size(), 3u);
  std::map<std::string, json> by;
  for (const json& e : out) {
    for (const auto& [k, v] : e.items())
      EXPECT_TRUE(k == "name" || k == "unit" || k == "value" || k == "range" || k == "extra") << k;
    EXPECT_TRUE(e["name"].is_string() && e["unit"].is_string() && e["value"].is_number());
    by[e["name"]] = e;
  }
  EXPECT_EQ(by["ring0/invept_global" + kOnHost]["value"], 905.0);
  EXPECT_EQ(by["ring0/invept_global" + kOnHost]["unit"], "cycles");
  EXPECT_EQ(by["ring0/invept_global" + kOnHost]["range"], "± 5");
  EXPECT_EQ(by["userspace_capture/flag_outputs" + kOnHost]["unit"], "ns");
  EXPECT_DOUBLE_EQ(by["userspace_capture/flag_outputs" + kOnHost]["value"].get<double>(), 21.0);
  EXPECT_FALSE(by["ring0/single" + kOnHost].contains("range"));  // no spread from one repetition
  EXPECT_NE(by["ring0/single" + kOnHost]["extra"].get<std::string>().find("lab-host-1"), std::string::npos);
}

TEST(Export, BencherMetricFormat) {
  json r = testing::make_report({{"ring0/invept_global", {900, 910, 905}}, {"userspace_capture/flag_outputs", {20, 22}}},
                               "2026-11-26T06:00:00+00:00");
  json bmf = to_bencher_bmf(r);
  ASSERT_TRUE(bmf.is_object());
  EXPECT_EQ(bmf["ring0/invept_global" + kOnHost]["cycles"], json::parse(R"({"value":905.0,"lower_value":900.0,"upper_value":910.0})"));
  EXPECT_EQ(bmf["userspace_capture/flag_outputs" + kOnHost]["latency"]["value"], 21.0);
  for (const auto& [bench, measures] : bmf.items())
    for (const auto& [m, v] : measures.items()) {
      EXPECT_TRUE(v["value"].is_number());
      if (v.contains("lower_value")) {
        EXPECT_LE(v["lower_value"].get<double>(), v["value"].get<double>());
      }
      if (v.contains("upper_value")) {
        EXPECT_GE(v["upper_value"].get<double>(), v["value"].get<double>());
      }
    }
}

TEST(Export, EmulatedTicksAreNeverALatency) {
  json r = testing::make_report({{"ring0/invept_global", {1000, 1000, 1000}}}, "2026-11-26T06:00:00+00:00", {},
                               {"bochs", "corei7_skylake_x"});
  json gh = to_github_action_benchmark(r);
  EXPECT_EQ(gh[0]["unit"], "instructions (emulated)");
  json bmf = to_bencher_bmf(r);
  EXPECT_TRUE(bmf["ring0/invept_global" + kOnBochs].contains("instructions"));
  EXPECT_FALSE(bmf["ring0/invept_global" + kOnBochs].contains("latency"));
  EXPECT_FALSE(bmf["ring0/invept_global" + kOnBochs].contains("cycles"));
}

TEST(Export, NamesCarryBackendAndModelSoSuitesOfSeveralModelsStayApart) {
  testing::HostSpec other_cpu;
  other_cpu.model = "106";
  const json a = testing::make_report({{"ring0/invept_global", {900, 910}}}, "2026-11-26T06:00:00+00:00");
  const json b = testing::make_report({{"ring0/invept_global", {900, 910}}}, "2026-11-26T06:00:00+00:00", other_cpu);
  const json c = testing::make_report({{"ring0/invept_global", {1000, 1000}}}, "2026-11-26T06:00:00+00:00", {},
                                      {"bochs", "tigerlake"});
  std::set<std::string> github, bencher;
  for (const json* r : {&a, &b, &c}) {
    github.insert(to_github_action_benchmark(*r)[0]["name"].get<std::string>());
    bencher.insert(to_bencher_bmf(*r).items().begin().key());
  }
  EXPECT_EQ(github, (std::set<std::string>{"ring0/invept_global" + kOnHost,
                                           "ring0/invept_global [module, GenuineIntel family 6 model 106]",
                                           "ring0/invept_global [bochs (tigerlake)]"}));
  EXPECT_EQ(bencher, github);
}

TEST(Export, GbenchHasOneIterationRowPerRepetitionWithTheRowsOwnMetric) {
  json r = testing::make_report({{"ring0/invept_global", {900, 910, 905}}, {"userspace_capture/flag_outputs", {20, 22}}},
                               "2026-11-26T06:00:00+00:00");
  const json g = to_gbench(r);
  ASSERT_TRUE(g["benchmarks"].is_array());
  std::map<std::string, std::vector<double>> values;
  for (const json& row : g["benchmarks"]) {
    EXPECT_EQ(row["run_type"], "iteration");
    EXPECT_EQ(row["real_time"], row["cpu_time"]);  // no host-side CPU time beside ring-0 cycles
    EXPECT_EQ(row["time_unit"], "ns");
    EXPECT_EQ(row["repetition_index"].get<size_t>(), values[row["name"]].size());
    values[row["name"]].push_back(row["real_time"].get<double>());
  }
  EXPECT_EQ(values["ring0/invept_global" + kOnHost + " cycles"], (std::vector<double>{900, 910, 905}));
  EXPECT_EQ(values["userspace_capture/flag_outputs" + kOnHost + " ns"], (std::vector<double>{20, 22}));
  EXPECT_EQ(values.size(), 2u);
  EXPECT_FALSE(g["context"].contains("vmxbench_left_out"));
}

TEST(Export, GbenchLabelsEmulatedCountsAndLeavesOutRowsWithoutAValue) {
  json r = testing::make_report({{"ring0/invept_global", {1000, 1000}}, {"ring0/vmfunc", {1000, 1000}}},
                               "2026-11-26T06:00:00+00:00", {}, {"bochs", "corei7_skylake_x"});
  for (json& row : r["google_benchmark"]["benchmarks"])
    if (row["name"].get<std::string>().rfind("ring0/vmfunc", 0) == 0) {
      for (const char* k : {"ticks_median", "cycles_median"}) row.erase(k);
      row["error_occurred"] = true;
      row["error_message"] = "unsupported: VMFUNC not enabled";
    }
  const json g = to_gbench(r);
  ASSERT_EQ(g["benchmarks"].size(), 2u) << g.dump(1);
  EXPECT_EQ(g["benchmarks"][0]["name"], "ring0/invept_global" + kOnBochs + " instruction counts (emulated)");
  EXPECT_EQ(g["context"]["vmxbench_left_out"], "ring0/vmfunc: unsupported: VMFUNC not enabled");
  EXPECT_EQ(g.dump().find("null"), std::string::npos);
  // The other formats leave the row out too (they need a number), and the
  // same list names it.
  EXPECT_EQ(left_out_of_export(r), "ring0/vmfunc: unsupported: VMFUNC not enabled");
  EXPECT_EQ(to_github_action_benchmark(r).size(), 1u);
  EXPECT_EQ(to_bencher_bmf(r).size(), 1u);
  EXPECT_EQ(to_github_action_benchmark(r).dump().find("vmfunc"), std::string::npos);
}

}  // namespace
}  // namespace vmxb::reports
