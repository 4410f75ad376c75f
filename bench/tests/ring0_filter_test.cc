#include <gtest/gtest.h>

#include <algorithm>

#include "bench/ring0_benchmarks.h"
#include "bench/ring0_rows.h"
#include "core/operations.h"

namespace vmxb::bench {
namespace {

std::vector<std::string> names(const std::vector<Ring0Row>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.name());
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

size_t touch_ops() {
  size_t n = 0;
  for (const auto& op : core::kOperations) n += (op.needs & core::kWritesTouchSeries) ? 1 : 0;
  return n;
}

TEST(Ring0FilterTest, EverythingButTheOverheadByDefault) {
  const auto all = names(ring0_rows_matching("", kDefaultTouchPages));
  ASSERT_GE(touch_ops(), 2u);
  // Each touch row once per default page count, every other row once.
  EXPECT_EQ(all.size(), static_cast<size_t>(core::OpId::kCount) - 1 + touch_ops() * (kDefaultTouchPages.size() - 1));
  EXPECT_FALSE(has(all, "ring0/empty"));
  EXPECT_EQ(names(ring0_rows_matching("all", kDefaultTouchPages)), all);
  for (const char* guest_row : {"ring0/vmcall", "ring0/vmcall_dispatched", "ring0/cpuid", "ring0/ept_violation",
                                "ring0/ept_demand_paging", "ring0/ept_misconfig", "ring0/vmfunc_eptp_switch",
                                "ring0/eptp_switch_by_exit"})
    EXPECT_TRUE(has(all, guest_row)) << guest_row;
}

TEST(Ring0FilterTest, TouchRowsAreNamedPerPageCount) {
  const auto rows = ring0_rows_matching("ring0/invept_global_live/", {1, 64, 512});
  EXPECT_EQ(names(rows), (std::vector<std::string>{"ring0/invept_global_live/pages:1", "ring0/invept_global_live/pages:64",
                                                   "ring0/invept_global_live/pages:512"}));
  EXPECT_EQ(rows[1].pages, 64u);
  EXPECT_EQ(rows[1].op, "invept_global_live");
  // The filter sees the page count like any other part of the name.
  EXPECT_EQ(names(ring0_rows_matching("_live/pages:64/", {1, 64})).size(), touch_ops());
  EXPECT_EQ(names(ring0_rows_matching("ring0/invvpid_single_context_live/pages:7/", {7})),
            std::vector<std::string>{"ring0/invvpid_single_context_live/pages:7"});
  EXPECT_TRUE(ring0_rows_matching("ring0/invept_global_live/", {}).empty()) << "no page counts, no touch rows";
  // Rows that touch nothing carry no page count.
  EXPECT_EQ(ring0_rows_matching("ring0/vmcall/", {1, 64}), (std::vector<Ring0Row>{{"vmcall", 0}}));
  EXPECT_TRUE(is_touch_op("invept_single_context_live"));
  EXPECT_FALSE(is_touch_op("invept_single_context"));
  EXPECT_FALSE(is_touch_op("no_such_op"));
}

TEST(Ring0FilterTest, RegexAndNegation) {
  EXPECT_EQ(names(ring0_rows_matching("ring0/vmread/", {64})), std::vector<std::string>{"ring0/vmread"});
  EXPECT_EQ(names(ring0_rows_matching("ring0/vmread/iterations:1/manual_time$", {64})),
            std::vector<std::string>{"ring0/vmread"});
  EXPECT_EQ(names(ring0_rows_matching("ring0/invept_[a-z_]*/iterations", {64})),
            (std::vector<std::string>{"ring0/invept_single_context", "ring0/invept_global"}));
  EXPECT_TRUE(ring0_rows_matching("userspace_capture", {64}).empty());
  const auto not_invept = names(ring0_rows_matching("-invept", {64}));
  EXPECT_FALSE(has(not_invept, "ring0/invept_global"));
  EXPECT_FALSE(has(not_invept, "ring0/invept_global_live/pages:64"));
  EXPECT_TRUE(has(not_invept, "ring0/vmread"));
  EXPECT_TRUE(has(not_invept, "ring0/invvpid_all_context_live/pages:64"));
}

TEST(TouchPagesFlagTest, AcceptsDistinctCountsUpToTheCoreLimit) {
  std::string error;
  EXPECT_EQ(parse_touch_pages("1,64,512", &error), (std::vector<uint32_t>{1, 64, 512}));
  EXPECT_EQ(parse_touch_pages("7", &error), std::vector<uint32_t>{7});
  EXPECT_EQ(max_touch_pages(), 512u);
  EXPECT_EQ(parse_touch_pages(std::to_string(max_touch_pages()), &error), std::vector<uint32_t>{max_touch_pages()});
}

TEST(TouchPagesFlagTest, RejectsWhatTheCoreCannotTouch) {
  for (const char* bad : {"1,64,512,2048", "513", "0", "", "1,,64", "64,", "-1", "abc", "1.5", "64,64", "99999999999"}) {
    std::string error;
    EXPECT_EQ(parse_touch_pages(bad, &error), std::nullopt) << bad;
    EXPECT_NE(error.find("1..512"), std::string::npos) << bad << ": " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
  }
}

}  // namespace
}  // namespace vmxb::bench
