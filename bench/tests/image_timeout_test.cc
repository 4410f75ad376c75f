// The boot-image backends give a plan time for its samples to cross the
// emulated serial port, so the documented maximum iteration count can finish.
#include <gtest/gtest.h>

#include "bench/image_backend.h"

namespace vmxb::bench {
namespace {

TEST(ImagePlanTimeout, GrowsWithTheSamplesTheImageMustPrint) {
  EXPECT_EQ(image_plan_timeout({}, 120).count(), 120);
  // 200 iterations of ~40 rows: a second at most on top.
  std::vector<harness::PlanOp> defaults(40, harness::PlanOp{"vmread", 200, 20});
  EXPECT_LE(image_plan_timeout(defaults, 120).count(), 125);
  // The maximum, 1048576 iterations: 100000 samples took 24 s under load,
  // so 1048576 need minutes, not the 120 s that used to end them.
  const std::vector<harness::PlanOp> max{{"vmread", 1u << 20, 0}};
  EXPECT_GE(image_plan_timeout(max, 120).count(), 120 + 500);
  // A touch row prints four series per iteration.
  const std::vector<harness::PlanOp> live{{"invept_global_live", 100000, 0, 512}};
  const std::vector<harness::PlanOp> plain{{"invept_global", 100000, 0}};
  EXPECT_EQ(image_plan_timeout(live, 0).count(), 4 * image_plan_timeout(plain, 0).count());
}

}  // namespace
}  // namespace vmxb::bench
