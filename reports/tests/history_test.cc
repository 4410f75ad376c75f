// The history on both storage implementations: the same tests run against
// SQLite (a temporary file) and PostgreSQL (a throw-away local server started
// by pg_server.cc; the test fails, naming the package, if it cannot start).
#include "reports/history.h"

#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "reports/history_rollups.h"
#include "reports/report.h"
#include "reports/tests/fixtures.h"
#include "reports/tests/pg_environment.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;
using testing::around;
using testing::make_report;

// Registers the one server of the binary before main() runs the tests.
const auto& registered_pg_environment = testing::pg_environment();

class HistoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      url_ = "sqlite:" + testing::temp_dir("history") + "/history.sqlite";
    } else {
      std::string why;
      url_ = testing::pg_environment().new_database("vmxbench_test_", why);
      ASSERT_FALSE(url_.empty()) << why;
    }
  }
  std::unique_ptr<History> open() { return std::make_unique<History>(open_database(url_)); }

  static json report(const std::string& host, const std::string& date, double invept = 600, int seed = 1) {
    testing::HostSpec h;
    h.name = host;
    return make_report({{"ring0/invept_single_context", around(invept, 9, seed)},
                       {"ring0/invept_global", around(invept * 1.5, 9, seed + 1)},
                       {"userspace_capture/flag_outputs", around(2.5, 9, seed + 2)}},
                      date, h);
  }

  std::string url_;
};

TEST_P(HistoryTest, IngestIsIdempotent) {
  auto h = open();
  json r = report("alpha", "2026-11-20T06:00:00+00:00");
  EXPECT_EQ(h->ingest(r), History::Outcome::kAdded);
  EXPECT_EQ(h->ingest(r), History::Outcome::kDuplicate);
  // The same report re-formatted (another file, same content) is the same entry.
  EXPECT_EQ(h->ingest(json::parse(r.dump(1))), History::Outcome::kDuplicate);
  EXPECT_EQ(h->count_reports(), 1);
  EXPECT_EQ(h->count_results(), 3);
  // A second connection sees the same one entry.
  EXPECT_EQ(open()->ingest(r), History::Outcome::kDuplicate);
  json other = report("alpha", "2026-11-21T06:00:00+00:00");
  EXPECT_EQ(h->ingest(other), History::Outcome::kAdded);
  EXPECT_EQ(h->count_reports(), 2);
}

TEST_P(HistoryTest, QueriesByHostBenchmarkAndTime) {
  auto h = open();
  const char* days[] = {"2026-11-01T06:00:00+00:00", "2026-11-02T06:00:00+00:00", "2026-11-03T06:00:00+00:00",
                        "2026-11-04T06:00:00+00:00"};
  for (const char* host : {"alpha", "beta"})
    for (int i = 0; i < 4; ++i) ASSERT_EQ(h->ingest(report(host, days[i], 600 + i, i)), History::Outcome::kAdded);

  HistoryQuery all;
  EXPECT_EQ(h->query(all).size(), 2u * 4u * 3u);

  HistoryQuery q;
  q.host = "alpha";
  q.benchmark = "ring0/invept_global";
  auto pts = h->query(q);
  ASSERT_EQ(pts.size(), 4u);
  for (size_t i = 0; i < pts.size(); ++i) {
    EXPECT_EQ(pts[i].host_name, "alpha");
    EXPECT_EQ(pts[i].benchmark, "ring0/invept_global");
    EXPECT_EQ(pts[i].metric, "cycles_median");
    EXPECT_EQ(pts[i].unit, "cycles");
    if (i) {
      EXPECT_LT(pts[i - 1].timestamp, pts[i].timestamp);
    }
  }
  // By host id instead of name.
  HistoryQuery by_id;
  by_id.host = pts[0].host_id;
  EXPECT_EQ(h->query(by_id).size(), 12u);

  // Time bounds are inclusive; both combine with the other filters.
  q.since = "2026-11-02T06:00:00Z";
  q.until = "2026-11-03T06:00:00Z";
  pts = h->query(q);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].timestamp, "2026-11-02T06:00:00Z");
  EXPECT_EQ(pts[1].timestamp, "2026-11-03T06:00:00Z");

  HistoryQuery wild;
  wild.benchmark = "ring0/invept_*";
  wild.host = "beta";
  EXPECT_EQ(h->query(wild).size(), 8u);
  HistoryQuery literal;
  literal.benchmark = "ring0/invept%";  // '%' is not a wildcard
  EXPECT_EQ(h->query(literal).size(), 0u);
  HistoryQuery none;
  none.host = "gamma";
  EXPECT_TRUE(h->query(none).empty());

  HistoryQuery since;
  since.since = "2026-11-04T00:00:00Z";
  auto reports = h->reports(since);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(validate_report(reports[0].report), std::nullopt);
}

TEST_P(HistoryTest, KeepsSamplesAndReportsExactly) {
  auto h = open();
  json r = make_report({{"userspace_capture/flag_outputs", {0.1, 1e-300, 123456789.123456789, 2.5}}},
                      "2026-11-20T06:00:00+00:00");
  h->ingest(r);
  auto pts = h->query({});
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_EQ(pts[0].samples, (std::vector<double>{0.1, 1e-300, 123456789.123456789, 2.5}));
  EXPECT_DOUBLE_EQ(pts[0].median, (0.1 + 2.5) / 2);
  EXPECT_EQ(pts[0].min, 1e-300);
  EXPECT_EQ(pts[0].max, 123456789.123456789);
  EXPECT_EQ(pts[0].repetitions, 4);
  auto reports = h->reports({});
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].report, r);
  EXPECT_EQ(reports[0].content_hash, content_hash(r));
}

TEST_P(HistoryTest, FailedIngestLeavesTheHistoryIntact) {
  auto h = open();
  json a = report("alpha", "2026-11-20T06:00:00+00:00");
  json b = report("alpha", "2026-11-21T06:00:00+00:00", 700);
  h->ingest(a);
  const auto before = h->query({});
  EXPECT_THROW(h->ingest(b, IngestFault{1, false}), DbError);  // after the report row and one result row
  EXPECT_EQ(h->count_reports(), 1);
  EXPECT_EQ(h->count_results(), 3);
  EXPECT_EQ(h->query({}).size(), before.size());
  // Nothing of b stuck: it is not taken for a duplicate.
  EXPECT_EQ(h->ingest(b), History::Outcome::kAdded);
  EXPECT_EQ(h->count_results(), 6);
}

TEST_P(HistoryTest, KilledIngestLeavesTheHistoryIntact) {
  json a = report("alpha", "2026-11-20T06:00:00+00:00");
  json b = report("alpha", "2026-11-21T06:00:00+00:00", 700);
  open()->ingest(a);
  // A child process dies by SIGKILL in the middle of ingesting b.
  EXPECT_EXIT(
      {
        History h(open_database(url_));
        h.ingest(b, IngestFault{2, true});
        std::exit(0);  // not reached
      },
      ::testing::KilledBySignal(SIGKILL), "");
  auto h = open();
  EXPECT_EQ(h->count_reports(), 1);
  EXPECT_EQ(h->count_results(), 3);
  EXPECT_EQ(h->ingest(b), History::Outcome::kAdded);
  EXPECT_EQ(h->count_reports(), 2);
}

TEST_P(HistoryTest, ConcurrentIngestOfTheSameReportsKeepsOneEach) {
  std::vector<json> reports;
  for (int i = 0; i < 6; ++i)
    reports.push_back(report("alpha", "2026-11-0" + std::to_string(i + 1) + "T06:00:00+00:00", 600, i));
  // Both connections also race to create the tables.
  std::atomic<int> added{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      try {
        auto h = open();
        for (const json& r : reports)
          if (h->ingest(r) == History::Outcome::kAdded) ++added;
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(added, 6);
  EXPECT_EQ(open()->count_reports(), 6);
}

TEST_P(HistoryTest, RefusesANewerHistorySchema) {
  open()->db().execute("UPDATE vmxbench_meta SET value = '99' WHERE key = 'schema_version'");
  try {
    open();
    FAIL() << "a newer schema was accepted";
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
  }
}

json with_revision(json r, const std::string& label, const char* order) {
  r["google_benchmark"]["context"]["vmxbench_revision"] = label;
  if (order != nullptr) r["google_benchmark"]["context"]["vmxbench_revision_order"] = order;
  return r;
}

TEST_P(HistoryTest, KeepsEachReportsRevision) {
  auto h = open();
  h->ingest(with_revision(report("alpha", "2026-11-20T06:00:00+00:00"), "linux-6.1.0-57", nullptr));
  h->ingest(with_revision(report("alpha", "2026-11-21T06:00:00+00:00", 600, 4), "linux-6.12.118", "612118"));
  h->ingest(report("alpha", "2026-11-22T06:00:00+00:00", 600, 7));
  HistoryQuery q;
  q.benchmark = "ring0/invept_global";
  const auto pts = h->query(q);
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_EQ(pts[0].revision, "linux-6.1.0-57");
  EXPECT_FALSE(pts[0].revision_order.has_value());
  EXPECT_EQ(pts[1].revision, "linux-6.12.118");
  EXPECT_EQ(pts[1].revision_order, 612118);
  EXPECT_EQ(pts[2].revision, "");
}

// A history written before the revision columns (schema 1) is upgraded when
// opened: the columns are added and filled from the stored reports.
TEST_P(HistoryTest, UpgradesAVersion1HistoryFromItsStoredReports) {
  {
    auto h = open();
    h->ingest(with_revision(report("alpha", "2026-11-20T06:00:00+00:00"), "abc123", "17"));
    // What schema 1 lacked: the columns, the rollups and the index that covers them.
    h->db().execute("DROP INDEX vmxbench_reports_runs");
    h->db().execute("DROP TABLE vmxbench_rollups");
    for (const char* column : {"week", "revision_order", "revision"})
      h->db().execute(std::string("ALTER TABLE vmxbench_reports DROP COLUMN ") + column);
    h->db().execute("UPDATE vmxbench_meta SET value = '1' WHERE key = 'schema_version'");
  }
  auto h = open();
  EXPECT_EQ(as_int(h->db().query("SELECT value FROM vmxbench_meta WHERE key = 'schema_version'")[0][0]),
            kHistorySchemaVersion);
  HistoryQuery q;
  q.benchmark = "ring0/invept_global";
  const auto pts = h->query(q);
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_EQ(pts[0].revision, "abc123");
  EXPECT_EQ(pts[0].revision_order, 17);
  EXPECT_EQ(h->count_reports(), 1);
  EXPECT_EQ(as_int(h->db().query("SELECT COUNT(*) FROM vmxbench_rollups")[0][0]), 3);  // 3 series, 1 week
}

// Schema 2 had no weeks and no rollups: the upgrade rebuilds, from the
// stored runs, the same rollups that ingesting them writes.
TEST_P(HistoryTest, UpgradesAVersion2HistoryToTheRollupsIngestWrites) {
  const std::string rollups =
      "SELECT host_name, host_id, benchmark, series_backend, series_detail, series_tick, week, measured_runs, "
      "median_sum, low, high, error_runs, error, first_timestamp, last_timestamp, backend, metric, unit, repetitions "
      "FROM vmxbench_rollups ORDER BY host_name, benchmark, week";
  std::vector<DbRow> ingested;
  {
    auto h = open();
    // Two weeks (Monday 2026-11-16 and 2026-11-23), two runs in the second, and one unsupported run.
    h->ingest(report("alpha", "2026-11-20T06:00:00+00:00", 600, 1));
    h->ingest(report("alpha", "2026-11-23T00:00:00+00:00", 610, 2));
    h->ingest(report("alpha", "2026-11-29T23:59:59+00:00", 620, 3));
    h->ingest(testing::make_report_with_rows({}, testing::unsupported_rows("ring0/invept_single_context", "no INVEPT"),
                                             "2026-11-25T06:00:00+00:00"));
    ingested = h->db().query(rollups);
    h->db().execute("DROP INDEX vmxbench_reports_runs");
    h->db().execute("DROP TABLE vmxbench_rollups");
    h->db().execute("ALTER TABLE vmxbench_reports DROP COLUMN week");
    h->db().execute("UPDATE vmxbench_meta SET value = '2' WHERE key = 'schema_version'");
  }
  auto h = open();
  EXPECT_EQ(h->db().query(rollups), ingested);
  // What the rows say, worked out: alpha's single-context series in week 2026-11-23 has 2 measured runs.
  const auto week = h->db().query(
      "SELECT measured_runs, error_runs, first_timestamp, last_timestamp FROM vmxbench_rollups WHERE host_name = "
      "'alpha' AND benchmark = 'ring0/invept_single_context' AND week = '2026-11-23'");
  ASSERT_EQ(week.size(), 1u);
  EXPECT_EQ(as_int(week[0][0]), 2);
  EXPECT_EQ(as_int(week[0][1]), 0);
  EXPECT_EQ(as_string(week[0][2]), "2026-11-23T00:00:00Z");
  EXPECT_EQ(as_string(week[0][3]), "2026-11-29T23:59:59Z");
  const auto unsupported = h->db().query(
      "SELECT measured_runs, error_runs, error FROM vmxbench_rollups WHERE host_name = 'lab-host-1' AND "
      "benchmark = 'ring0/invept_single_context'");
  ASSERT_EQ(unsupported.size(), 1u);
  EXPECT_EQ(as_int(unsupported[0][0]), 0);
  EXPECT_EQ(as_int(unsupported[0][1]), 1);
  EXPECT_EQ(as_string(unsupported[0][2]), "unsupported: no INVEPT");
  EXPECT_EQ(as_int(h->db().query("SELECT COUNT(*) FROM vmxbench_reports WHERE week IS NULL")[0][0]), 0);
}

TEST(Weeks, AreTheirUtcMonday) {
  EXPECT_EQ(week_of("2026-11-30T00:00:00Z"), "2026-11-30");  // a Monday
  EXPECT_EQ(week_of("2026-12-06T23:59:59Z"), "2026-11-30");  // its Sunday
  EXPECT_EQ(week_of("2026-12-07T00:00:00+01:00"), "2026-11-30");  // Sunday 23:00 UTC
  EXPECT_EQ(week_of("1970-01-01T00:00:00Z"), "1969-12-29");  // a Thursday
  EXPECT_EQ(week_of("1969-12-31T12:00:00Z"), "1969-12-29");
  EXPECT_EQ(week_of("not a time"), "");
}

INSTANTIATE_TEST_SUITE_P(Storage, HistoryTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(PgServer, MissingServerBinariesNameThePackage) {
  setenv("VMXBENCH_PG_BINDIR", "/nonexistent-vmxbench", 1);
  std::string error;
  auto server = testing::PgServer::start(error);
  unsetenv("VMXBENCH_PG_BINDIR");
  EXPECT_EQ(server, nullptr);
  EXPECT_NE(error.find("install the Debian package postgresql"), std::string::npos) << error;
}

TEST(OpenDatabase, RejectsUnknownSchemesAndUnreachableServers) {
  try {
    open_database("mysql://x");
    FAIL();
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("sqlite:PATH or postgresql://"), std::string::npos);
  }
  try {
    open_database("postgresql://u:secret@/db?host=/nonexistent-vmxbench&connect_timeout=2");
    FAIL();
  } catch (const DbError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos);
    EXPECT_EQ(what.find("secret"), std::string::npos) << what;  // password redacted
    EXPECT_NE(what.find("cannot connect"), std::string::npos);
  }
  EXPECT_THROW(open_database("sqlite:/nonexistent-vmxbench-dir/h.sqlite"), DbError);
}

}  // namespace
}  // namespace vmxb::reports
