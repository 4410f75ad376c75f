// Which ring-0 rows //bench shows: one per operation of the core's table,
// and one per page count for the rows that touch guest pages before their
// flush (core::kWritesTouchSeries): "ring0/<op>" and "ring0/<op>/pages:<N>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmxb::bench {

struct Ring0Row {
  std::string op;      // a name from core/operations.h
  uint32_t pages = 0;  // touch rows: guest pages touched; 0 for every other row

  std::string name() const;  // the benchmark's name without Google Benchmark's suffix
  bool operator==(const Ring0Row&) const = default;
};

// The page counts shown by default: one page (the flush alone), a working set
// that fits the L1 DTLB of current cores, and the most the core allows.
inline const std::vector<uint32_t> kDefaultTouchPages = {1, 64, 512};

// Whether `op` is a touch row (its name is from core/operations.h).
bool is_touch_op(const std::string& op);

// The largest page count the core accepts (core/guest/guest_run.h).
uint32_t max_touch_pages();

// "--vmxbench_pages" text: page counts separated by commas, each
// 1..max_touch_pages(), no repeats. nullopt with *error (one line) otherwise.
std::optional<std::vector<uint32_t>> parse_touch_pages(const std::string& text, std::string* error);

// The rows whose benchmark names pass Google Benchmark's filter, in table
// order (touch rows once per entry of `touch_pages`). The empty body is the
// overhead, not a row of its own.
std::vector<Ring0Row> ring0_rows_matching(const std::string& filter, const std::vector<uint32_t>& touch_pages);

}  // namespace vmxb::bench
