#include "stats/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace vmxb::stats {

double normal_sf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

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

UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b, bool continuity) {
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
  const double var = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)));
  if (!(var > 0)) {  // every value equal: no evidence of a difference
    r.z = 0;
    r.p_value = 1;
    return r;
  }
  const double u = std::max(r.u1, u2);
  r.z = (u - mu - (continuity ? 0.5 : 0.0)) / std::sqrt(var);
  r.p_value = std::clamp(2 * normal_sf(r.z), 0.0, 1.0);
  return r;
}

}  // namespace vmxb::stats
