// Serialized TSC reads around one operation (Intel white paper 324264, "How to
// Benchmark Code Execution Times on Intel IA-32 and IA-64 Instruction Set
// Architectures", with LFENCE in place of CPUID as the SDM allows: Vol. 2B
// RDTSC/RDTSCP "If software requires RDTSC to be executed only after all
// previous instructions have executed ... it can execute LFENCE").
//
//   begin: LFENCE; RDTSC; LFENCE   earlier work finished, later work not started
//   end:   RDTSCP; LFENCE          the timed work finished, later work not started
//
// CPUID would serialize too, but under a hypervisor it is a VM exit, which is
// exactly the noise a nested measurement must avoid. Without RDTSCP
// (CPUID.80000001H:EDX[27] = 0, e.g. Core 2) the end read is LFENCE; RDTSC; LFENCE.
#pragma once

#include "primitives/types.h"

namespace vmxb::core {

enum class TscEnd : u8 { kRdtscp, kFencedRdtsc };

// The halves are joined inside the asm, before the second LFENCE: left to the
// compiler, that SHL/OR lands inside or outside the timed window depending on
// the body's constraints, so the empty body and a NOP body would be bracketed
// differently and the overhead would not cancel.
__attribute__((always_inline)) inline u64 tsc_begin() {
  u64 t;
  asm volatile("lfence\n\trdtsc\n\tshl $32, %%rdx\n\tor %%rdx, %%rax\n\tlfence"
               : "=a"(t)
               :
               : "rdx", "cc", "memory");
  return t;
}

template <TscEnd E>
__attribute__((always_inline)) inline u64 tsc_end() {
  u32 lo, hi;
  if constexpr (E == TscEnd::kRdtscp) {
    u32 aux;
    asm volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux) : : "memory");
  } else {
    asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
  }
  return (u64{hi} << 32) | lo;
}

}  // namespace vmxb::core
