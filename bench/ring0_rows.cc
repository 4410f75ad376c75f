#include "bench/ring0_rows.h"

#include <algorithm>
#include <regex>

#include "core/operations.h"
#include "core/run_operation.h"

namespace vmxb::bench {
namespace {

constexpr const char* kOverheadOp = core::operation_info(core::OpId::kEmpty).name;
// What Google Benchmark appends to every ring-0 row (Iterations(1), UseManualTime()).
constexpr const char* kNameSuffix = "/iterations:1/manual_time";

}  // namespace

std::string Ring0Row::name() const {
  return "ring0/" + op + (pages != 0 ? "/pages:" + std::to_string(pages) : "");
}

bool is_touch_op(const std::string& op) {
  const core::OperationInfo* info = core::find_operation(op.c_str());
  return info != nullptr && (info->needs & core::kWritesTouchSeries) != 0;
}

uint32_t max_touch_pages() { return core::guest::kMaxTouchPages; }

std::optional<std::vector<uint32_t>> parse_touch_pages(const std::string& text, std::string* error) {
  const std::string why = "--vmxbench_pages must be page counts 1.." + std::to_string(max_touch_pages()) +
                          " separated by commas, each once";
  std::vector<uint32_t> pages;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const bool digits = !item.empty() && item.size() <= 9 && std::all_of(item.begin(), item.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    const unsigned long n = digits ? std::stoul(item) : 0;
    if (n == 0 || n > max_touch_pages()) {
      *error = why + " (got '" + item + "' in '" + text + "')";
      return std::nullopt;
    }
    if (std::find(pages.begin(), pages.end(), n) != pages.end()) {
      *error = why + " (" + item + " appears twice in '" + text + "')";
      return std::nullopt;
    }
    pages.push_back(static_cast<uint32_t>(n));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return pages;
}

std::vector<Ring0Row> ring0_rows_matching(const std::string& filter, const std::vector<uint32_t>& touch_pages) {
  // Google Benchmark's filter: a regex, "all" or empty for everything, and a
  // leading '-' for "everything except".
  const bool negate = !filter.empty() && filter[0] == '-';
  const std::string pattern = negate ? filter.substr(1) : filter;
  const bool all = pattern.empty() || pattern == "all" || pattern == ".";
  std::regex re;
  if (!all) re = std::regex(pattern);
  std::vector<Ring0Row> rows;
  const auto consider = [&](Ring0Row row) {
    const bool match = all || std::regex_search(row.name() + kNameSuffix, re);
    if (match != negate) rows.push_back(std::move(row));
  };
  for (const auto& info : core::kOperations) {
    if (streq(info.name, kOverheadOp)) continue;
    if ((info.needs & core::kWritesTouchSeries) == 0) {
      consider({info.name, 0});
      continue;
    }
    for (const uint32_t pages : touch_pages) consider({info.name, pages});
  }
  return rows;
}

}  // namespace vmxb::bench
