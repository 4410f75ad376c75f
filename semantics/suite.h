// The semantics suite: what VMX instructions do at their edges, checked against
// the SDM (Vol. 3C chapter 31, "VMX Instruction Reference", cited per case).
#pragma once

#include "semantics/platform.h"

namespace vmxb::semantics {

// Runs every case once per capture strategy in ring 0, prints one PASS, FAIL,
// SKIP, KNOWN or OBSERVED line per case and a SUMMARY line through the platform, and
// leaves VMX operation off and CR4 as it found them. True when nothing failed.
bool run_suite(const Environment& env);

}  // namespace vmxb::semantics
