// Deterministic mutation of seed inputs for the reader robustness tests: the
// same seed file and count give the same inputs on every run, so a failure
// reproduces. VMXBENCH_MUTATIONS=N (bazel test --test_env=...) runs N
// mutations per seed instead of the CI default.
#pragma once

#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

namespace vmxb::testing {

inline int mutation_count(int ci_default) {
  const char* n = std::getenv("VMXBENCH_MUTATIONS");
  return n && *n ? std::atoi(n) : ci_default;
}

class Mutator {
 public:
  explicit Mutator(unsigned long long seed) : rng_(seed) {}

  // One to four edits of `seed`: byte flips, deletions, duplications, and
  // insertions of what broke readers before (huge numbers, deep nesting,
  // control characters, long strings).
  std::string mutate(const std::string& seed) {
    std::string s = seed;
    const int edits = 1 + static_cast<int>(pick(4));
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = pick(s.size());
      switch (pick(6)) {
        case 0: s[at] = static_cast<char>(pick(256)); break;
        case 1: s.erase(at, 1 + pick(std::min<size_t>(64, s.size() - at))); break;
        case 2: s.insert(at, s.substr(at, 1 + pick(std::min<size_t>(256, s.size() - at)))); break;
        case 3: s.insert(at, kTokens[pick(std::size(kTokens))]); break;
        case 4: s.insert(at, std::string(1 + pick(300), pick(2) ? '[' : '{')); break;
        default: s.resize(at); break;
      }
    }
    return s;
  }

 private:
  size_t pick(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  static constexpr std::string_view kTokens[] = {
      "1e400", "-1e400", "9e999", "1e300", "-0", "0x", "null", "true", "[]", "{}", "\"\"", "\"", ",", ":",
      "18446744073709551616", "-9223372036854775809", "\\u0000", "\\n", "\x1b[31m", "\n", "NaN", "Infinity"};
  std::mt19937_64 rng_;
};

}  // namespace vmxb::testing
