// Messages that cite a capability bit, built at compile time from its handle
// (primitives/inv_types.h add_citation), so no bit number is written twice.
#pragma once

#include "primitives/inv_types.h"

namespace vmxb::semantics {

inline constexpr usize kCitedLength = 192;
using CitedText = FixedText<kCitedLength>;

// before + "MSR[bit]" + after.
constexpr CitedText cited(const char* before, const CapBit& b, const char* after) {
  CitedText t;
  t.add(before);
  add_citation(t, b).add(after);
  return t;
}

// before + "MSR[a]" + middle + "MSR[b]" + after.
constexpr CitedText cited(const char* before, const CapBit& a, const char* middle, const CapBit& b,
                          const char* after) {
  CitedText t;
  t.add(before);
  add_citation(t, a).add(middle);
  add_citation(t, b).add(after);
  return t;
}

}  // namespace vmxb::semantics
