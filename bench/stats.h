// Summary statistics of timing samples (ticks), net of the timing overhead.
#pragma once

#include <cstdint>
#include <vector>

namespace vmxb::bench {

struct SampleSummary {
  uint64_t count = 0;
  double min = 0, median = 0, p99 = 0, mean = 0, stddev = 0;
};

// Order statistics use the nearest-rank method on the sorted samples.
SampleSummary summarize(std::vector<uint64_t> samples);

// Net cost per sample: raw - overhead, clamped at zero (a sample can be below
// the median overhead on real hardware; it never costs less than nothing).
std::vector<uint64_t> subtract_overhead(const std::vector<uint64_t>& raw, uint64_t overhead);

}  // namespace vmxb::bench
