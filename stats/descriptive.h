// Descriptive statistics: median, mean, sample standard deviation, geometric
// mean, nearest-rank quantiles, and the summary //bench prints for the timing
// samples (ticks) of one operation, net of the timing overhead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vmxb::stats {

double median(std::vector<double> v);  // NaN for an empty vector
double mean(const std::vector<double>& v);  // NaN for an empty vector
double sample_stddev(const std::vector<double>& v);  // n-1 denominator; 0 for n < 2
// exp(mean(log x)); NaN if empty or any value <= 0.
double geometric_mean(const std::vector<double>& v);

// Nearest rank: the smallest value with at least a fraction p of all values
// at or below it. `sorted` is in ascending order and not empty; p in [0, 1].
double nearest_rank(const std::vector<double>& sorted, double p);

struct SampleSummary {
  uint64_t count = 0;
  double min = 0, median = 0, p99 = 0, mean = 0, stddev = 0;
};

// All zero for no samples; p99 by nearest rank, stddev with n-1.
SampleSummary summarize(const std::vector<uint64_t>& samples);

// Net cost per sample: raw - overhead, clamped at zero (a sample can be below
// the median overhead on real hardware; it never costs less than nothing).
std::vector<uint64_t> subtract_overhead(const std::vector<uint64_t>& raw, uint64_t overhead);

}  // namespace vmxb::stats
