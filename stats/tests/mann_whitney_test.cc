// Mann-Whitney U against published values (SciPy's documentation, R's
// wilcox.test) and hand-derived ones, written as literals.
#include "stats/mann_whitney.h"

#include <cmath>

#include <gtest/gtest.h>

namespace vmxb::stats {
namespace {

TEST(MannWhitneyU, ScipyDocumentationExample) {
  // scipy.stats.mannwhitneyu docs: males vs females; U1 = 17,
  // method="asymptotic" (continuity-corrected) p = 0.11134688653314041.
  UTest t = mann_whitney_u({19, 22, 16, 29, 24}, {20, 11, 17, 12});
  ASSERT_TRUE(t.performed);
  EXPECT_DOUBLE_EQ(t.u1, 17.0);
  EXPECT_NEAR(t.z, 1.5921683328090657, 1e-12);
  EXPECT_NEAR(t.p_value, 0.11134688653314041, 1e-12);
}

TEST(MannWhitneyU, ScipyDocumentationExampleWithoutContinuityCorrection) {
  // use_continuity=False: z = 7 / sqrt(200/12) = 1.7146428199482247, p = 0.0864107329737.
  UTest t = mann_whitney_u({19, 22, 16, 29, 24}, {20, 11, 17, 12}, /*continuity=*/false);
  EXPECT_NEAR(t.z, 1.7146428199482247, 1e-12);
  EXPECT_NEAR(t.p_value, 0.0864107329737, 1e-10);
}

TEST(MannWhitneyU, RWilcoxTestSeparatedSamples) {
  // R: wilcox.test(c(1,2,3), c(4,5,6), exact=FALSE) -> W = 0, p-value = 0.08086.
  UTest t = mann_whitney_u({1, 2, 3}, {4, 5, 6});
  EXPECT_DOUBLE_EQ(t.u1, 0.0);
  EXPECT_NEAR(t.p_value, 0.0808556, 1e-6);
}

TEST(MannWhitneyU, FourVersusFourSeparated) {
  // SciPy: mannwhitneyu([1,2,3,4],[5,6,7,8], method="asymptotic").pvalue = 0.030382821976577504
  UTest t = mann_whitney_u({1, 2, 3, 4}, {5, 6, 7, 8});
  EXPECT_NEAR(t.p_value, 0.030382821976577504, 1e-12);
}

TEST(MannWhitneyU, TieCorrection) {
  // By hand: ranks 1, 3, 3 | 3, 5, 6 -> R1 = 7, U1 = 1; the value 2 is tied
  // three times: sum(t^3 - t) = 24, var = 9/12 * (7 - 24/30) = 4.65,
  // z = (|1 - 4.5| - 0.5) / sqrt(4.65) = 1.391207..., p = 0.1641597.
  UTest t = mann_whitney_u({1, 2, 2}, {2, 3, 4});
  EXPECT_DOUBLE_EQ(t.u1, 1.0);
  EXPECT_NEAR(t.z, 3.0 / std::sqrt(4.65), 1e-12);
  EXPECT_NEAR(t.p_value, 0.1641597, 1e-6);
  // Without the tie correction the variance would be 9/12*7 = 5.25: a different p.
  EXPECT_GT(std::fabs(t.p_value - 2 * normal_sf(3.0 / std::sqrt(5.25))), 1e-3);
}

TEST(MannWhitneyU, ConstantButDifferentGroupsAreSignificant) {
  // Bochs-style deterministic counts: 9 x 100 vs 9 x 110. Ties everywhere
  // within groups: var = 81/12 * (19 - 1440/306), z = 40 / sqrt(var).
  std::vector<double> a(9, 100), b(9, 110);
  UTest t = mann_whitney_u(a, b);
  const double var = 81.0 / 12 * (19 - 1440.0 / 306);
  EXPECT_NEAR(t.z, 40 / std::sqrt(var), 1e-12);
  EXPECT_LT(t.p_value, 0.001);
  EXPECT_TRUE(t.reliable());
}

TEST(MannWhitneyU, AllValuesEqualGivesPOne) {
  UTest t = mann_whitney_u({5, 5, 5}, {5, 5, 5});
  ASSERT_TRUE(t.performed);
  EXPECT_EQ(t.p_value, 1.0);
}

TEST(MannWhitneyU, SymmetricInItsArguments) {
  std::vector<double> a = {3, 1, 4, 1, 5, 9, 2, 6}, b = {2, 7, 1, 8, 2, 8, 1, 8};
  UTest ab = mann_whitney_u(a, b), ba = mann_whitney_u(b, a);
  EXPECT_DOUBLE_EQ(ab.p_value, ba.p_value);
  EXPECT_DOUBLE_EQ(ab.u1 + ba.u1, 64.0);  // U1 + U2 = n1 * n2
}

TEST(MannWhitneyU, TooFewRepetitions) {
  UTest t = mann_whitney_u({1}, {2, 3, 4});
  EXPECT_FALSE(t.performed);
  EXPECT_FALSE(t.reliable());
  UTest u = mann_whitney_u({1, 2}, {3, 4});
  EXPECT_TRUE(u.performed);
  EXPECT_FALSE(u.reliable());  // compare.py: 9+ repetitions recommended
}

TEST(MidRanks, TiesGetTheMeanRank) {
  std::vector<double> r = mid_ranks({10, 20, 20, 5, 20});
  EXPECT_EQ(r, (std::vector<double>{2, 4, 4, 1, 4}));
}

TEST(NormalSf, KnownValues) {
  EXPECT_NEAR(normal_sf(0), 0.5, 1e-15);
  EXPECT_NEAR(normal_sf(1.959963984540054), 0.025, 1e-12);
  EXPECT_NEAR(normal_sf(-1), 0.8413447460685429, 1e-12);
}

}  // namespace
}  // namespace vmxb::stats
