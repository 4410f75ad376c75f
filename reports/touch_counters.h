// The live-invalidation rows of //bench (ring0/<op>/pages:<N>, core rows
// marked kWritesTouchSeries): besides their own time (the host-side flush,
// ticks_median) they carry the guest-side re-touch times as counters
// (bench/ring0_benchmarks.cc). compare and the dashboard show them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmxb::reports {

// What every live-invalidation row's name holds, "ring0/<op>_live/pages:<N>"
// (the history's SQL finds the reports with live rows by it).
inline constexpr const char kLiveRowNameInfix[] = "_live/pages:";

// The counters, in the order they are shown; all in the backend's tick unit.
// warm: A's re-touch after a no-op exit; refill: A's re-touch after the
// flush; collateral: B's re-touch after the flush; the penalties are
// refill - warm and collateral - warm.
inline const std::vector<std::string> kTouchCounterNames = {"warm", "refill", "collateral", "refill_penalty",
                                                            "collateral_penalty"};

struct TouchCounters {
  std::string name;     // canonical benchmark name, "ring0/invept_global_live/pages:64"
  std::string family;   // the name without its page count, "ring0/invept_global_live"
  int pages = 0;
  double flush = 0;     // median over the repetitions of the row's metric (ticks_median, else cycles_median)
  std::map<std::string, double> medians;  // kTouchCounterNames -> median over the repetitions
  size_t repetitions = 0;
};

// Every row of the report that carries the "refill" counter, by canonical
// name (reports/series.h). Iteration rows only; a run with only aggregates
// contributes its median aggregate. Error rows are left out.
std::map<std::string, TouchCounters> touch_counters(const nlohmann::json& report);

}  // namespace vmxb::reports
