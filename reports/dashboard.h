// `reports dashboard`: one static HTML file, no scripts and no network when
// viewed. Inline SVG trend plots per benchmark and host/backend, INVEPT
// single-context vs global side by side (and, from the latest report, per page
// count with their refill and collateral cost), regressions highlighted, and each
// host's capability summary from the diag part of its latest report.
#pragma once

#include <string>
#include <vector>

#include "reports/history.h"

namespace vmxb::reports {

struct DashboardOptions {
  double threshold = 0.05;  // a point is a regression if significantly slower than the previous by more
  double alpha = 0.05;
  std::string title = "vmxbench benchmark history";
  std::string source;        // shown in the header (database, redacted)
  std::string generated_at;  // ISO-8601; empty: now
};

struct DashboardRegression {
  std::string host_name, host_id, backend, benchmark, unit_label, from_timestamp, to_timestamp;
  double from_median = 0, to_median = 0, change = 0, p_value = 1;
  bool latest = false;  // the newest point of its series
};

struct DashboardSummary {
  int hosts = 0, groups = 0, plots = 0, invept_pairs = 0;
  int live_views = 0;  // single-vs-global live-invalidation views (touch_view.h)
  std::vector<DashboardRegression> regressions;
};

std::string render_dashboard(const std::vector<HistoryPoint>& points, const std::vector<HistoryReport>& reports,
                            const DashboardOptions& options, DashboardSummary* summary = nullptr);

}  // namespace vmxb::reports
