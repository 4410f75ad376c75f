// The three things the image can do, one file each.
#pragma once

#include "harness/image/plan.h"

namespace vmxb::image {

// CPU, CPUID, CR and MSR lines: the raw facts diag decodes.
void run_probe();
// The kvm-unit-tests-style semantics suite (harness/semantics).
bool run_semantics(const Plan& plan);
// Times the planned operations with the shared core.
bool run_bench(const Plan& plan);

}  // namespace vmxb::image
