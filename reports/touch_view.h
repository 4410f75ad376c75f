// The dashboard's live-invalidation view: for one host and backend, the
// single-context flush next to the global one per page count, with what each
// cost the guests afterwards (refill: the flushed context's re-touch;
// collateral: the other context's), from the latest report that has them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace vmxb::reports {

struct LiveViewStats {
  int views = 0;        // sections written
  int page_counts = 0;  // table rows over all views
};

// HTML for every single-vs-global pair (INVEPT, INVVPID) that `report` has
// rows for; "" when it has none. `unit` labels the values (series.h's
// unit_label), `timestamp` says which report they come from.
std::string render_live_invalidation_views(const nlohmann::json& report, const std::string& timestamp,
                                           const std::string& unit, LiveViewStats* stats = nullptr);

}  // namespace vmxb::reports
