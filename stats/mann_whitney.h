// Statistics for comparing benchmark runs: the Mann-Whitney U test as Google
// Benchmark's tools/compare.py uses it (two-sided), here with the normal
// approximation, tie correction and continuity correction (SciPy's
// mannwhitneyu(method="asymptotic")).
#pragma once

#include <cstddef>
#include <vector>

namespace vmxb::stats {

// compare.py's constants: the U test runs from 2 repetitions per side and is
// called unreliable below 9.
inline constexpr size_t kUTestMinRepetitions = 2;
inline constexpr size_t kUTestOptimalRepetitions = 9;

struct UTest {
  bool performed = false;  // false: a side has fewer than kUTestMinRepetitions samples
  double u1 = 0;           // U of the first sample: R1 - n1(n1+1)/2
  double z = 0;            // of max(U1, U2), continuity-corrected; >= 0 unless |U-mu| < 0.5
  double p_value = 1;      // two-sided, in [0, 1]; 1 when every value is tied
  size_t n1 = 0, n2 = 0;
  bool reliable() const { return performed && n1 >= kUTestOptimalRepetitions && n2 >= kUTestOptimalRepetitions; }
};

UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b, bool continuity = true);

// Midranks (1-based) of `values`; ties get the mean of the ranks they span.
std::vector<double> mid_ranks(const std::vector<double>& values);

// Upper tail of the standard normal distribution: P(Z > z).
double normal_sf(double z);

}  // namespace vmxb::stats
