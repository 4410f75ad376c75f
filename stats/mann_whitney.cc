#include "stats/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

namespace vmxb::stats {

double normal_sf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

const char* u_test_method_name(UTestMethod m) {
  switch (m) {
    case UTestMethod::kAuto: return "auto";
    case UTestMethod::kExact: return "exact";
    case UTestMethod::kAsymptotic: return "asymptotic";
  }
  return "?";
}

namespace {

// C(n1 + n2, n1), or nullopt when it does not fit in 64 bits or n1 * n2 is
// beyond kUTestExactMaxProduct.
std::optional<uint64_t> orderings(size_t n1, size_t n2) {
  const size_t m = std::min(n1, n2), n = std::max(n1, n2);
  if (m != 0 && n > kUTestExactMaxProduct / m) return std::nullopt;
  unsigned __int128 c = 1;
  for (size_t i = 1; i <= m; ++i) {
    c = c * (n + i) / i;  // exact: C(n+i, i) = C(n+i-1, i-1) * (n+i) / i
    if (c > std::numeric_limits<uint64_t>::max()) return std::nullopt;
  }
  return static_cast<uint64_t>(c);
}

}  // namespace

std::optional<double> u_exact_sf(double u, size_t n1, size_t n2) {
  const std::optional<uint64_t> total = orderings(n1, n2);
  if (!total) return std::nullopt;
  // The number of orderings with U = k is the coefficient of q^k in the
  // Gaussian binomial [n1+n2 choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i)
  // (Mann & Whitney 1947's recurrence, summed up). Products and series
  // divisions are ring operations, so uint64_t arithmetic modulo 2^64 is
  // exact for the final coefficients, which are all <= total < 2^64.
  const size_t m = std::min(n1, n2), n = std::max(n1, n2), top = m * n;
  std::vector<uint64_t> count(top + 1, 0);
  count[0] = 1;
  for (size_t i = 1; i <= m; ++i) {
    for (size_t k = top; k >= n + i; --k) count[k] -= count[k - n - i];  // * (1 - q^(n+i))
    for (size_t k = i; k <= top; ++k) count[k] += count[k - i];          // / (1 - q^i)
  }
  // SciPy truncates a tied (half-integer) U to an integer: U.astype(int).
  const double from = std::floor(u);
  if (from <= 0) return 1.0;
  uint64_t upper = 0;
  for (size_t k = static_cast<size_t>(from); k <= top; ++k) upper += count[k];
  return static_cast<double>(upper) / static_cast<double>(*total);
}

std::vector<double> mid_ranks(const std::vector<double>& values) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return values[x] < values[y]; });
  std::vector<double> ranks(n);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b, bool continuity,
                     UTestMethod method) {
  UTest r;
  r.n1 = a.size();
  r.n2 = b.size();
  if (r.n1 < kUTestMinRepetitions || r.n2 < kUTestMinRepetitions) return r;
  r.performed = true;
  std::vector<double> all(a);
  all.insert(all.end(), b.begin(), b.end());
  const std::vector<double> ranks = mid_ranks(all);
  const double n1 = static_cast<double>(r.n1), n2 = static_cast<double>(r.n2), n = n1 + n2;
  double r1 = 0;
  for (size_t i = 0; i < r.n1; ++i) r1 += ranks[i];
  r.u1 = r1 - n1 * (n1 + 1) / 2;
  const double u2 = n1 * n2 - r.u1;
  const double mu = n1 * n2 / 2;

  // Tie correction: sum over groups of equal values of t^3 - t.
  std::vector<double> sorted(all);
  std::sort(sorted.begin(), sorted.end());
  double ties = 0;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const double t = static_cast<double>(j - i);
    ties += t * t * t - t;
    i = j;
  }
  const double u = std::max(r.u1, u2);
  const double var = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)));
  r.z = var > 0 ? (u - mu - (continuity ? 0.5 : 0.0)) / std::sqrt(var) : 0;

  const bool small_without_ties = std::min(r.n1, r.n2) <= kUTestExactMaxSize && ties == 0;
  if (method == UTestMethod::kExact || (method == UTestMethod::kAuto && small_without_ties)) {
    if (const std::optional<double> sf = u_exact_sf(u, r.n1, r.n2)) {
      r.method = UTestMethod::kExact;
      r.p_value = std::clamp(2 * *sf, 0.0, 1.0);  // SciPy: two-sided = 2 * P(U >= max(U1, U2))
      return r;
    }
  }
  r.method = UTestMethod::kAsymptotic;
  // Every value equal (var == 0): no evidence of a difference.
  r.p_value = var > 0 ? std::clamp(2 * normal_sf(r.z), 0.0, 1.0) : 1.0;
  return r;
}

}  // namespace vmxb::stats
