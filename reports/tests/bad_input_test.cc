// `reports` against bad input and odd conditions (issue 14): every case ends
// in one line on stderr and the documented exit status (reports/README.md),
// never a signal, a hang, a replaced file or a database nobody asked for.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "reports/report.h"
#include "reports/storage.h"
#include "reports/tests/fixtures.h"
#include "reports/tests/subprocess.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;
using testing::ProcessResult;

constexpr int kUsage = 2, kUnreadable = 3, kMalformed = 4, kInvalid = 5, kOutput = 8;

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::temp_dir("bad");
    db_ = "sqlite:" + dir_ + "/h.sqlite";
    good_ = write("good.json", testing::make_report({{"x", {1, 2, 3}}}, "2026-11-20T00:00:00+00:00").dump());
  }

  ProcessResult reports(std::vector<std::string> args) {
    args.insert(args.begin(), testing::runfile_path("reports/reports"));
    testing::ProcessOptions o;
    o.env.emplace("VMXBENCH_HISTORY_DB", db_);
    o.timeout_seconds = 30;
    return testing::run_process(args, o);
  }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    testing::write_file(path, text);
    return path;
  }

  static std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static void expect_one_line(const ProcessResult& r, const std::string& reason) {
    EXPECT_EQ(r.signal, 0) << r.describe();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err.substr(0, 500);
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err.substr(0, 500);
  }

  // The good report's text with `from` replaced by `to`.
  std::string good_with(const std::string& from, const std::string& to) {
    std::string text = slurp(good_);
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }

  std::string dir_, db_, good_;
};

TEST_F(BadInput, DeepNestingIsRefusedBeforeAnythingRecursesIntoIt) {
  json report = json::parse(slurp(good_));
  std::string text = report.dump();
  const std::string context = "\"context\":{";
  ASSERT_NE(text.find(context), std::string::npos);
  text.insert(text.find(context) + context.size(),
              "\"deep\":" + std::string(60000, '[') + std::string(60000, ']') + ",");
  const std::string deep = write("deep.json", text);
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"validate", deep}, {"history", "ingest", deep}, {"compare", good_, deep}, {"export", "--format", "github", deep}}) {
    ProcessResult r = reports(cmd);
    EXPECT_EQ(r.exit_code, kUnreadable) << cmd[0] << ": " << r.describe();
    expect_one_line(r, "nested deeper than 128 levels");
  }
}

TEST_F(BadInput, NumbersNoDoubleHoldsAreMalformedNotAnAbort) {
  const std::string huge = write("huge.json", good_with("\"format_version\":1", "\"format_version\":1e400"));
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"validate", huge}, {"history", "ingest", huge}, {"compare", good_, huge}, {"export", "--format", "bencher", huge},
           {"build", "--benchmark", huge, "--out", dir_ + "/built.json"}}) {
    ProcessResult r = reports(cmd);
    EXPECT_EQ(r.exit_code, kMalformed) << cmd[0] << ": " << r.describe();
    expect_one_line(r, "number overflow");
  }
}

TEST_F(BadInput, NonFiniteValuesAreInvalid) {
  json report = json::parse(slurp(good_));
  json& row = report["google_benchmark"]["benchmarks"][0];
  row["real_time"] = 1e300;
  row["time_unit"] = "s";  // 1e309 ns: no double holds it
  const std::string inf = write("inf.json", report.dump());
  ProcessResult r = reports({"validate", inf});
  EXPECT_EQ(r.exit_code, kInvalid) << r.describe();
  expect_one_line(r, "/google_benchmark/benchmarks/0/real_time: 1e+300 s is not a finite number of nanoseconds");
  EXPECT_EQ(reports({"history", "ingest", inf}).exit_code, kInvalid);
  EXPECT_EQ(reports({"export", "--format", "github", inf}).exit_code, kInvalid);
}

TEST_F(BadInput, EndlessOrHugeInputStopsAtTheSizeLimit) {
  ProcessResult r = reports({"validate", "/dev/zero"});
  EXPECT_EQ(r.exit_code, kUnreadable) << r.describe();
  expect_one_line(r, "/dev/zero: cannot read: larger than the input limit of 64 MiB");
}

TEST_F(BadInput, DirectoriesAndEmptyNames) {
  ProcessResult r = reports({"validate", dir_});
  EXPECT_EQ(r.exit_code, kUnreadable) << r.describe();
  expect_one_line(r, "is a directory, not a file");
  r = reports({"validate", ""});
  EXPECT_EQ(r.exit_code, kUnreadable) << r.describe();
  expect_one_line(r, "an empty file name");
  r = reports({"export", "--format", "github", good_, "--out", ""});
  EXPECT_EQ(r.exit_code, kUsage) << r.describe();
  r = reports({"export", "--format", "github", good_, "--out", "/nonexistent-vmxbench/dir/x.json"});
  EXPECT_EQ(r.exit_code, kOutput) << r.describe();
  expect_one_line(r, "/nonexistent-vmxbench/dir: No such file or directory");
}

TEST_F(BadInput, ExistingOutputsAreNeverReplacedWithoutForce) {
  ASSERT_EQ(reports({"history", "ingest", good_}).exit_code, 0);
  const std::string gb = write("gb.json", testing::gb_doc({{"x", {1, 2}}}, "2026-11-20T00:00:00+00:00").dump());
  struct Case {
    std::vector<std::string> args;
  };
  const std::string out = dir_ + "/precious";
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"build", "--benchmark", gb, "--out", out},
           {"dashboard", "--out", out},
           {"export", "--format", "github", good_, "--out", out}}) {
    SCOPED_TRACE(cmd[0]);
    testing::write_file(out, "precious\n");
    ProcessResult r = reports(cmd);
    EXPECT_EQ(r.exit_code, kOutput) << r.describe();
    expect_one_line(r, out + ": exists; not overwritten (use --force to replace it)");
    EXPECT_EQ(slurp(out), "precious\n");
    std::vector<std::string> forced = cmd;
    forced.push_back("--force");
    r = reports(forced);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(slurp(out), "precious\n");
  }
}

TEST_F(BadInput, TemporaryFilesNeverFollowASymlink) {
  ASSERT_EQ(reports({"history", "ingest", good_}).exit_code, 0);
  const std::string victim = write("victim", "victim\n"), out = dir_ + "/d.html";
  ASSERT_EQ(::symlink(victim.c_str(), (out + ".tmp").c_str()), 0);
  ProcessResult r = reports({"dashboard", "--out", out});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(slurp(victim), "victim\n");
  EXPECT_NE(slurp(out).find("<html"), std::string::npos);
}

TEST_F(BadInput, ParallelDashboardsOfOneFileNeverFail) {
  ASSERT_EQ(reports({"history", "ingest", good_}).exit_code, 0);
  const std::string out = dir_ + "/shared.html";
  std::vector<int> exits(8, -1);
  std::vector<std::thread> writers;
  for (int i = 0; i < 8; ++i)
    writers.emplace_back([&, i] { exits[i] = reports({"dashboard", "--out", out, "--force"}).exit_code; });
  for (auto& t : writers) t.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(exits[i], 0) << "writer " << i;
}

TEST_F(BadInput, ReadersNeverCreateADatabase) {
  const std::string typo = dir_ + "/tpyo.sqlite";
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"history", "query", "--db", "sqlite:" + typo}, {"dashboard", "--db", "sqlite:" + typo, "--out", dir_ + "/d.html"}}) {
    ProcessResult r = reports(cmd);
    EXPECT_EQ(r.exit_code, kUnreadable) << r.describe();
    expect_one_line(r, "no such history database");
    struct stat st;
    EXPECT_NE(::stat(typo.c_str(), &st), 0) << cmd[0] << " created " << typo;
  }
}

// An existing file that is not a vmxbench history: readers refuse it and
// writers refuse what holds data, in one line naming the file, with exit 3,
// and not a byte of it changes. Only a writer may make a history of a file
// with nothing in it.
TEST_F(BadInput, FilesThatAreNotAHistoryAreLeftAlone) {
  const std::string text = write("notes.txt", "not a database\n");
  const std::string foreign = dir_ + "/other.sqlite", blank = dir_ + "/blank.sqlite";
  open_database("sqlite:" + foreign)->execute("CREATE TABLE notes (x TEXT)");
  open_database("sqlite:" + foreign)->execute("INSERT INTO notes VALUES ('keep me')");
  open_database("sqlite:" + blank)->execute("PRAGMA user_version = 7");  // a header, no tables
  const std::string empty = write("empty.sqlite", "");
  struct Case {
    std::string path, what;
    bool writer_may_use;
  };
  for (const Case& c : std::vector<Case>{{text, "not a SQLite database file", false},
                                         {foreign, "other tables (notes)", false},
                                         {blank, "no tables", true},
                                         {empty, "no tables", true}}) {
    const std::string before = slurp(c.path), html = dir_ + "/d.html";
    ASSERT_FALSE(before.empty() && c.path != empty);
    for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
             {"history", "query", "--db", "sqlite:" + c.path},
             {"dashboard", "--db", "sqlite:" + c.path, "--out", html}}) {
      SCOPED_TRACE(cmd[0] + " on " + c.path);
      ProcessResult r = reports(cmd);
      EXPECT_EQ(r.exit_code, kUnreadable) << r.describe();
      expect_one_line(r, "sqlite:" + c.path + ": not a vmxbench history: ");
      EXPECT_NE(r.err.find(c.what), std::string::npos) << r.err;
      EXPECT_EQ(slurp(c.path), before);
      struct stat st;
      EXPECT_NE(::stat(html.c_str(), &st), 0);
    }
    SCOPED_TRACE("history ingest on " + c.path);
    ProcessResult w = reports({"history", "ingest", "--db", "sqlite:" + c.path, good_});
    if (c.writer_may_use) {
      EXPECT_EQ(w.exit_code, 0) << w.describe();
      EXPECT_EQ(reports({"history", "query", "--db", "sqlite:" + c.path}).exit_code, 0);
    } else {
      EXPECT_EQ(w.exit_code, kUnreadable) << w.describe();
      expect_one_line(w, "sqlite:" + c.path + ": not a vmxbench history: ");
      EXPECT_EQ(slurp(c.path), before);
    }
  }
}

TEST_F(BadInput, CompareRefusesBogusMetricsAndThresholds) {
  const std::string other =
      write("other.json", testing::make_report({{"x", {1, 2, 3}}}, "2026-11-21T00:00:00+00:00").dump());
  ProcessResult r = reports({"compare", good_, other, "--metric", "bogus"});
  EXPECT_EQ(r.exit_code, kUsage) << r.describe();
  EXPECT_NE(r.err.find("--metric bogus: no row of either report carries it"), std::string::npos) << r.err;
  for (const char* bad : {"1e400", "inf", "nan", "5", "-1", "2000%"}) {
    r = reports({"compare", good_, other, "--threshold", bad});
    EXPECT_EQ(r.exit_code, kUsage) << bad << ": " << r.describe();
  }
  r = reports({"compare", good_, other, "--threshold", "5"});
  EXPECT_NE(r.err.find("write 5% for 5 percent"), std::string::npos) << r.err;
  for (const char* ok : {"5%", "0.05", "1"}) EXPECT_EQ(reports({"compare", good_, other, "--threshold", ok}).exit_code, 0) << ok;
  r = reports({"compare", good_, other, "--threshold", "0.07"});
  EXPECT_NE(r.out.find("regression threshold 7% (a fraction of 0.07)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vmxb::reports
