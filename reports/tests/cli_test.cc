// The `reports` binary end to end: exit statuses, one-line rejections naming
// the file, compare on real Google Benchmark output of tiny_bench (a real
// 3x slowdown must be flagged, a run against itself must not), history and
// dashboard through the command line, path resolution under `bazel run`.
#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "reports/report.h"
#include "reports/tests/fixtures.h"
#include "reports/tests/subprocess.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;
using testing::fixture_path;
using testing::ProcessResult;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::temp_dir("cli"); }

  ProcessResult reports(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), testing::runfile_path("reports/reports"));
    testing::ProcessOptions o;
    o.env = env;
    o.env.emplace("VMXBENCH_HISTORY_DB", "sqlite:" + dir_ + "/default.sqlite");
    return testing::run_process(args, o);
  }

  std::string write(const std::string& name, const json& report) {
    const std::string path = dir_ + "/" + name;
    write_report_file(report, path);
    return path;
  }

  // One line on stderr, naming the file.
  static void expect_one_line_naming(const ProcessResult& r, const std::string& file, const std::string& reason) {
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  }

  std::string dir_;
};

TEST_F(Cli, RejectsBadInputWithOneLineAndAStatusPerKind) {
  const std::string good = write("good.json", testing::make_report({{"x", {1, 2}}}, "2026-11-20T00:00:00+00:00"));
  const std::string missing = dir_ + "/missing.json", malformed = fixture_path("malformed.json"),
                    v2 = fixture_path("report_v2.json"), empty = dir_ + "/empty.json";
  testing::write_file(empty, "\n");
  const std::string gb = dir_ + "/gb.json";  // a Google Benchmark document is not a report
  testing::write_file(gb, testing::gb_doc({{"x", {1}}}, "2026-11-20T00:00:00+00:00").dump());

  for (const std::string cmd : {"validate", "compare", "ingest", "export"}) {
    SCOPED_TRACE(cmd);
    auto run = [&](const std::string& bad) {
      if (cmd == std::string("validate")) return reports({"validate", bad});
      if (cmd == std::string("compare")) return reports({"compare", good, bad});
      if (cmd == std::string("ingest")) return reports({"history", "ingest", good, bad});
      return reports({"export", "--format", "github", bad});
    };
    ProcessResult r = run(missing);
    EXPECT_EQ(r.exit_code, 3) << r.describe();
    expect_one_line_naming(r, missing, "cannot read: No such file or directory");
    r = run(malformed);
    EXPECT_EQ(r.exit_code, 4) << r.describe();
    expect_one_line_naming(r, malformed, "malformed JSON: parse error at line 4");
    r = run(empty);
    EXPECT_EQ(r.exit_code, 4) << r.describe();
    expect_one_line_naming(r, empty, "the file is empty");
    r = run(v2);
    EXPECT_EQ(r.exit_code, 5) << r.describe();
    expect_one_line_naming(r, v2, "not a valid vmxbench report: /format_version: 2 is not supported; this tool reads format version 1");
    r = run(gb);
    EXPECT_EQ(r.exit_code, 5) << r.describe();
    expect_one_line_naming(r, gb, "missing required member");
  }
  // A rejected batch ingests nothing, not even its valid files: the database
  // was never created, and a reader does not create it either (exit 3).
  ProcessResult q = reports({"history", "query", "--format", "json"});
  EXPECT_EQ(q.exit_code, 3) << q.describe();
  expect_one_line_naming(q, "default.sqlite", "no such history database");
}

TEST_F(Cli, UsageErrors) {
  EXPECT_EQ(reports({}).exit_code, 2);
  EXPECT_EQ(reports({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(reports({"compare", "only-one.json"}).exit_code, 2);
  ProcessResult r = reports({"compare", "a.json", "b.json", "--threshold", "lots"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--threshold lots"), std::string::npos);
  EXPECT_EQ(reports({"--help"}).exit_code, 0);
}

TEST_F(Cli, CompareGatesOnALostBenchmarkAndALostCapability) {
  const auto o = write("old.json", testing::make_report({{"ring0/invept_global", testing::around(900, 9, 1)},
                                                        {"ring0/vmread", testing::around(100, 9, 1)}},
                                                       "2026-11-20T00:00:00+00:00"));
  const auto n = write("new.json", testing::make_report({{"ring0/invept_global", testing::around(900, 9, 2)}},
                                                       "2026-11-21T00:00:00+00:00"));
  ProcessResult r = reports({"compare", o, n});
  EXPECT_EQ(r.exit_code, 9) << r.describe();
  EXPECT_NE(r.err.find("1 benchmark(s) of OLD vanished"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--allow-missing"), std::string::npos) << r.err;
  EXPECT_EQ(reports({"compare", o, n, "--allow-missing"}).exit_code, 0);
  EXPECT_EQ(reports({"compare", n, o}).exit_code, 0) << "a benchmark only in NEW is no loss";

  const json d_old = testing::diag_doc(), d_new = testing::diag_doc(0xf0106334141ull & ~(1ull << 25));
  const auto co = write("cap_old.json", testing::make_report({{"ring0/vmread", testing::around(100, 9, 1)}},
                                                            "2026-11-20T00:00:00+00:00", {}, {}, &d_old));
  const auto cn = write("cap_new.json", testing::make_report({{"ring0/vmread", testing::around(100, 9, 2)}},
                                                            "2026-11-21T00:00:00+00:00", {}, {}, &d_new));
  r = reports({"compare", co, cn});
  EXPECT_EQ(r.exit_code, 10) << r.describe();
  EXPECT_NE(r.out.find("lost: IA32_VMX_EPT_VPID_CAP bit 25 (Single-context INVEPT): yes -> no"), std::string::npos)
      << r.out;
  EXPECT_EQ(reports({"compare", co, cn, "--allow-missing"}).exit_code, 10) << "--allow-missing is about benchmarks";
  EXPECT_EQ(reports({"compare", cn, co}).exit_code, 0) << "a gained capability does not gate";
}

TEST_F(Cli, CompareNamesTheRevisions) {
  json gb_old = testing::gb_doc({{"ring0/vmread", testing::around(100, 9, 1)}}, "2026-11-20T00:00:00+00:00");
  json gb_new = testing::gb_doc({{"ring0/vmread", testing::around(100, 9, 2)}}, "2026-11-21T00:00:00+00:00");
  gb_old["context"]["vmxbench_revision"] = "linux-6.1.0-57";
  gb_new["context"]["vmxbench_revision"] = "linux-6.12.118";
  gb_new["context"]["vmxbench_revision_order"] = "612118";
  const auto o = write("rev_old.json", build_report(gb_old, nullptr));
  const auto n = write("rev_new.json", build_report(gb_new, nullptr));
  ProcessResult r = reports({"compare", o, n});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("00Z, revision linux-6.1.0-57)\nNEW "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", revision linux-6.12.118 (order 612118))"), std::string::npos) << r.out;
  const json j = json::parse(reports({"compare", o, n, "--format", "json"}).out);
  EXPECT_EQ(j["old_revision"]["label"], "linux-6.1.0-57");
  EXPECT_TRUE(j["old_revision"]["order"].is_null());
  EXPECT_EQ(j["new_revision"]["order"], 612118);
}

TEST_F(Cli, CompareGatesOnRegressionsAndRefusesIncomparableRuns) {
  const auto o = write("old.json", testing::make_report({{"ring0/invept_global", testing::around(900, 9, 1)}},
                                                       "2026-11-20T00:00:00+00:00"));
  const auto n = write("new.json", testing::make_report({{"ring0/invept_global", testing::around(990, 9, 2)}},
                                                       "2026-11-21T00:00:00+00:00"));
  ProcessResult r = reports({"compare", o, n});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.out.find("REGRESSION"), std::string::npos);
  EXPECT_EQ(reports({"compare", o, n, "--threshold", "15%"}).exit_code, 0);
  EXPECT_EQ(reports({"compare", o, n, "--threshold=0.15"}).exit_code, 0);
  EXPECT_EQ(reports({"compare", n, o}).exit_code, 0);
  ProcessResult j = reports({"compare", o, n, "--format", "json"});
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_EQ(json::parse(j.out)["regressions"], 1);

  const auto emu = write("emu.json", testing::make_report({{"ring0/invept_global", testing::around(900, 9, 1)}},
                                                         "2026-11-21T00:00:00+00:00", {}, {"bochs", "corei7_skylake_x"}));
  r = reports({"compare", o, emu});
  EXPECT_EQ(r.exit_code, 6) << r.describe();
  expect_one_line_naming(r, emu, "emulated");
  EXPECT_NE(r.err.find("--force"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
  r = reports({"compare", o, emu, "--force"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.describe();
  EXPECT_NE(r.err.find("warning: comparing anyway"), std::string::npos);

  testing::HostSpec other;
  other.model = "143";
  const auto spr = write("spr.json", testing::make_report({{"ring0/invept_global", testing::around(900, 9, 1)}},
                                                         "2026-11-21T00:00:00+00:00", other));
  r = reports({"compare", o, spr});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("different CPU models"), std::string::npos);
}

TEST_F(Cli, RealGoogleBenchmarkRuns) {
  const std::string bench = testing::runfile_path("reports/tests/tiny_bench");
  auto run = [&](const std::string& slowdown, const std::string& out) {
    testing::ProcessOptions o;
    o.env = {{"TINY_BENCH_SLOWDOWN", slowdown}};
    ProcessResult r = testing::run_process(
        {bench, "--benchmark_repetitions=9", "--benchmark_min_time=0.005", "--benchmark_format=json",
         "--benchmark_out=" + out, "--benchmark_out_format=json"},
        o);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  };
  run("1", dir_ + "/gb_fast.json");
  run("10", dir_ + "/gb_slow.json");
  for (const char* v : {"fast", "slow"}) {
    ProcessResult b = reports({"build", "--benchmark", dir_ + "/gb_" + v + ".json", "--diag",
                               fixture_path("diag_array_form.json"), "--out", dir_ + "/" + v + ".json"});
    ASSERT_EQ(b.exit_code, 0) << b.describe();
  }
  json fast = json::parse(testing::read_file(dir_ + "/fast.json"));
  EXPECT_EQ(validate_report(fast), std::nullopt);
  EXPECT_EQ(fast["google_benchmark"], json::parse(testing::read_file(dir_ + "/gb_fast.json")));  // verbatim
  EXPECT_EQ(fast["host"]["cpu_model"], 85);  // "0x55" in the context
  EXPECT_TRUE(fast["host"]["vmx_capability_hash"].is_string());
  bool counters = false;
  for (const json& row : fast["google_benchmark"]["benchmarks"]) counters = counters || row.contains("cycles_p99");
  EXPECT_TRUE(counters);

  // A run against itself: every ratio is 1, nothing is significant.
  ProcessResult same = reports({"compare", dir_ + "/fast.json", dir_ + "/fast.json", "--format", "json"});
  ASSERT_EQ(same.exit_code, 0) << same.describe();
  json js = json::parse(same.out);
  EXPECT_EQ(js["geomean_ratio"], 1.0);
  EXPECT_EQ(js["benchmarks"].size(), 3u);
  for (const json& b : js["benchmarks"]) EXPECT_EQ(b["verdict"], "no significant change") << b.dump();

  // Ten times the work: every benchmark is a significant regression. (The
  // ring-0 rows' cycle counters scale exactly; the user-space row is a real
  // timing, so other load on the machine only blurs it: it is still expected
  // to be at least twice as slow, and a regression unless the load made it
  // too noisy to decide by compare's own rule, which it must then satisfy:
  // a side's coefficient of variation above the threshold and the change
  // below 16 times it. An ASan run at load 4 gave 5.7 against CVs of 0.04
  // and 0.38.)
  ProcessResult slow = reports({"compare", dir_ + "/fast.json", dir_ + "/slow.json", "--format", "json"});
  EXPECT_EQ(slow.exit_code, 1) << slow.describe();
  json jl = json::parse(slow.out);
  EXPECT_EQ(jl["regressions"].get<int>() + jl["too_noisy"].get<int>(), 3) << slow.out;
  EXPECT_GE(jl["regressions"], 2) << slow.out;  // the ring-0 rows, whatever the load
  EXPECT_GT(jl["geomean_ratio"].get<double>(), 3);
  for (const json& b : jl["benchmarks"]) {
    const double threshold = jl["threshold"].get<double>();
    const double cv = std::max(b["coefficient_of_variation"][0].get<double>(),
                               b["coefficient_of_variation"][1].get<double>());
    const bool undecidable = cv > threshold && b["change"].get<double>() < 16 * cv;
    if (b["metric"] == "real_time" && undecidable) {
      EXPECT_EQ(b["verdict"], "too noisy to decide") << b.dump();
    } else {
      EXPECT_EQ(b["verdict"], "REGRESSION") << b.dump();
    }
    EXPECT_GT(b["change"].get<double>(), 1.0) << b.dump();
    if (b["metric"] == "cycles_median") {
      EXPECT_LT(b["p_value"].get<double>(), 0.001) << b.dump();
    }
  }
  // The other way round it is an improvement, and CI passes.
  EXPECT_EQ(reports({"compare", dir_ + "/slow.json", dir_ + "/fast.json"}).exit_code, 0);
}

// Two runs of one bench binary on one (shared, busy) host, 5 repetitions of
// the user-space rows each: rows moved by up to 2.3x between the runs. Compare
// must not gate on that: too noisy to decide, said once.
TEST_F(Cli, SameBinaryNoiseIsTooNoisyToDecideNotARegression) {
  std::string reports_of[2];
  for (int i = 0; i < 2; ++i) {
    reports_of[i] = dir_ + "/same_" + std::to_string(i) + ".json";
    ProcessResult b = reports({"build", "--benchmark",
                               fixture_path(std::string("gb_userspace_same_binary_") + (i ? "b" : "a") + ".json"),
                               "--out", reports_of[i]});
    ASSERT_EQ(b.exit_code, 0) << b.describe();
  }
  ProcessResult r = reports({"compare", reports_of[0], reports_of[1]});
  EXPECT_EQ(r.exit_code, 0) << r.describe() << r.out;
  EXPECT_EQ(r.out.find("REGRESSION"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("too noisy to decide"), std::string::npos) << r.out;
  size_t notes = 0;
  for (size_t at = r.out.find("note: "); at != std::string::npos; at = r.out.find("note: ", at + 1)) ++notes;
  EXPECT_EQ(notes, 2u) << r.out;  // unreliable (5 repetitions) once, too noisy once
  // With a threshold above the rows' scatter the same data is decided.
  json j = json::parse(reports({"compare", reports_of[0], reports_of[1], "--threshold", "40%", "--format", "json"}).out);
  EXPECT_EQ(j["too_noisy"], 0) << j.dump(1);
}

TEST_F(Cli, EmulatedAggregatesOnlyRunSaysWhyItCannotTest) {
  ProcessResult b =
      reports({"build", "--benchmark", fixture_path("gb_bochs_aggregates_only.json"), "--out", dir_ + "/emu.json"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  json emu = json::parse(testing::read_file(dir_ + "/emu.json"));
  EXPECT_EQ(emu["timestamp"], "2026-11-25T09:00:00Z");
  EXPECT_EQ(emu["backend"]["bochs_model"], "corei7_skylake_x");
  EXPECT_EQ(emu["host"]["microcode"], nullptr);  // "unknown"
  ProcessResult c = reports({"compare", dir_ + "/emu.json", dir_ + "/emu.json"});
  EXPECT_EQ(c.exit_code, 0) << c.describe();
  EXPECT_NE(c.out.find("only aggregates reported"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("instruction counts (emulated)"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("unsupported: VMFUNC not enabled"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("cycles"), std::string::npos) << c.out;
}

TEST_F(Cli, HistoryDashboardAndExportRelativeToTheWorkingDirectory) {
  // As under `bazel run`: relative paths are taken from BUILD_WORKING_DIRECTORY.
  std::map<std::string, std::string> env = {{"BUILD_WORKING_DIRECTORY", dir_}};
  for (int day = 1; day <= 3; ++day)
    write("r" + std::to_string(day) + ".json",
          testing::make_report({{"ring0/invept_single_context", testing::around(600, 9, day)},
                               {"ring0/invept_global", testing::around(day == 3 ? 1200 : 900, 9, day + 10)}},
                              "2026-11-0" + std::to_string(day) + "T06:00:00+00:00"));
  ProcessResult in = reports({"history", "ingest", "--db", "sqlite:h.sqlite", "r1.json", "r2.json"}, env);
  ASSERT_EQ(in.exit_code, 0) << in.describe();
  EXPECT_NE(in.out.find("2 added, 0 already in the history"), std::string::npos) << in.out;
  in = reports({"history", "ingest", "--db", "sqlite:h.sqlite", "r1.json", "r2.json", "r3.json"}, env);
  ASSERT_EQ(in.exit_code, 0) << in.describe();
  EXPECT_NE(in.out.find("1 added, 2 already in the history (3 reports)"), std::string::npos) << in.out;

  ProcessResult q = reports({"history", "query", "--db", "sqlite:h.sqlite", "--host", "lab-host-1", "--benchmark",
                             "ring0/invept_global", "--since", "2026-11-02", "--format", "json"},
                            env);
  ASSERT_EQ(q.exit_code, 0) << q.describe();
  json pts = json::parse(q.out);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0]["timestamp"], "2026-11-02T06:00:00Z");
  EXPECT_EQ(pts[1]["samples"].size(), 9u);
  ProcessResult text = reports({"history", "query", "--db", "sqlite:h.sqlite", "--benchmark", "ring0/*"}, env);
  EXPECT_NE(text.out.find("6 result(s)"), std::string::npos) << text.out;
  EXPECT_EQ(reports({"history", "query", "--db", "sqlite:h.sqlite", "--since", "last tuesday"}, env).exit_code, 2);

  ProcessResult d = reports({"dashboard", "--db", "sqlite:h.sqlite", "--out", "dash.html"}, env);
  ASSERT_EQ(d.exit_code, 0) << d.describe();
  EXPECT_NE(d.out.find("1 regression(s)"), std::string::npos) << d.out;
  const std::string html = testing::read_file(dir_ + "/dash.html");
  EXPECT_NE(html.find("<tr class=\"regression\">"), std::string::npos);
  // A host or benchmark the history does not hold is refused, not an empty page.
  for (const std::vector<std::string>& typo : std::vector<std::vector<std::string>>{
           {"--host", "nosuch"}, {"--benchmark", "ring0/nosuch"}, {"--host", "lab-host-1", "--benchmark", "nosuch*"}}) {
    std::vector<std::string> args = {"dashboard", "--db", "sqlite:h.sqlite", "--out", "typo.html"};
    args.insert(args.end(), typo.begin(), typo.end());
    ProcessResult t = reports(args, env);
    EXPECT_EQ(t.exit_code, 2) << t.describe();
    EXPECT_EQ(std::count(t.err.begin(), t.err.end(), '\n'), 1) << t.err;
    EXPECT_NE(t.err.find(typo[typo.size() - 2] + " " + typo.back() + ": no "), std::string::npos) << t.err;
    EXPECT_NE(t.err.find(typo[0] == "--host" && typo.size() == 2 ? "hosts: lab-host-1" : "ring0/invept_global"),
              std::string::npos)
        << t.err;
    EXPECT_FALSE(std::ifstream(dir_ + "/typo.html").good()) << "a page was written for " << typo.back();
  }
  ProcessResult no_slot =
      reports({"dashboard", "--db", "sqlite:h.sqlite", "--out", "rev.html", "--revision_url", "https://git.example/"}, env);
  EXPECT_EQ(no_slot.exit_code, 2) << no_slot.describe();
  EXPECT_NE(no_slot.err.find("needs {revision}"), std::string::npos) << no_slot.err;
  EXPECT_EQ(reports({"dashboard", "--db", "sqlite:h.sqlite", "--out", "rev.html", "--revision_url",
                     "https://git.example/commit/{revision}"},
                    env)
                .exit_code,
            0);
  // The folding limits: a whole number in range, else one line and exit 2, and no page.
  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"--recent_runs", "-1"}, {"--recent_runs", "abc"}, {"--recent_runs", "100001"}, {"--older_points", "0"},
           {"--older_points", "3x"}}) {
    ProcessResult t = reports({"dashboard", "--db", "sqlite:h.sqlite", "--out", "limits.html", bad[0], bad[1]}, env);
    EXPECT_EQ(t.exit_code, 2) << t.describe();
    EXPECT_EQ(std::count(t.err.begin(), t.err.end(), '\n'), 1) << t.err;
    EXPECT_NE(t.err.find(bad[0] + " " + bad[1] + ": expected a whole number"), std::string::npos) << t.err;
    EXPECT_FALSE(std::ifstream(dir_ + "/limits.html").good()) << bad[0] << " " << bad[1];
  }
  ProcessResult every_run = reports(
      {"dashboard", "--db", "sqlite:h.sqlite", "--out", "every.html", "--recent_runs", "0", "--older_points", "1"}, env);
  EXPECT_EQ(every_run.exit_code, 0) << every_run.describe();
  ProcessResult host = reports({"dashboard", "--db", "sqlite:h.sqlite", "--out", "host.html", "--host", "lab-host-1"}, env);
  EXPECT_EQ(host.exit_code, 0) << host.describe();

  ProcessResult e = reports({"export", "--format", "bencher", "r3.json", "--out", "bmf.json"}, env);
  ASSERT_EQ(e.exit_code, 0) << e.describe();
  EXPECT_TRUE(json::parse(testing::read_file(dir_ + "/bmf.json"))["ring0/invept_global [module, GenuineIntel family 6 model 85]"]
                  .contains("cycles"));
  ProcessResult g = reports({"export", "--format", "github", "r3.json"}, env);
  ASSERT_EQ(g.exit_code, 0);
  EXPECT_EQ(json::parse(g.out).size(), 2u);
  // An unsupported row cannot go into any format: each export names it on stderr.
  const auto penryn = write("penryn.json", testing::make_report_with_rows(
                                               {{"ring0/vmread", testing::around(80, 3)}},
                                               testing::unsupported_rows("ring0/invept_global", "IA32_VMX_EPT_VPID_CAP[20] is 0"),
                                               "2026-11-27T06:00:00+00:00"));
  for (const char* format : {"github", "bencher", "gbench"}) {
    ProcessResult x = reports({"export", "--format", format, penryn}, env);
    ASSERT_EQ(x.exit_code, 0) << x.describe();
    EXPECT_EQ(x.err, "reports: note: left out of the export (no value): ring0/invept_global: unsupported: "
                     "IA32_VMX_EPT_VPID_CAP[20] is 0\n")
        << format;
    const json exported = json::parse(x.out);
    const json& rows = std::string(format) == "gbench" ? exported["benchmarks"] : exported;
    EXPECT_EQ(rows.dump().find("invept_global"), std::string::npos) << format << ": " << x.out;
  }

  // The default database comes from VMXBENCH_HISTORY_DB.
  ASSERT_EQ(reports({"history", "ingest", "r1.json"}, env).exit_code, 0);
  EXPECT_TRUE(std::ifstream(dir_ + "/default.sqlite").good());
}

TEST_F(Cli, DatabaseErrorsHaveTheirOwnStatus) {
  const auto r = write("r.json", testing::make_report({{"x", {1, 2}}}, "2026-11-20T00:00:00+00:00"));
  ProcessResult p = reports({"history", "ingest", "--db", "postgresql://nobody@/x?host=/nonexistent-vmxbench", r});
  EXPECT_EQ(p.exit_code, 7) << p.describe();
  EXPECT_EQ(std::count(p.err.begin(), p.err.end(), '\n'), 1) << p.err;
  EXPECT_NE(p.err.find("cannot connect"), std::string::npos);
  EXPECT_EQ(reports({"history", "query", "--db", "mysql://x"}).exit_code, 7);
}

}  // namespace
}  // namespace vmxb::reports

namespace vmxb::reports {
namespace {

size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// Output of //bench itself (`bench --backend=bochs --benchmark_repetitions=3
// --benchmark_format=json`, kept verbatim): ticks_* counters, NaN in the cv
// aggregates, run names with /iterations:1/manual_time.
TEST_F(Cli, BenchOutputUnderBochs) {
  const std::string gb = fixture_path("bench_bochs_corei7_skylake_x.json");
  ASSERT_NE(testing::read_file(gb).find("NaN"), std::string::npos);  // not JSON as it stands
  ProcessResult b = reports({"build", "--benchmark", gb, "--out", dir_ + "/bochs.json"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  json r = json::parse(testing::read_file(dir_ + "/bochs.json"));
  EXPECT_EQ(r["backend"], json::parse(R"({"kind":"bochs","emulated":true,"bochs_model":"corei7_skylake_x",
                                          "qemu_accel":null,"tick_unit":"instructions"})"));
  EXPECT_EQ(r["host"]["tsc_hz"], nullptr);
  // NaN became null; every other value is kept.
  size_t nulls = 0;
  for (const json& row : r["google_benchmark"]["benchmarks"])
    for (const auto& [k, v] : row.items()) nulls += v.is_null();
  EXPECT_EQ(nulls, 38u);

  ProcessResult c = reports({"compare", dir_ + "/bochs.json", dir_ + "/bochs.json", "--format", "json"});
  ASSERT_EQ(c.exit_code, 0) << c.describe();
  json j = json::parse(c.out);
  std::map<std::string, json> by;
  for (const json& row : j["benchmarks"]) by[row["name"]] = row;
  ASSERT_TRUE(by.count("ring0/invept_single_context")) << c.out;
  ASSERT_TRUE(by.count("ring0/invept_global"));
  EXPECT_EQ(by["ring0/invept_global"]["metric"], "ticks_median");
  EXPECT_EQ(by["ring0/invept_global"]["unit"], "instruction counts (emulated)");
  EXPECT_EQ(by["userspace_capture/flag_outputs"]["unit"], "ns");  // user-space rows run on the host
  EXPECT_EQ(by["userspace_capture/flag_outputs"]["metric"], "real_time");

  // A run on hardware is refused.
  const auto hw = write("hw.json", testing::make_report({{"ring0/invept_global", testing::around(900)}},
                                                       "2026-11-27T00:00:00+00:00"));
  EXPECT_EQ(reports({"compare", dir_ + "/bochs.json", hw}).exit_code, 6);

  // History and dashboard pair INVEPT single-context with global.
  ASSERT_EQ(reports({"history", "ingest", "--db", "sqlite:" + dir_ + "/b.sqlite", dir_ + "/bochs.json"}).exit_code, 0);
  ProcessResult d = reports({"dashboard", "--db", "sqlite:" + dir_ + "/b.sqlite", "--out", dir_ + "/b.html"});
  ASSERT_EQ(d.exit_code, 0) << d.describe();
  EXPECT_NE(d.out.find("1 INVEPT pair(s)"), std::string::npos) << d.out;

  // Malformed Google Benchmark output is still rejected, with its position.
  testing::write_file(dir_ + "/bad_gb.json", "{\"context\": {}, \"benchmarks\": [NaNa]}");
  ProcessResult bad = reports({"build", "--benchmark", dir_ + "/bad_gb.json", "--out", dir_ + "/x.json"});
  EXPECT_EQ(bad.exit_code, 4);
  expect_one_line_naming(bad, "bad_gb.json", "parse error at line 1");
}

// Output of //bench with the live-invalidation rows (`bench --backend=bochs
// --benchmark_repetitions=3 --benchmark_format=json --vmxbench_pages=1,64,512
// --benchmark_filter='ring0/(invept_[a-z_]*|invvpid_single_context_live|invvpid_all_context_live)/'`,
// kept verbatim): build, compare and dashboard carry the counters.
TEST_F(Cli, BenchLiveInvalidationRowsUnderBochs) {
  const std::string gb = fixture_path("bench_bochs_live_invalidation.json");
  ProcessResult b = reports({"build", "--benchmark", gb, "--out", dir_ + "/live.json"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  ASSERT_EQ(reports({"validate", dir_ + "/live.json"}).exit_code, 0);

  ProcessResult c = reports({"compare", dir_ + "/live.json", dir_ + "/live.json", "--format", "json"});
  ASSERT_EQ(c.exit_code, 0) << c.describe();
  std::map<std::string, json> by;
  const json compared = json::parse(c.out);
  for (const json& row : compared["benchmarks"]) by[row["name"]] = row;
  for (const char* pages : {"1", "64", "512"}) {
    const std::string name = std::string("ring0/invept_global_live/pages:") + pages;
    ASSERT_TRUE(by.count(name)) << c.out;
    EXPECT_EQ(by[name]["unit"], "instruction counts (emulated)");
    const json& t = by[name]["touch_counters"];
    EXPECT_EQ(t["pages"], std::stoi(pages));
    // Bochs: refill == warm by construction, so both penalties are 0 on both sides.
    EXPECT_EQ(t["refill_penalty"]["new"], 0.0) << t.dump();
    EXPECT_EQ(t["collateral_penalty"]["old"], 0.0);
    EXPECT_EQ(t["refill"]["new"], t["warm"]["new"]);
  }
  EXPECT_FALSE(by["ring0/invept_global"].contains("touch_counters"));
  ProcessResult text = reports({"compare", dir_ + "/live.json", dir_ + "/live.json"});
  EXPECT_NE(text.out.find("Live invalidation counters"), std::string::npos) << text.out;

  ASSERT_EQ(reports({"history", "ingest", "--db", "sqlite:" + dir_ + "/l.sqlite", dir_ + "/live.json"}).exit_code, 0);
  ProcessResult d = reports({"dashboard", "--db", "sqlite:" + dir_ + "/l.sqlite", "--out", dir_ + "/l.html"});
  ASSERT_EQ(d.exit_code, 0) << d.describe();
  EXPECT_NE(d.out.find("2 live-invalidation view(s)"), std::string::npos) << d.out;  // INVEPT and INVVPID
  const std::string html = testing::read_file(dir_ + "/l.html");
  const size_t view = html.find("data-view=\"invept_live\"");
  ASSERT_NE(view, std::string::npos);
  const std::string section = html.substr(view, html.find("</div>", view) - view);
  EXPECT_EQ(count_of(section, "<tr data-pages="), 3u);
  EXPECT_NE(section.find("Emulated:"), std::string::npos);
}

}  // namespace
}  // namespace vmxb::reports
