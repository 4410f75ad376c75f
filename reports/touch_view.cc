#include "reports/touch_view.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "reports/html.h"
#include "reports/text_format.h"
#include "reports/touch_counters.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

// One view per pair of row families (//bench's ring0/<op>/pages:<N>).
struct LivePair {
  const char* id;
  const char* title;
  const char* single;  // flushes the touched context only
  const char* global;  // flushes every context
  const char* global_label;
};
constexpr LivePair kLivePairs[] = {
    {"invept_live", "INVEPT with live translations: single-context vs global", "ring0/invept_single_context_live",
     "ring0/invept_global_live", "global"},
    {"invvpid_live", "INVVPID with live translations: single-context vs all-context",
     "ring0/invvpid_single_context_live", "ring0/invvpid_all_context_live", "all-context"},
};

// What is shown per flush: the series and how it is read.
struct Column {
  const char* label;
  const char* counter;  // "" = the row's own time (the flush)
};
constexpr Column kColumns[] = {
    {"Flush", ""},
    {"Refill", "refill"},
    {"Refill penalty", "refill_penalty"},
    {"Collateral", "collateral"},
    {"Collateral penalty", "collateral_penalty"},
};
// The bars: the three series the issue compares side by side.
constexpr Column kBars[] = {{"flush", ""}, {"refill", "refill"}, {"collateral", "collateral"}};

const TouchCounters* find_pages(const std::map<std::string, TouchCounters>& all, const std::string& family,
                                int pages) {
  for (const auto& [name, c] : all)
    if (c.family == family && c.pages == pages) return &c;
  return nullptr;
}

std::optional<double> value_of(const TouchCounters* c, const char* counter) {
  if (c == nullptr) return std::nullopt;
  if (*counter == '\0') return c->flush;
  const auto it = c->medians.find(counter);
  if (it == c->medians.end()) return std::nullopt;
  return it->second;
}

std::string cell(std::optional<double> v) { return "<td class=\"num\">" + (v ? num(*v) : std::string("-")) + "</td>"; }

// Grouped bars for one page count: flush, refill and collateral, each as
// single-context next to global, on one scale.
std::string bars_svg(const LivePair& pair, int pages, const TouchCounters* single, const TouchCounters* global,
                     const std::string& unit) {
  constexpr int kWidth = 300, kHeight = 150, kTop = 22, kBottom = 20, kLeft = 8, kBarWidth = 30, kGroupGap = 28;
  double top = 0;
  for (const Column& b : kBars)
    for (const TouchCounters* c : {single, global}) top = std::max(top, value_of(c, b.counter).value_or(0));
  if (!(top > 0)) top = 1;
  std::ostringstream o;
  o << "<svg class=\"live-bars\" width=\"" << kWidth << "\" height=\"" << kHeight << "\" viewBox=\"0 0 " << kWidth
    << " " << kHeight << "\" role=\"img\" aria-label=\"" << html_escape(pair.title) << ", " << pages
    << " pages\"><text class=\"ptitle\" x=\"" << kLeft << "\" y=\"14\">" << pages << " page" << (pages == 1 ? "" : "s")
    << "</text>";
  const int plot_height = kHeight - kTop - kBottom;
  int x = kLeft;
  for (const Column& b : kBars) {
    int k = 0;
    for (const TouchCounters* c : {single, global}) {
      const std::optional<double> v = value_of(c, b.counter);
      const int h = v ? static_cast<int>(plot_height * std::max(0.0, *v) / top + 0.5) : 0;
      const char* who = k == 0 ? "single-context" : pair.global_label;
      o << "<rect class=\"bar " << (k == 0 ? "single" : "global") << "\" x=\"" << x << "\" y=\""
        << kTop + plot_height - h << "\" width=\"" << kBarWidth - 2 << "\" height=\"" << h << "\"><title>" << who
        << " " << b.label << ": " << (v ? num(*v) : std::string("not measured")) << " " << html_escape(unit)
        << "</title></rect>";
      x += kBarWidth;
      ++k;
    }
    o << "<text x=\"" << x - kBarWidth << "\" y=\"" << kHeight - 6 << "\" text-anchor=\"middle\">" << b.label
      << "</text>";
    x += kGroupGap;
  }
  o << "</svg>";
  return o.str();
}

}  // namespace

std::string render_live_invalidation_views(const json& report, const std::string& timestamp, const std::string& unit,
                                           LiveViewStats* stats) {
  const std::map<std::string, TouchCounters> all = touch_counters(report);
  if (all.empty()) return "";
  const bool emulated = report["backend"]["emulated"].get<bool>();
  std::ostringstream o;
  LiveViewStats s;
  for (const LivePair& pair : kLivePairs) {
    std::set<int> pages;
    for (const auto& [name, c] : all)
      if (c.family == pair.single || c.family == pair.global) pages.insert(c.pages);
    if (pages.empty()) continue;
    ++s.views;
    o << "<div class=\"pair live\" data-view=\"" << pair.id << "\"><p><b>" << html_escape(pair.title)
      << "</b>, per page count (report of " << html_escape(timestamp) << ", " << html_escape(unit)
      << ", medians). Flush: the host's invalidation right after guest A touched N pages and guest B its own; "
         "refill: A's re-touch after the flush; collateral: B's re-touch after it; a penalty is that minus the "
         "re-touch after a no-op exit (warm). On hardware single-context should leave B warm and "
      << pair.global_label << " should not.";
    if (emulated)
      o << " <span class=\"warn\">Emulated: the emulator flushes its TLB on every VM entry and exit and on every "
           "INVEPT/INVVPID, so refill equals warm and collateral costs nothing extra by construction; these are "
           "instruction counts, not latency.</span>";
    o << "</p>\n<table class=\"live\"><tr><th rowspan=\"2\">Pages</th>";
    for (const Column& col : kColumns) o << "<th colspan=\"2\">" << col.label << "</th>";
    o << "</tr><tr>";
    for (size_t i = 0; i < std::size(kColumns); ++i)
      o << "<th>single-context</th><th>" << pair.global_label << "</th>";
    o << "</tr>\n";
    std::string svgs;
    for (const int n : pages) {
      ++s.page_counts;
      const TouchCounters* single = find_pages(all, pair.single, n);
      const TouchCounters* global = find_pages(all, pair.global, n);
      o << "<tr data-pages=\"" << n << "\"><td class=\"num\">" << n << "</td>";
      for (const Column& col : kColumns) o << cell(value_of(single, col.counter)) << cell(value_of(global, col.counter));
      o << "</tr>\n";
      svgs += "<figure class=\"live-bars\" data-pages=\"" + std::to_string(n) + "\">" +
              bars_svg(pair, n, single, global, unit) + "</figure>";
    }
    o << "</table>" << svgs << "</div>\n";
  }
  if (stats) *stats = s;
  return o.str();
}

}  // namespace vmxb::reports
