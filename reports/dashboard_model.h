// What the dashboard shows, before any HTML: the history's points grouped by
// host and by where they ran (a backend for the ring-0 rows, "user space" for
// the rows bench times in its own process), one series per benchmark, the
// regressions between consecutive points, flat series, and chart families.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "reports/history.h"
#include "reports/series.h"

namespace vmxb::reports {

// Where user-space rows are filed: they are the host's real nanoseconds,
// whichever backend ran the report's ring-0 rows.
inline constexpr const char* kUserSpaceWhere = "user space";

// A series is flat when all its points are measured and their medians differ
// by at most this fraction of the largest (Bochs' instruction counts are
// constant; hardware noise is well above it). A series of one run is flat:
// there is no trend to draw, and the summary and the flat line show its value.
inline constexpr double kFlatTolerance = 0.001;

struct DashboardPoint {
  const HistoryPoint* point = nullptr;
  RowOutcome outcome;
  bool regression = false;  // significantly slower than the previous measured point
};

struct DashboardSeries {
  std::string benchmark, unit_label;
  std::vector<DashboardPoint> points;  // by time
  bool flat = false;
  bool never_measured = false;  // every point unsupported or failed
  const DashboardPoint& latest() const { return points.back(); }
};

struct DashboardGroup {
  std::string host_id, host_name;
  std::string where;      // backend label ("module", "bochs (corei7_skylake_x)") or kUserSpaceWhere
  std::string backend_label, tick_unit;  // of the ring-0 rows; "" for user space
  bool user_space = false, emulated = false;
  std::map<std::string, DashboardSeries> series;  // by benchmark
  // Chart families (chart_family()) of the series worth a chart: not flat, measured at least once.
  std::map<std::string, std::vector<const DashboardSeries*>> charts;
  std::vector<const DashboardSeries*> flat, never_measured;
  const DashboardSeries* find(const std::string& benchmark) const;
};

struct DashboardRegression {
  std::string host_name, host_id, backend, benchmark, unit_label, from_timestamp, to_timestamp;
  double from_median = 0, to_median = 0, change = 0, p_value = 1;
  bool latest = false;  // the newest point of its series
};

// Groups hold pointers into their own series, and series into `points`: use
// the model where it was built (moving is fine, copying is not), while the
// points live.
struct DashboardModel {
  std::vector<DashboardGroup> groups;  // by host name, host id, user space first, then backend
  std::vector<DashboardRegression> regressions;  // latest first, then newest first
};

// The chart a benchmark is drawn in, with its relatives on one scale:
// "ring0/invept" (single-context and global), "ring0/invvpid", "ring0/nop",
// "ring0/invept live" (the live-invalidation rows, every page count),
// "userspace_capture". The first path part plus the second up to its first '_'.
std::string chart_family(const std::string& benchmark);

// The series' unit as people read it ("cycles (median per repetition)", "ns
// (real time)", "instruction counts (emulated)").
std::string point_unit_label(const HistoryPoint& p);

DashboardModel build_dashboard_model(const std::vector<HistoryPoint>& points, double alpha, double threshold);

}  // namespace vmxb::reports
