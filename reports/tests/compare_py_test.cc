// Google Benchmark's own tools/compare.py (Debian libbenchmark-tools) on two
// `reports export --format gbench` files: it reads them, compares each row's
// own metric (a real 10% slowdown in cycles is a +0.10 change with a small
// p-value, an unchanged row is not), identical emulated counts are +0, rows
// without a value are absent, and rows of another backend are not paired.
#include <fstream>

#include <gtest/gtest.h>

#include "reports/report.h"
#include "reports/tests/fixtures.h"
#include "reports/tests/subprocess.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;
using testing::ProcessResult;

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with Debian's SciPy
const char* const kComparePy[] = {"/usr/share/benchmark/compare.py", "/usr/share/benchmark/tools/compare.py"};

class ComparePy : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* c : kComparePy)
      if (std::ifstream(c).good()) compare_py_ = c;
    if (compare_py_.empty())
      GTEST_SKIP() << "compare.py not found (Debian libbenchmark-tools; tools/setup installs it)";
    if (testing::run_process({kPython, "-c", "import scipy, numpy"}).exit_code != 0)
      GTEST_SKIP() << kPython << " cannot import scipy/numpy (python3-scipy, python3-numpy; tools/setup installs them)";
    dir_ = testing::temp_dir("compare_py");
  }

  // REPORT -> gbench export next to it.
  std::string exported(const std::string& name, const json& report) {
    const std::string path = dir_ + "/" + name + ".json", out = dir_ + "/" + name + ".gbench.json";
    write_report_file(report, path);
    ProcessResult r = testing::run_process({testing::runfile_path("reports/reports"), "export", "--format", "gbench",
                                            path, "--out", out});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return out;
  }

  // compare.py's own JSON diff (-d), by benchmark name.
  std::map<std::string, json> compare(const std::string& old_file, const std::string& new_file) {
    const std::string diff = dir_ + "/diff.json";
    ProcessResult r = testing::run_process({kPython, compare_py_, "--no-color", "-d", diff, "benchmarks", old_file, new_file});
    EXPECT_EQ(r.exit_code, 0) << r.describe() << r.out;
    std::map<std::string, json> by;
    for (const json& b : json::parse(testing::read_file(diff))) by[b["name"]] = b;
    return by;
  }

  std::string compare_py_, dir_;
};

TEST_F(ComparePy, ReadsTheExportAndComparesEachRowsOwnMetric) {
  const std::string old_file = exported(
      "old", testing::make_report({{"ring0/invept_global", testing::around(900, 9, 1)},
                                   {"ring0/invept_single_context", testing::around(600, 9, 2)}},
                                  "2026-11-20T00:00:00+00:00"));
  const std::string new_file = exported(
      "new", testing::make_report({{"ring0/invept_global", testing::around(990, 9, 3)},
                                   {"ring0/invept_single_context", testing::around(600, 9, 2)}},
                                  "2026-11-21T00:00:00+00:00"));
  std::map<std::string, json> by = compare(old_file, new_file);
  const std::string on = " [module, GenuineIntel family 6 model 85] cycles";
  ASSERT_TRUE(by.count("ring0/invept_global" + on)) << json(by).dump(1);
  const json& slower = by["ring0/invept_global" + on];
  double change = 0;
  for (const json& m : slower["measurements"]) {
    change += m["time"].get<double>();
    EXPECT_EQ(m["time"], m["cpu"]);  // no second, host-side figure beside the cycles
  }
  EXPECT_NEAR(change / static_cast<double>(slower["measurements"].size()), 0.10, 0.03);
  EXPECT_LT(slower["utest"]["time_pvalue"].get<double>(), 0.01);
  const json& same = by["ring0/invept_single_context" + on];
  for (const json& m : same["measurements"]) EXPECT_EQ(m["time"], 0.0);
  EXPECT_GT(same["utest"]["time_pvalue"].get<double>(), 0.5);
}

TEST_F(ComparePy, EmulatedCountsAreInstructionsAndOtherBackendsAreNotPaired) {
  const testing::BackendSpec bochs{"bochs", "corei7_skylake_x"};
  json with_unsupported = testing::make_report({{"ring0/invept_global", {1000, 1000, 1000}}, {"ring0/vmfunc", {5, 5, 5}}},
                                               "2026-11-20T00:00:00+00:00", {}, bochs);
  for (json& row : with_unsupported["google_benchmark"]["benchmarks"])
    if (row["name"].get<std::string>().rfind("ring0/vmfunc", 0) == 0) {
      for (const char* k : {"ticks_median", "cycles_median"}) row.erase(k);
      row["error_occurred"] = true;
      row["error_message"] = "unsupported: VMFUNC not enabled";
    }
  const std::string a = exported("emu_a", with_unsupported);
  const std::string b = exported(
      "emu_b", testing::make_report({{"ring0/invept_global", {1000, 1000, 1000}}}, "2026-11-21T00:00:00+00:00", {}, bochs));
  std::map<std::string, json> by = compare(a, b);
  const std::string name = "ring0/invept_global [bochs (corei7_skylake_x)] instruction counts (emulated)";
  ASSERT_TRUE(by.count(name)) << json(by).dump(1);
  for (const json& m : by[name]["measurements"]) EXPECT_EQ(m["time"], 0.0);
  for (const auto& [n, _] : by) EXPECT_EQ(n.find("vmfunc"), std::string::npos) << n;

  const std::string hw = exported(
      "hw", testing::make_report({{"ring0/invept_global", testing::around(900, 3, 1)}}, "2026-11-21T00:00:00+00:00"));
  for (const auto& [n, _] : compare(a, hw)) EXPECT_EQ(n, "OVERALL_GEOMEAN");  // nothing in common
}

}  // namespace
}  // namespace vmxb::reports
