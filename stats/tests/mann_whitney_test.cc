// Mann-Whitney U against published values (SciPy's documentation, R's
// wilcox.test), SciPy 1.10.1 (Debian 12's python3-scipy) computed once by
// hand, and hand-derived ones, all written as literals: SciPy is not needed to
// run the test.
#include "stats/mann_whitney.h"

#include <cmath>

#include <gtest/gtest.h>

namespace vmxb::stats {
namespace {

TEST(MannWhitneyU, ScipyDocumentationExample) {
  // scipy.stats.mannwhitneyu docs: males vs females; U1 = 17,
  // method="asymptotic" (continuity-corrected) p = 0.11134688653314041.
  UTest t = mann_whitney_u({19, 22, 16, 29, 24}, {20, 11, 17, 12}, true, UTestMethod::kAsymptotic);
  ASSERT_TRUE(t.performed);
  EXPECT_EQ(t.method, UTestMethod::kAsymptotic);
  EXPECT_DOUBLE_EQ(t.u1, 17.0);
  EXPECT_NEAR(t.z, 1.5921683328090657, 1e-12);
  EXPECT_NEAR(t.p_value, 0.11134688653314041, 1e-12);
}

TEST(MannWhitneyU, ScipyDocumentationExampleWithoutContinuityCorrection) {
  // use_continuity=False: z = 7 / sqrt(200/12) = 1.7146428199482247, p = 0.0864107329737.
  UTest t = mann_whitney_u({19, 22, 16, 29, 24}, {20, 11, 17, 12}, /*continuity=*/false,
                           UTestMethod::kAsymptotic);
  EXPECT_NEAR(t.z, 1.7146428199482247, 1e-12);
  EXPECT_NEAR(t.p_value, 0.0864107329737, 1e-10);
}

TEST(MannWhitneyU, RWilcoxTestSeparatedSamples) {
  // R: wilcox.test(c(1,2,3), c(4,5,6), exact=FALSE) -> W = 0, p-value = 0.08086.
  UTest t = mann_whitney_u({1, 2, 3}, {4, 5, 6}, true, UTestMethod::kAsymptotic);
  EXPECT_DOUBLE_EQ(t.u1, 0.0);
  EXPECT_NEAR(t.p_value, 0.0808556, 1e-6);
}

TEST(MannWhitneyU, FourVersusFourSeparated) {
  // SciPy: mannwhitneyu([1,2,3,4],[5,6,7,8], method="asymptotic").pvalue = 0.030382821976577504
  UTest t = mann_whitney_u({1, 2, 3, 4}, {5, 6, 7, 8}, true, UTestMethod::kAsymptotic);
  EXPECT_NEAR(t.p_value, 0.030382821976577504, 1e-12);
}

TEST(MannWhitneyU, TieCorrection) {
  // By hand: ranks 1, 3, 3 | 3, 5, 6 -> R1 = 7, U1 = 1; the value 2 is tied
  // three times: sum(t^3 - t) = 24, var = 9/12 * (7 - 24/30) = 4.65,
  // z = (|1 - 4.5| - 0.5) / sqrt(4.65) = 1.391207..., p = 0.1641597.
  UTest t = mann_whitney_u({1, 2, 2}, {2, 3, 4});
  EXPECT_EQ(t.method, UTestMethod::kAsymptotic);  // ties: SciPy's "auto" is asymptotic
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

// SciPy 1.10.1: scipy.stats.mannwhitneyu(x, y, alternative='two-sided',
// method=M).pvalue for the M named in each case ('auto' is the default).
// Each case asserts which method "auto" picked and its p to 1e-12.
struct ScipyCase {
  const char* name;
  std::vector<double> x, y;
  UTestMethod method;  // asked for
  UTestMethod used;    // what SciPy's method="auto" resolves to (or the method asked for)
  double u1;           // SciPy's statistic: U of x
  double p_value;      // SciPy's pvalue
};

const ScipyCase kScipyCases[] = {
    // 5 vs 5 fully separated: 2 / C(10, 5) = 2/252. method='asymptotic'
    // gives 0.012185780355344813, the value this test used to return.
    {"5v5_separated", {1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, UTestMethod::kAuto, UTestMethod::kExact, 0,
     0.007936507936507936},
    {"5v5_separated_asymptotic", {1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, UTestMethod::kAsymptotic,
     UTestMethod::kAsymptotic, 0, 0.012185780355344813},
    // SciPy's documentation example under method='auto' (exact: 0.1111).
    {"scipy_doc_5v4", {19, 22, 16, 29, 24}, {20, 11, 17, 12}, UTestMethod::kAuto, UTestMethod::kExact, 17,
     0.1111111111111111},
    {"5v5_interleaved", {1, 3, 5, 7, 9}, {2, 4, 6, 8, 10}, UTestMethod::kAuto, UTestMethod::kExact, 10,
     0.6904761904761905},
    {"5v5_overlapping", {10.5, 11.2, 9.8, 12.1, 10.9}, {11.8, 12.4, 11.0, 12.9, 13.3}, UTestMethod::kAuto,
     UTestMethod::kExact, 3, 0.05555555555555555},
    // U1 = n1 n2 / 2: 2 * P(U >= 8) > 1, clipped.
    {"4v4_centred", {1, 4, 6, 7}, {2, 3, 5, 8}, UTestMethod::kAuto, UTestMethod::kExact, 8, 1.0},
    {"3v6_overlapping", {3, 1, 7}, {2, 4, 5, 6, 8, 9}, UTestMethod::kAuto, UTestMethod::kExact, 5,
     0.38095238095238093},
    {"3v6_separated", {1, 2, 3}, {4, 5, 6, 7, 8, 9}, UTestMethod::kAuto, UTestMethod::kExact, 0,
     0.023809523809523808},
    // Ties: "auto" takes the asymptotic method; method='exact' ignores them.
    {"5v5_tied", {1, 2, 2, 4, 5}, {2, 6, 7, 8, 9}, UTestMethod::kAuto, UTestMethod::kAsymptotic, 3,
     0.057007942464885414},
    {"5v5_tied_exact", {1, 2, 2, 4, 5}, {2, 6, 7, 8, 9}, UTestMethod::kExact, UTestMethod::kExact, 3,
     0.05555555555555555},
    // One sample of at most 8 is enough for "exact" (SciPy: asymptotic only
    // when n1 > 8 and n2 > 8): x = 0, 2, ..., 14; y = 0.5, 2.5, ..., 38.5.
    {"8v20", {0, 2, 4, 6, 8, 10, 12, 14}, {0.5,  2.5,  4.5,  6.5,  8.5,  10.5, 12.5, 14.5, 16.5, 18.5,
                                            20.5, 22.5, 24.5, 26.5, 28.5, 30.5, 32.5, 34.5, 36.5, 38.5},
     UTestMethod::kAuto, UTestMethod::kExact, 28, 0.006782267651832869},
    // Both larger than 8: asymptotic, although exact would differ tenfold.
    {"9v9_separated", {1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 11, 12, 13, 14, 15, 16, 17, 18}, UTestMethod::kAuto,
     UTestMethod::kAsymptotic, 0, 0.00041229480206169127},
    {"9v9_separated_exact", {1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 11, 12, 13, 14, 15, 16, 17, 18},
     UTestMethod::kExact, UTestMethod::kExact, 0, 4.113533525298231e-05},
};

TEST(MannWhitneyU, MatchesScipy) {
  for (const ScipyCase& c : kScipyCases) {
    SCOPED_TRACE(c.name);
    UTest t = mann_whitney_u(c.x, c.y, true, c.method);
    ASSERT_TRUE(t.performed);
    EXPECT_EQ(t.method, c.used);
    EXPECT_DOUBLE_EQ(t.u1, c.u1);
    EXPECT_NEAR(t.p_value, c.p_value, 1e-12);
  }
}

TEST(MannWhitneyU, MatchesScipyWithTheSamplesSwapped) {
  for (const ScipyCase& c : kScipyCases) {
    SCOPED_TRACE(c.name);
    EXPECT_NEAR(mann_whitney_u(c.y, c.x, true, c.method).p_value, c.p_value, 1e-12);
  }
}

TEST(UExactSf, CountsOrderings) {
  // 2 vs 2: the C(4, 2) = 6 orderings have U = 0, 1, 2, 2, 3, 4.
  EXPECT_DOUBLE_EQ(*u_exact_sf(0, 2, 2), 1.0);
  EXPECT_DOUBLE_EQ(*u_exact_sf(1, 2, 2), 5.0 / 6);
  EXPECT_DOUBLE_EQ(*u_exact_sf(2, 2, 2), 4.0 / 6);
  EXPECT_DOUBLE_EQ(*u_exact_sf(3, 2, 2), 2.0 / 6);
  EXPECT_DOUBLE_EQ(*u_exact_sf(4, 2, 2), 1.0 / 6);
  EXPECT_DOUBLE_EQ(*u_exact_sf(5, 2, 2), 0.0);
  EXPECT_DOUBLE_EQ(*u_exact_sf(2.5, 2, 2), 4.0 / 6);  // truncated like SciPy's U.astype(int)
}

TEST(UExactSf, FallsBackWhenTheCountOverflows) {
  // C(1008, 8) ~ 2.6e19 > 2^64 ~ 1.8e19; C(900, 8) ~ 1.0e19 fits.
  EXPECT_FALSE(u_exact_sf(1, 8, 1000).has_value());
  EXPECT_TRUE(u_exact_sf(1, 8, 900).has_value());
  std::vector<double> a = {0, 1, 2, 3, 4, 5, 6, 7}, b(1000);
  for (size_t i = 0; i < b.size(); ++i) b[i] = 10.5 + static_cast<double>(i);
  EXPECT_EQ(mann_whitney_u(a, b, true, UTestMethod::kExact).method, UTestMethod::kAsymptotic);
  EXPECT_EQ(mann_whitney_u(a, b).method, UTestMethod::kAsymptotic);
  b.resize(900);
  EXPECT_EQ(mann_whitney_u(a, b).method, UTestMethod::kExact);
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
