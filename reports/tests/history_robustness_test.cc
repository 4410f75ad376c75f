// The SQLite history under bad data and contention (issue 14): one corrupted
// row never takes the history down, and concurrent first use of a fresh file
// never fails with "database is locked".
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include <gtest/gtest.h>

#include "reports/history.h"
#include "reports/tests/fixtures.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

json report_of(const std::string& date) {
  return testing::make_report({{"ring0/vmread", testing::around(100, 5, 1)}, {"ring0/vmwrite", testing::around(200, 5, 2)}},
                              date);
}

TEST(HistoryRobustness, OneCorruptedRowIsSkippedAndNamed) {
  const std::string url = "sqlite:" + testing::temp_dir("corrupt") + "/h.sqlite";
  History h(open_database(url));
  ASSERT_EQ(h.ingest(report_of("2026-11-20T00:00:00+00:00")), History::Outcome::kAdded);
  ASSERT_EQ(h.ingest(report_of("2026-11-21T00:00:00+00:00")), History::Outcome::kAdded);
  // By hand, as the issue did: a null sample, an infinite median, a report that is not JSON.
  h.db().execute("UPDATE vmxbench_results SET samples = '[1, null]' WHERE benchmark = 'ring0/vmread' AND "
                 "content_hash = (SELECT content_hash FROM vmxbench_reports WHERE timestamp LIKE '2026-11-20%')");
  h.db().execute("UPDATE vmxbench_results SET median = 9e999 WHERE benchmark = 'ring0/vmwrite' AND "
                 "content_hash = (SELECT content_hash FROM vmxbench_reports WHERE timestamp LIKE '2026-11-21%')");
  h.db().execute("UPDATE vmxbench_reports SET report = '{not json' WHERE timestamp LIKE '2026-11-21%'");

  History reader(open_database(url, OpenMode::kExistingOnly));
  const std::vector<HistoryPoint> points = reader.query({});
  EXPECT_EQ(points.size(), 2u);  // of 4: the two good rows survive
  const std::vector<HistoryReport> reports = reader.reports({});
  EXPECT_EQ(reports.size(), 1u);
  ASSERT_EQ(reader.skipped().size(), 3u);
  EXPECT_NE(reader.skipped()[0].find("benchmark ring0/vmread: samples hold null, not a number"), std::string::npos)
      << reader.skipped()[0];
  EXPECT_NE(reader.skipped()[1].find("benchmark ring0/vmwrite: median is inf"), std::string::npos)
      << reader.skipped()[1];
  EXPECT_NE(reader.skipped()[2].find("report: not readable JSON"), std::string::npos) << reader.skipped()[2];
}

// Processes, not threads: the failure was between separate connections
// switching one new file to WAL at the same moment.
TEST(HistoryRobustness, ConcurrentFirstUseNeverFails) {
  constexpr int kRounds = 25, kWriters = 8;
  int failures = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string url = "sqlite:" + testing::temp_dir("fresh") + "/h.sqlite";
    std::vector<pid_t> children;
    for (int w = 0; w < kWriters; ++w) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        try {
          History h(open_database(url));
          h.ingest(report_of("2026-11-2" + std::to_string(w) + "T00:00:00+00:00"));
          ::_exit(0);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "writer %d: %s\n", w, e.what());
          ::_exit(7);
        }
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
  }
  EXPECT_EQ(failures, 0) << "of " << kRounds * kWriters << " first uses";
}

}  // namespace
}  // namespace vmxb::reports
