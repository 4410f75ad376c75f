#include "stats/descriptive.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace vmxb::stats {

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

double mean(const std::vector<double>& v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double sample_stddev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

double geometric_mean(const std::vector<double>& v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (double x : v) {
    if (!(x > 0)) return std::numeric_limits<double>::quiet_NaN();
    s += std::log(x);
  }
  return std::exp(s / static_cast<double>(v.size()));
}

double nearest_rank(const std::vector<double>& sorted, double p) {
  const size_t n = sorted.size();
  const size_t r = static_cast<size_t>(std::ceil(p * static_cast<double>(n)));
  return sorted[std::min(n - 1, r == 0 ? 0 : r - 1)];
}

SampleSummary summarize(const std::vector<uint64_t>& samples) {
  SampleSummary s;
  if (samples.empty()) return s;
  // Sorted first, so that mean and stddev add in ascending order whoever calls.
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  s.count = sorted.size();
  s.min = sorted.front();
  s.median = median(sorted);
  s.p99 = nearest_rank(sorted, 0.99);
  s.mean = mean(sorted);
  s.stddev = sample_stddev(sorted);
  return s;
}

std::vector<uint64_t> subtract_overhead(const std::vector<uint64_t>& raw, uint64_t overhead) {
  std::vector<uint64_t> net;
  net.reserve(raw.size());
  for (uint64_t v : raw) net.push_back(v > overhead ? v - overhead : 0);
  return net;
}

}  // namespace vmxb::stats
