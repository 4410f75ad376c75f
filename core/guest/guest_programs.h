// The code that runs inside the guest (VMX non-root operation, 64-bit ring 0,
// the host's page tables). The host fills a GuestJob, points the guest's RDI
// at it and its RIP at vmxb_guest_main; the guest runs the job's program,
// writes its own samples, and ends with HLT (HLT exiting is on), which is how
// the host knows it is done.
//
// Timing inside the guest uses the same TSC bracket as the host (timing.h), so
// the `empty` row's overhead cancels here too. RDTSCP needs "enable RDTSCP"
// in the secondary controls, else it raises #UD in the guest (26.3); the host
// says which end to use.
#pragma once

#include "core/timing.h"
#include "primitives/types.h"

namespace vmxb::core::guest {

enum class GuestProgram : u8 {
  kVmcall,            // VMCALL, answered by the minimal exit path
  kVmcallDispatched,  // VMCALL, answered by the full exit path and the C++ dispatcher
  kCpuid,             // CPUID leaf 0, emulated by the host
  kEptViolation,      // a load from an unmapped GPA, skipped by the host (MMIO style)
  kEptDemand,         // a load from a not-present GPA, mapped by the host, then retried
  kEptMisconfig,      // a load through a misconfigured EPT entry, skipped by the host
  kVmfuncSwitch,      // VMFUNC leaf 0 to the other EPTP, no exit
  kEptpSwitchByExit,  // VMCALL; the host VMWRITEs the other EPTP and resumes
  kTouchFlush,        // context A of the invalidation rows: warm and refill
  kTouchCollateral,   // context B of the invalidation rows: collateral
  kVmfuncOnce,        // one VMFUNC, EAX = job.vmfunc_leaf, ECX = job.vmfunc_index (semantics suite)
};

// RAX of a VMCALL: what the guest asks the host.
enum Hypercall : u64 {
  kHypercallNop = 0,        // advance RIP, resume
  kHypercallFlushPoint = 1, // A touched its pages, warm measured: flush now
  kHypercallDone = 2,       // this iteration's samples are written
  kHypercallReady = 3,      // B touched its pages
  kHypercallSwitchEptp = 4, // RCX = EPTP-list index to switch to
  kHypercallUnmapDemandPage = 5,
};

struct GuestJob {
  GuestProgram program;
  TscEnd tsc_end;
  u32 warmup;      // untimed iterations first
  u32 iterations;  // then these, sample i into series[k][i]
  u64* series[4];
  u64 touch_base;  // guest-linear address of the touch pages
  u32 pages;
  u64 probe;       // guest-linear address the EPT rows load from
  u32 vmfunc_leaf;   // kVmfuncOnce's EAX (VM function number)
  u32 vmfunc_index;  // kVmfuncOnce's ECX (EPTP-list index for function 0)
};

namespace detail {

__attribute__((always_inline)) inline void hypercall(u64 nr, u64 arg = 0) {
  asm volatile("vmcall" : "+a"(nr), "+c"(arg) : : "rdx", "memory");
}

// One load per 4-KiB page: 4 instructions a page (load, add, dec, jnz), plus
// the two MOVs that set it up, as harness/tests:guest_rows_test counts them.
__attribute__((always_inline)) inline void touch(u64 base, u32 pages) {
  asm volatile(
      "mov %[base], %%rsi\n\t"
      "mov %[pages], %%ecx\n\t"
      "1: mov (%%rsi), %%al\n\t"
      "add $4096, %%rsi\n\t"
      "dec %%ecx\n\t"
      "jnz 1b"
      :
      : [base] "r"(base), [pages] "r"(pages)
      : "rax", "rcx", "rsi", "cc", "memory");
}

// A load the host resumes past: RCX holds the address to resume at, so the
// host never depends on the instruction-length field, which the SDM leaves
// undefined for EPT violations and misconfigurations (28.2.4).
__attribute__((always_inline)) inline void probe_load(u64 address) {
  asm volatile(
      "lea 1f(%%rip), %%rcx\n\t"
      "mov (%[a]), %%al\n"
      "1:"
      :
      : [a] "r"(address)
      : "rax", "rcx", "memory");
}

template <TscEnd E, typename Body>
__attribute__((always_inline)) inline void timed_loop(const GuestJob& job, Body body) {
  for (u32 i = 0; i < job.warmup; ++i) body();
  u64* const out = job.series[0];
  const u32 n = job.iterations;
  for (u32 i = 0; i < n; ++i) {
    const u64 t0 = tsc_begin();
    body();
    out[i] = tsc_end<E>() - t0;
  }
}

template <TscEnd E>
__attribute__((always_inline)) inline u64 timed_touch(u64 base, u32 pages) {
  const u64 t0 = tsc_begin();
  touch(base, pages);
  return tsc_end<E>() - t0;
}

template <TscEnd E>
void run_program(const GuestJob& job) {
  switch (job.program) {
    case GuestProgram::kVmcall:
      timed_loop<E>(job, [] { asm volatile("vmcall" : : : "rax", "rcx", "rdx", "memory"); });
      break;
    case GuestProgram::kVmcallDispatched:
      timed_loop<E>(job, [] { hypercall(kHypercallNop); });
      break;
    case GuestProgram::kCpuid:
      timed_loop<E>(job, [] {
        u32 a = 0, b, c = 0, d;
        asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
      });
      break;
    case GuestProgram::kEptViolation:
    case GuestProgram::kEptMisconfig: {
      const u64 probe = job.probe;
      timed_loop<E>(job, [probe] { probe_load(probe); });
      break;
    }
    case GuestProgram::kEptDemand: {
      const u64 probe = job.probe;
      for (u32 i = 0; i < job.warmup + job.iterations; ++i) {
        const u64 t0 = tsc_begin();
        asm volatile("mov (%0), %%al" : : "r"(probe) : "rax", "memory");
        const u64 t = tsc_end<E>() - t0;
        if (i >= job.warmup) job.series[0][i - job.warmup] = t;
        hypercall(kHypercallUnmapDemandPage);
      }
      break;
    }
    case GuestProgram::kVmfuncSwitch: {
      u32 index = 1;
      timed_loop<E>(job, [&index] {
        asm volatile("vmfunc" : : "a"(0u), "c"(index) : "memory");
        index ^= 1;
      });
      break;
    }
    case GuestProgram::kEptpSwitchByExit: {
      u64 index = 1;
      timed_loop<E>(job, [&index] {
        hypercall(kHypercallSwitchEptp, index);
        index ^= 1;
      });
      break;
    }
    case GuestProgram::kVmfuncOnce:
      // Whatever it does (VM exit, #UD, or a switch) is the host's observation.
      asm volatile("vmfunc" : : "a"(job.vmfunc_leaf), "c"(job.vmfunc_index) : "memory");
      break;
    case GuestProgram::kTouchFlush:
      for (u32 i = 0; i < job.warmup + job.iterations; ++i) {
        touch(job.touch_base, job.pages);
        hypercall(kHypercallNop);
        const u64 warm = timed_touch<E>(job.touch_base, job.pages);
        hypercall(kHypercallFlushPoint);
        const u64 refill = timed_touch<E>(job.touch_base, job.pages);
        if (i >= job.warmup) {
          job.series[1][i - job.warmup] = warm;
          job.series[2][i - job.warmup] = refill;
        }
        hypercall(kHypercallDone);
      }
      break;
    case GuestProgram::kTouchCollateral:
      for (u32 i = 0; i < job.warmup + job.iterations; ++i) {
        touch(job.touch_base, job.pages);
        hypercall(kHypercallReady);
        const u64 collateral = timed_touch<E>(job.touch_base, job.pages);
        if (i >= job.warmup) job.series[3][i - job.warmup] = collateral;
        hypercall(kHypercallDone);
      }
      break;
  }
}

}  // namespace detail

// The guest's entry point (guest RIP; RDI = the job). It never returns: HLT
// exits to the host, which does not resume a guest that said it is done.
extern "C" [[noreturn]] inline void vmxb_guest_main(const GuestJob* job) {
  if (job->tsc_end == TscEnd::kRdtscp) detail::run_program<TscEnd::kRdtscp>(*job);
  else detail::run_program<TscEnd::kFencedRdtsc>(*job);
  for (;;) asm volatile("hlt" : : : "memory");
}

}  // namespace vmxb::core::guest
