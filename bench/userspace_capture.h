// Benchmark family 1: the cost of each status-capture strategy around a
// flag-setting instruction, in user space (real nanoseconds on any x86 host):
// per strategy, a consumer that materializes the result and one that branches
// on it (the normal use).
#pragma once

namespace vmxb::bench {
void register_userspace_capture_benchmarks();
}
