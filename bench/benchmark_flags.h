// Google Benchmark's own flags, checked before the library sees them: a bad
// --benchmark_filter regex or a --benchmark_repetitions below 1 aborts inside
// libbenchmark (std::regex_error, CHECK failure) instead of giving an error.
#pragma once

#include <string>

namespace vmxb::bench {

// "" when every --benchmark_filter and --benchmark_repetitions in argv is
// usable; otherwise one line naming the flag, the value and the fix.
std::string benchmark_flag_error(int argc, char** argv);

}  // namespace vmxb::bench
