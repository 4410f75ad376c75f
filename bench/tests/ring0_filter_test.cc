#include <gtest/gtest.h>

#include <algorithm>

#include "bench/ring0_benchmarks.h"
#include "core/operations.h"

namespace vmxb::bench {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(Ring0FilterTest, EverythingButTheOverheadByDefault) {
  const auto all = ring0_ops_matching("");
  EXPECT_EQ(all.size(), static_cast<size_t>(core::OpId::kCount) - 1);
  EXPECT_FALSE(has(all, "empty"));
  EXPECT_EQ(ring0_ops_matching("all"), all);
}

TEST(Ring0FilterTest, RegexAndNegation) {
  const auto invept = ring0_ops_matching("ring0/invept");
  EXPECT_EQ(ring0_ops_matching("ring0/vmread/"), std::vector<std::string>{"vmread"});
  EXPECT_EQ(ring0_ops_matching("ring0/vmread/iterations:1/manual_time$"), std::vector<std::string>{"vmread"});
  EXPECT_EQ(invept, (std::vector<std::string>{"invept_single_context", "invept_global"}));
  EXPECT_TRUE(ring0_ops_matching("userspace_capture").empty());
  const auto not_invept = ring0_ops_matching("-invept");
  EXPECT_FALSE(has(not_invept, "invept_global"));
  EXPECT_TRUE(has(not_invept, "vmread"));
}

}  // namespace
}  // namespace vmxb::bench
