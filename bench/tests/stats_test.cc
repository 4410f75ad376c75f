#include "bench/stats.h"

#include <gtest/gtest.h>

namespace vmxb::bench {
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

}  // namespace
}  // namespace vmxb::bench
