// `reports dashboard`: one HTML file that needs no network. It opens with a
// summary table per host and backend (INVEPT single-context vs global, with
// live guests, the VM-exit round trip, regressions; unsupported operations
// show their reason), then the regressions, then interactive charts (Debian's
// dygraphs, inlined: values on hover, zoom, a filter by host, backend and
// benchmark, series toggles) with flat series collapsed into one line, and
// each host's capability summary from the diag part, folded.
#pragma once

#include <string>
#include <vector>

#include "reports/dashboard_model.h"
#include "reports/dashboard_query.h"
#include "reports/history.h"

namespace vmxb::reports {

struct DashboardOptions {
  double threshold = 0.05;  // a point is a regression if significantly slower than the previous by more
  double alpha = 0.05;
  std::string title = "vmxbench benchmark history";
  std::string source;        // shown in the header (database, redacted)
  std::string generated_at;  // ISO-8601; empty: now
  // Turns a run's revision (reports/revision.h) into a link: every
  // "{revision}" is replaced by the label, URL-encoded, e.g.
  // "https://git.example.org/vmxbench/commit/{revision}". Empty: no links.
  std::string revision_url;
};

struct DashboardSummary {
  int hosts = 0;
  int groups = 0;  // sections: a host's user-space rows, or its ring-0 rows under one backend
  int plots = 0;   // charts
  int invept_pairs = 0;           // groups with INVEPT single-context and global
  int live_views = 0;             // single-vs-global live-invalidation views (touch_view.h)
  int flat_series = 0;            // collapsed into a "flat series" line instead of a chart
  int never_measured_series = 0;  // unsupported or failed in every run: listed with the reason
  int64_t folded_runs = 0;        // runs shown only inside folded points (DashboardInput)
  std::vector<DashboardRegression> regressions;
};

// What the history holds for the page, bounded by what it shows (reports/dashboard_query.h).
std::string render_dashboard(const DashboardInput& input, const DashboardOptions& options,
                             DashboardSummary* summary = nullptr);
// Everything in memory, nothing folded (tests).
std::string render_dashboard(const std::vector<HistoryPoint>& points, const std::vector<HistoryReport>& reports,
                            const DashboardOptions& options, DashboardSummary* summary = nullptr);

}  // namespace vmxb::reports
