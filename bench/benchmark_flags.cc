#include "bench/benchmark_flags.h"

#include <cerrno>
#include <cstdlib>
#include <regex>

namespace vmxb::bench {
namespace {

// The value of --NAME=VALUE or of --NAME VALUE (Google Benchmark takes only
// the first form; the second is an unknown flag to us and gets its own error).
bool flag_value(const std::string& arg, const std::string& name, std::string* value) {
  const std::string prefix = "--" + name + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  *value = arg.substr(prefix.size());
  return true;
}

}  // namespace

std::string benchmark_flag_error(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string v;
    if (flag_value(arg, "benchmark_filter", &v)) {
      // The library reads a leading '-' as "all but" (1.7.1): the rest is the regex.
      const std::string pattern = !v.empty() && v[0] == '-' ? v.substr(1) : v;
      try {
        std::regex re(pattern);
      } catch (const std::regex_error& e) {
        return "--benchmark_filter='" + v + "' is not a valid regular expression (" + e.what() +
               "): escape ( ) [ ] with a backslash";
      }
    } else if (flag_value(arg, "benchmark_repetitions", &v)) {
      char* end = nullptr;
      errno = 0;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || errno != 0 || n < 1 || n > 1000000)
        return "--benchmark_repetitions must be a whole number 1..1000000, not '" + v + "'";
    }
  }
  return "";
}

}  // namespace vmxb::bench
