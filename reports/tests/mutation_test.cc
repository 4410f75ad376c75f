// The report reader/validator and the history reader against deterministic
// mutations of the fixtures in reports/tests/fixtures: rejected or accepted,
// never a crash or an escaped exception; an accepted report hashes,
// compares, exports and survives the history with its samples mangled.
// Longer: VMXBENCH_MUTATIONS=N (reports/README.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "diag/bounded_input.h"
#include "diag/tests/mutator.h"
#include "reports/compare.h"
#include "reports/export.h"
#include "reports/history.h"
#include "reports/report.h"
#include "reports/tests/fixtures.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator("reports/tests/fixtures"))
    if (e.path().extension() == ".json") out.push_back(slurp(e.path().string()));
  out.push_back(testing::make_report({{"x", {1, 2, 3}}}, "2026-11-20T00:00:00+00:00").dump(2));
  return out;
}

TEST(Mutation, ReportReaderAndValidatorNeverCrash) {
  const int per_seed = vmxb::testing::mutation_count(150);
  int accepted = 0;
  unsigned long long seed_number = 0;
  for (const std::string& seed : seeds()) {
    vmxb::testing::Mutator m(0xfeed0000ull + seed_number++);
    for (int i = 0; i < per_seed; ++i) {
      const std::string text = m.mutate(seed);
      SCOPED_TRACE("seed " + std::to_string(seed_number - 1) + " mutation " + std::to_string(i));
      try {
        (void)parse_google_benchmark_json(text);
      } catch (const ReportError&) {
        // its one documented rejection
      } catch (const std::exception& e) {
        FAIL() << "parse_google_benchmark_json threw " << e.what();
      }
      input::ParsedJson parsed = input::parse_bounded_json(text);
      if (parsed.outcome != input::ParseOutcome::kOk) continue;
      std::optional<std::string> why;
      ASSERT_NO_THROW(why = validate_report(parsed.value));
      if (why) continue;
      ++accepted;
      ASSERT_NO_THROW({
        (void)content_hash(parsed.value);
        const Comparison c = compare(parsed.value, parsed.value);
        (void)format_comparison_text(c);
        (void)to_github_action_benchmark(parsed.value).dump();
        (void)to_bencher_bmf(parsed.value).dump();
      });
    }
  }
  RecordProperty("accepted", accepted);
}

TEST(Mutation, HistoryReaderSurvivesMangledRows) {
  const int rounds = vmxb::testing::mutation_count(150);
  History h(open_database("sqlite:" + testing::temp_dir("mutation") + "/h.sqlite"));
  const json report = testing::make_report({{"x", {1, 2, 3}}, {"y", {4, 5, 6}}}, "2026-11-20T00:00:00+00:00");
  ASSERT_EQ(h.ingest(report), History::Outcome::kAdded);
  const std::string samples = "[1.0,2.0,3.0]", stored = report.dump();
  vmxb::testing::Mutator m(0xdb000000ull);
  for (int i = 0; i < rounds; ++i) {
    SCOPED_TRACE("mutation " + std::to_string(i));
    h.db().execute("UPDATE vmxbench_results SET samples = $1 WHERE benchmark = 'x'", {m.mutate(samples)});
    h.db().execute("UPDATE vmxbench_reports SET report = $1", {m.mutate(stored)});
    ASSERT_NO_THROW({
      const auto points = h.query({});
      EXPECT_GE(points.size(), 1u);  // y is untouched
      (void)h.reports({});
    });
  }
}

}  // namespace
}  // namespace vmxb::reports
