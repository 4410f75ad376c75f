// Summaries against hand-derived values, written as literals.
#include "stats/descriptive.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

namespace vmxb::stats {
namespace {

TEST(StatsTest, SummaryOfKnownSamples) {
  // 1..100: median 50.5, p99 (nearest rank) 99, mean 50.5, sample stddev 29.0115
  std::vector<uint64_t> v;
  for (uint64_t i = 100; i >= 1; --i) v.push_back(i);
  const SampleSummary s = summarize(v);
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.median, 50.5);
  EXPECT_EQ(s.p99, 99);
  EXPECT_DOUBLE_EQ(s.mean, 50.5);
  EXPECT_NEAR(s.stddev, 29.0115, 1e-4);
}

TEST(StatsTest, SingleAndEmpty) {
  EXPECT_EQ(summarize({}).count, 0u);
  const SampleSummary one = summarize({7});
  EXPECT_EQ(one.median, 7);
  EXPECT_EQ(one.p99, 7);
  EXPECT_EQ(one.stddev, 0);
}

TEST(StatsTest, OverheadIsSubtractedAndClamped) {
  EXPECT_EQ(subtract_overhead({10, 4, 3, 104}, 4), (std::vector<uint64_t>{6, 0, 0, 100}));
}

TEST(Summaries, MedianMeanStdDevGeomean) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_TRUE(std::isnan(median({})));
  EXPECT_DOUBLE_EQ(mean({1, 2, 3, 4}), 2.5);
  EXPECT_NEAR(sample_stddev({2, 4, 4, 4, 5, 5, 7, 9}), 2.138089935299395, 1e-12);
  EXPECT_NEAR(geometric_mean({1.0, 4.0}), 2.0, 1e-12);
  EXPECT_NEAR(geometric_mean({0.5, 2.0, 1.0}), 1.0, 1e-12);
  EXPECT_TRUE(std::isnan(geometric_mean({1.0, 0.0})));
}

TEST(NearestRank, SmallestValueWithAtLeastPAtOrBelow) {
  const std::vector<double> sorted = {10, 20, 30, 40};
  EXPECT_EQ(nearest_rank(sorted, 0), 10);
  EXPECT_EQ(nearest_rank(sorted, 0.25), 10);   // 1 of 4 at or below 10
  EXPECT_EQ(nearest_rank(sorted, 0.26), 20);
  EXPECT_EQ(nearest_rank(sorted, 0.5), 20);    // not the interpolated 25
  EXPECT_EQ(nearest_rank(sorted, 0.99), 40);
  EXPECT_EQ(nearest_rank(sorted, 1), 40);
}

TEST(StatsTest, SummaryDoesNotDependOnSampleOrder) {
  // Mean and stddev add in sorted order: any permutation gives the same bits.
  const std::vector<uint64_t> shuffled = {1000000007, 3, 999999937, 17, 123456789, 5};
  std::vector<uint64_t> ascending = shuffled;
  std::sort(ascending.begin(), ascending.end());
  const SampleSummary a = summarize(shuffled), b = summarize(ascending);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.stddev, b.stddev);
  EXPECT_EQ(a.median, (17.0 + 123456789.0) / 2);
}

}  // namespace
}  // namespace vmxb::stats
