// Statistics for comparing benchmark runs: the two-sided Mann-Whitney U test
// as Google Benchmark's tools/compare.py runs it, i.e. SciPy's
// mannwhitneyu(method="auto"): the exact distribution of U when a sample has
// at most kUTestExactMaxSize values and nothing is tied, otherwise the normal
// approximation with tie and continuity correction (method="asymptotic").
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace vmxb::stats {

// compare.py's constants: the U test runs from 2 repetitions per side and is
// called unreliable below 9.
inline constexpr size_t kUTestMinRepetitions = 2;
inline constexpr size_t kUTestOptimalRepetitions = 9;

// SciPy (scipy/stats/_mannwhitneyu.py, _mwu_choose_method): "auto" is the
// asymptotic method only when both samples are larger than 8, or on ties.
inline constexpr size_t kUTestExactMaxSize = 8;

// The exact method keeps one counter per value of U, n1 * n2 + 1 of them;
// past this many the normal approximation is long since indistinguishable.
inline constexpr size_t kUTestExactMaxProduct = size_t{1} << 20;

enum class UTestMethod { kAuto, kExact, kAsymptotic };
const char* u_test_method_name(UTestMethod m);  // "auto", "exact", "asymptotic"

struct UTest {
  bool performed = false;  // false: a side has fewer than kUTestMinRepetitions samples
  double u1 = 0;           // U of the first sample: R1 - n1(n1+1)/2
  double z = 0;            // of max(U1, U2), continuity-corrected; >= 0 unless |U-mu| < 0.5
  double p_value = 1;      // two-sided, in [0, 1]; 1 when every value is tied
  UTestMethod method = UTestMethod::kAsymptotic;  // the one p_value comes from: never kAuto
  size_t n1 = 0, n2 = 0;
  bool reliable() const { return performed && n1 >= kUTestOptimalRepetitions && n2 >= kUTestOptimalRepetitions; }
};

// `continuity` applies to the asymptotic method only. kExact, like SciPy's
// method="exact", ignores ties. The exact method falls back to the asymptotic
// one on sizes whose count of orderings overflows 64 bits (a sample of more
// than ~1000 values next to one of 8) or whose n1 * n2 exceeds kUTestExactMaxProduct;
// `method` in the result says which ran.
UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b, bool continuity = true,
                     UTestMethod method = UTestMethod::kAuto);

// P(U >= floor(u)) under the null hypothesis for samples of sizes n1 and n2
// without ties, by counting orderings; nullopt when their number,
// C(n1+n2, n1), does not fit in 64 bits or n1 * n2 exceeds kUTestExactMaxProduct.
std::optional<double> u_exact_sf(double u, size_t n1, size_t n2);

// Midranks (1-based) of `values`; ties get the mean of the ranks they span.
std::vector<double> mid_ranks(const std::vector<double>& values);

// Upper tail of the standard normal distribution: P(Z > z).
double normal_sf(double z);

}  // namespace vmxb::stats
