// Number formatting shared by the text report (compare) and the dashboard.
#pragma once

#include <cstdio>
#include <string>

namespace vmxb::reports {

// Five significant digits: enough to tell medians apart, short in a table.
inline std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", v);
  return buf;
}

}  // namespace vmxb::reports
