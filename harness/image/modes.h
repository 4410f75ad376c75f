// The three things the image can do, one file each.
#pragma once

#include "harness/image/plan.h"

namespace vmxb::image {

struct CpuIdentity;

// CPU, CPUID, CR and MSR lines: the raw facts diag decodes.
void run_probe();
// The CPU line every mode starts with (probe.cc).
void print_cpu_line(const CpuIdentity& id);
// The semantics suite (semantics/), hosted by semantics_platform.cc.
bool run_semantics(const Plan& plan);
// Times the planned operations with the shared core.
bool run_bench(const Plan& plan);

}  // namespace vmxb::image
