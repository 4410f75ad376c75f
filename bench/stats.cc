#include "bench/stats.h"

#include <algorithm>
#include <cmath>

namespace vmxb::bench {

SampleSummary summarize(std::vector<uint64_t> samples) {
  SampleSummary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  // Nearest rank: the smallest sample with at least p of all samples at or below it.
  const auto rank = [&](double p) {
    const size_t r = static_cast<size_t>(std::ceil(p * static_cast<double>(n)));
    return samples[std::min(n - 1, r == 0 ? 0 : r - 1)];
  };
  s.count = n;
  s.min = static_cast<double>(samples.front());
  s.median = n % 2 == 1 ? static_cast<double>(samples[n / 2])
                        : (static_cast<double>(samples[n / 2 - 1]) + static_cast<double>(samples[n / 2])) / 2.0;
  s.p99 = static_cast<double>(rank(0.99));
  double sum = 0;
  for (uint64_t v : samples) sum += static_cast<double>(v);
  s.mean = sum / static_cast<double>(n);
  double sq = 0;
  for (uint64_t v : samples) sq += (static_cast<double>(v) - s.mean) * (static_cast<double>(v) - s.mean);
  s.stddev = n > 1 ? std::sqrt(sq / static_cast<double>(n - 1)) : 0.0;
  return s;
}

std::vector<uint64_t> subtract_overhead(const std::vector<uint64_t>& raw, uint64_t overhead) {
  std::vector<uint64_t> net;
  net.reserve(raw.size());
  for (uint64_t v : raw) net.push_back(v > overhead ? v - overhead : 0);
  return net;
}

}  // namespace vmxb::bench
