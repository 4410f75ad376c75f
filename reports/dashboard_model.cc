#include "reports/dashboard_model.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "reports/report.h"
#include "stats/mann_whitney.h"

namespace vmxb::reports {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string where_of(const HistoryPoint& p) {
  if (!runs_in_backend(p.benchmark)) return kUserSpaceWhere;
  return backend_label(p.backend, p.backend_detail);
}

bool is_flat(const DashboardSeries& s) {
  double lo = INFINITY, hi = -INFINITY;
  for (const DashboardPoint& p : s.points) {
    if (p.outcome.kind != RowOutcome::Kind::kMeasured) return false;
    lo = std::min(lo, p.point->median);
    hi = std::max(hi, p.point->median);
  }
  return hi - lo <= kFlatTolerance * std::max(std::fabs(hi), std::fabs(lo));
}

// Each measured point against the measured point before it.
void flag_regressions(DashboardGroup& g, DashboardSeries& s, double alpha, double threshold,
                      std::vector<DashboardRegression>& out) {
  const DashboardPoint* before = nullptr;
  for (size_t i = 0; i < s.points.size(); ++i) {
    DashboardPoint& now = s.points[i];
    if (now.outcome.kind != RowOutcome::Kind::kMeasured) continue;
    if (before != nullptr && before->point->median > 0) {
      const HistoryPoint &a = *before->point, &b = *now.point;
      const stats::UTest t = stats::mann_whitney_u(a.samples, b.samples);
      const double change = b.median / a.median - 1;
      if (t.performed && t.p_value < alpha && change > threshold) {
        now.regression = true;
        out.push_back({g.host_name, g.host_id, g.where, s.benchmark, s.unit_label, a.timestamp, b.timestamp, a.median,
                       b.median, change, t.p_value, i + 1 == s.points.size()});
      }
    }
    before = &now;
  }
}

}  // namespace

const DashboardSeries* DashboardGroup::find(const std::string& benchmark) const {
  const auto it = series.find(benchmark);
  return it == series.end() ? nullptr : &it->second;
}

std::string chart_family(const std::string& benchmark) {
  const size_t slash = benchmark.find('/');
  if (slash == std::string::npos) return benchmark;
  const size_t end = benchmark.find('/', slash + 1);
  const std::string op = benchmark.substr(slash + 1, end == std::string::npos ? std::string::npos : end - slash - 1);
  const std::string family = benchmark.substr(0, slash);
  if (family != "ring0") return family;
  return family + "/" + op.substr(0, op.find('_')) + (ends_with(op, "_live") ? " live" : "");
}

std::string point_unit_label(const HistoryPoint& p) {
  Series s;
  s.unit = p.unit;
  s.metric = p.metric;
  s.emulated = p.emulated && runs_in_backend(p.benchmark);
  const std::string label = unit_label(s);
  if (label == "cycles" && (p.metric == "cycles_median" || p.metric == "ticks_median"))
    return "cycles (median per repetition)";
  if (label == "ns" && p.metric == "real_time") return "ns (real time)";
  if (label == "ns" && p.metric == "cpu_time") return "ns (CPU time)";
  return label;
}

DashboardModel build_dashboard_model(const std::vector<HistoryPoint>& points, double alpha, double threshold) {
  // Ordered by host name, host id, then the host's user-space rows before its backends.
  using Key = std::tuple<std::string, std::string, int, std::string, std::string>;
  std::map<Key, DashboardGroup> groups;
  for (const HistoryPoint& p : points) {
    const bool user_space = !runs_in_backend(p.benchmark);
    const std::string tick_unit = user_space ? "" : p.tick_unit;
    DashboardGroup& g = groups[Key{p.host_name, p.host_id, user_space ? 0 : 1, where_of(p), tick_unit}];
    g.host_id = p.host_id;
    g.host_name = p.host_name;
    g.where = where_of(p);
    g.user_space = user_space;
    g.emulated = !user_space && p.emulated;
    if (!user_space) {
      g.backend_label = g.where;
      g.tick_unit = p.tick_unit;
    }
    DashboardSeries& s = g.series[p.benchmark];
    s.benchmark = p.benchmark;
    s.points.push_back({&p, row_outcome(p.error), false});
  }

  DashboardModel model;
  for (auto& [key, g] : groups) {
    for (auto& [name, s] : g.series) {
      std::stable_sort(s.points.begin(), s.points.end(), [](const DashboardPoint& a, const DashboardPoint& b) {
        return a.point->timestamp < b.point->timestamp;
      });
      // The unit of the measured points (an error row has no counters, so it
      // reads as real_time): the latest measured one, else the latest.
      const HistoryPoint* labelled = s.points.back().point;
      for (const DashboardPoint& p : s.points)
        if (p.outcome.kind == RowOutcome::Kind::kMeasured) labelled = p.point;
      s.unit_label = point_unit_label(*labelled);
      flag_regressions(g, s, alpha, threshold, model.regressions);
      s.flat = is_flat(s);
      s.never_measured = std::none_of(s.points.begin(), s.points.end(), [](const DashboardPoint& p) {
        return p.outcome.kind == RowOutcome::Kind::kMeasured;
      });
    }
    model.groups.push_back(std::move(g));
  }
  for (DashboardGroup& g : model.groups) {
    for (const auto& [name, s] : g.series) {
      if (s.flat)
        g.flat.push_back(&s);
      else if (s.never_measured)
        g.never_measured.push_back(&s);
      else
        g.charts[chart_family(name)].push_back(&s);
    }
  }
  std::sort(model.regressions.begin(), model.regressions.end(),
            [](const DashboardRegression& a, const DashboardRegression& b) {
              if (a.latest != b.latest) return a.latest;
              return a.to_timestamp > b.to_timestamp;
            });
  return model;
}

}  // namespace vmxb::reports
