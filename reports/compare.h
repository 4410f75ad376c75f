// `reports compare OLD NEW`: per-benchmark change, Mann-Whitney U test over
// the repetitions, significance flags, the geometric mean of the ratios, and
// the verdict CI gates on.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diag/capability_diff.h"
#include "reports/series.h"
#include "reports/touch_counters.h"
#include "stats/mann_whitney.h"

namespace vmxb::reports {

struct CompareOptions {
  double alpha = 0.05;      // significance level of the U test
  double threshold = 0.05;  // a significant slowdown above this fraction is a regression
  std::string metric = "auto";
};

// Whether two reports may be compared: not emulated against hardware, not
// different CPU models (vendor/family/model, or Bochs model when emulated).
struct Compatibility {
  bool ok = true;
  std::vector<std::string> reasons;  // why not (each one line)
  std::vector<std::string> notes;    // differences worth knowing that do not block
};
Compatibility check_compatible(const nlohmann::json& old_report, const nlohmann::json& new_report);

enum class Verdict {
  kRegression,          // significant and slower by more than the threshold
  kImprovement,         // significant and faster by more than the threshold
  kWithinThreshold,     // significant, |change| <= threshold
  kNoSignificantChange, // U test done, p >= alpha
  kTooFewRepetitions,   // U test impossible (fewer than 2 repetitions a side, or aggregates only)
  kOnlyOld,             // vanished: OLD measured it, NEW does not have it
  kOnlyNew,
  kLostInNew,           // OLD measured it, NEW reports it unsupported or failed
  kError,               // OLD reported an error (NEW may have too)
};
const char* verdict_name(Verdict v);

struct CompareRow {
  std::string name, metric, unit_label;
  std::optional<Series> old_series, new_series;
  double old_median = 0, new_median = 0;
  double change = 0;  // new/old - 1 (0 when undefined)
  bool change_defined = false;
  stats::UTest utest;
  bool significant = false;
  Verdict verdict = Verdict::kNoSignificantChange;
  std::string note;  // e.g. why no U test, or "unreliable: 9+ repetitions recommended"
  // Live-invalidation rows: warm, refill, collateral and the penalties of each side.
  std::optional<TouchCounters> old_touch, new_touch;
};

struct Comparison {
  std::vector<CompareRow> rows;
  double geomean_ratio = 0;  // geometric mean of new/old over the benchmarks in both; 0 if none
  size_t geomean_count = 0;
  size_t regressions = 0, improvements = 0, untested = 0;
  // Benchmarks OLD measured that NEW lost (kOnlyOld, kLostInNew): a row that
  // disappears or turns unsupported is a change, not "0 regressions".
  size_t lost = 0;
  // Every VMX capability item that differs between the reports' diag parts
  // (diag/capability_diff.h); empty when either has none.
  std::vector<diag::CapabilityChange> capability_changes;
  bool capabilities_compared = false;  // both reports had capability MSRs
  CompareOptions options;
};

Comparison compare(const nlohmann::json& old_report, const nlohmann::json& new_report,
                   const CompareOptions& options = {});

std::string format_comparison_text(const Comparison& c);
nlohmann::json comparison_json(const Comparison& c);

}  // namespace vmxb::reports
