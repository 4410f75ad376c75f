#include "reports/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "reports/timeutil.h"

namespace vmxb::reports {
namespace {

std::string f(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string label(double v) {
  char buf[32];
  double a = std::fabs(v);
  if (a >= 1e6 || (a > 0 && a < 1e-3))
    std::snprintf(buf, sizeof buf, "%.3g", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int count) {
  std::vector<double> ticks;
  if (!(hi > lo) || count < 2) return {lo};
  const double raw = (hi - lo) / (count - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

void auto_range(const std::vector<PlotPoint>& points, double& lo, double& hi) {
  lo = hi = 0;
  if (points.empty()) return;
  lo = points[0].lo;
  hi = points[0].hi;
  for (const PlotPoint& p : points) {
    lo = std::min({lo, p.lo, p.median});
    hi = std::max({hi, p.hi, p.median});
  }
  double pad = (hi - lo) * 0.1;
  if (pad == 0) pad = std::max(std::fabs(hi) * 0.1, 1.0);
  lo = std::max(0.0, lo - pad);
  hi += pad;
}

std::string render_svg_plot(const PlotSpec& spec) {
  const double w = spec.width, h = spec.height;
  const double left = 64, right = 12, top = 26, bottom = 38;
  const double pw = w - left - right, ph = h - top - bottom;
  double lo = spec.y_lo, hi = spec.y_hi;
  if (!(hi > lo)) auto_range(spec.points, lo, hi);
  if (!(hi > lo)) hi = lo + 1;
  double x0 = 0, x1 = 1;
  if (!spec.points.empty()) {
    x0 = spec.points.front().x;
    x1 = spec.points.back().x;
  }
  auto sx = [&](double x) { return x1 > x0 ? left + (x - x0) / (x1 - x0) * pw : left + pw / 2; };
  auto sy = [&](double y) { return top + (1 - (y - lo) / (hi - lo)) * ph; };

  std::ostringstream o;
  o << "<svg class=\"" << html_escape(spec.css_class) << "\" width=\"" << spec.width << "\" height=\""
    << spec.height << "\" viewBox=\"0 0 " << spec.width << " " << spec.height << "\" role=\"img\" aria-label=\""
    << html_escape(spec.title) << "\">";
  o << "<title>" << html_escape(spec.title) << "</title>";
  o << "<text class=\"ptitle\" x=\"" << f(left) << "\" y=\"16\">" << html_escape(spec.title) << "</text>";
  // Axes and horizontal grid.
  for (double t : nice_ticks(lo, hi, 5)) {
    o << "<line class=\"grid\" x1=\"" << f(left) << "\" x2=\"" << f(left + pw) << "\" y1=\"" << f(sy(t))
      << "\" y2=\"" << f(sy(t)) << "\"/>";
    o << "<text class=\"tick\" x=\"" << f(left - 4) << "\" y=\"" << f(sy(t) + 4) << "\" text-anchor=\"end\">"
      << label(t) << "</text>";
  }
  o << "<line class=\"axis\" x1=\"" << f(left) << "\" x2=\"" << f(left) << "\" y1=\"" << f(top) << "\" y2=\""
    << f(top + ph) << "\"/>";
  o << "<line class=\"axis\" x1=\"" << f(left) << "\" x2=\"" << f(left + pw) << "\" y1=\"" << f(top + ph)
    << "\" y2=\"" << f(top + ph) << "\"/>";
  o << "<text class=\"ylabel\" transform=\"translate(12 " << f(top + ph / 2) << ") rotate(-90)\" text-anchor=\"middle\">"
    << html_escape(spec.y_label) << "</text>";
  if (!spec.points.empty()) {
    o << "<text class=\"tick\" x=\"" << f(left) << "\" y=\"" << f(h - 8) << "\">"
      << format_utc(static_cast<int64_t>(x0)).substr(0, 10) << "</text>";
    if (x1 > x0)
      o << "<text class=\"tick\" x=\"" << f(left + pw) << "\" y=\"" << f(h - 8) << "\" text-anchor=\"end\">"
        << format_utc(static_cast<int64_t>(x1)).substr(0, 10) << "</text>";
  } else {
    o << "<text class=\"tick\" x=\"" << f(left + pw / 2) << "\" y=\"" << f(top + ph / 2)
      << "\" text-anchor=\"middle\">no data</text>";
  }
  // Whiskers (min..max of the repetitions), the median line, the points.
  for (const PlotPoint& p : spec.points)
    o << "<line class=\"whisker\" x1=\"" << f(sx(p.x)) << "\" x2=\"" << f(sx(p.x)) << "\" y1=\"" << f(sy(p.lo))
      << "\" y2=\"" << f(sy(p.hi)) << "\"/>";
  if (spec.points.size() > 1) {
    o << "<polyline class=\"trend\" points=\"";
    for (size_t i = 0; i < spec.points.size(); ++i)
      o << (i ? " " : "") << f(sx(spec.points[i].x)) << "," << f(sy(spec.points[i].median));
    o << "\"/>";
  }
  for (const PlotPoint& p : spec.points) {
    o << "<circle class=\"" << (p.regression ? "pt regression" : "pt") << "\" cx=\"" << f(sx(p.x)) << "\" cy=\""
      << f(sy(p.median)) << "\" r=\"" << (p.regression ? 5.5 : 3.5) << "\"><title>" << html_escape(p.tooltip)
      << "</title></circle>";
  }
  o << "</svg>";
  return o.str();
}

}  // namespace vmxb::reports
