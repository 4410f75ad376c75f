// Exports: github-action-benchmark's customSmallerIsBetter and Bencher's BMF.
#include "reports/export.h"

#include <gtest/gtest.h>

#include "reports/tests/fixtures.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

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
  EXPECT_EQ(by["ring0/invept_global"]["value"], 905.0);
  EXPECT_EQ(by["ring0/invept_global"]["unit"], "cycles");
  EXPECT_EQ(by["ring0/invept_global"]["range"], "± 5");
  EXPECT_EQ(by["userspace_capture/flag_outputs"]["unit"], "ns");
  EXPECT_DOUBLE_EQ(by["userspace_capture/flag_outputs"]["value"].get<double>(), 21.0);
  EXPECT_FALSE(by["ring0/single"].contains("range"));  // no spread from one repetition
  EXPECT_NE(by["ring0/single"]["extra"].get<std::string>().find("lab-host-1"), std::string::npos);
}

TEST(Export, BencherMetricFormat) {
  json r = testing::make_report({{"ring0/invept_global", {900, 910, 905}}, {"userspace_capture/flag_outputs", {20, 22}}},
                               "2026-11-26T06:00:00+00:00");
  json bmf = to_bencher_bmf(r);
  ASSERT_TRUE(bmf.is_object());
  EXPECT_EQ(bmf["ring0/invept_global"]["cycles"], json::parse(R"({"value":905.0,"lower_value":900.0,"upper_value":910.0})"));
  EXPECT_EQ(bmf["userspace_capture/flag_outputs"]["latency"]["value"], 21.0);
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
  EXPECT_TRUE(bmf["ring0/invept_global"].contains("instructions"));
  EXPECT_FALSE(bmf["ring0/invept_global"].contains("latency"));
  EXPECT_FALSE(bmf["ring0/invept_global"].contains("cycles"));
}

}  // namespace
}  // namespace vmxb::reports
