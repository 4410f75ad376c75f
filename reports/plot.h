// Inline SVG trend plots for the dashboard: no scripts, no external resources.
#pragma once

#include <string>
#include <vector>

namespace vmxb::reports {

struct PlotPoint {
  double x = 0;  // seconds since the epoch
  double median = 0, lo = 0, hi = 0;  // lo/hi: the whisker (min and max of the repetitions)
  bool regression = false;            // drawn red and larger
  std::string tooltip;                // <title> text
};

struct PlotSpec {
  std::string title;
  std::string y_label;
  std::vector<PlotPoint> points;  // sorted by x
  // Shared y range (e.g. INVEPT single-context vs global); automatic when lo >= hi.
  double y_lo = 0, y_hi = 0;
  int width = 440, height = 230;
  std::string css_class = "plot";
};

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& s);

// "Nice" tick values covering [lo, hi] (about `count` of them).
std::vector<double> nice_ticks(double lo, double hi, int count = 5);

// The y range a plot of these points uses when none is given.
void auto_range(const std::vector<PlotPoint>& points, double& lo, double& hi);

std::string render_svg_plot(const PlotSpec& spec);

}  // namespace vmxb::reports
