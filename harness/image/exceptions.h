// Exceptions become results, never hangs: an IDT for vectors 0-31 that first
// honours the VMX wrappers' exception table (a faulting wrapper returns
// VmResult::fault()), and try_call() which runs other code that is expected to
// fault (#GP from an absent MSR) and returns the vector instead of crashing.
#pragma once

#include "primitives/exception_vector.h"

extern "C" int vmxb_try(void (*fn)(void*), void* arg);

namespace vmxb::image {

void install_idt();

// Runs f(); returns kNoFault or the exception vector f raised.
template <typename F>
int try_call(F&& f) {
  return vmxb_try([](void* p) { (*static_cast<F*>(p))(); }, &f);
}

// The vector of the last exception a VMX wrapper's exception-table fixup
// handled (primitives/extable.h), or kNoFault; reading it resets it.
int take_fixup_vector();

bool rdmsr_safe(u32 index, u64* value);
bool wrmsr_safe(u32 index, u64 value);

// Ends the run: prints END and stops the emulator (magic breakpoint), or
// halts forever on hardware/QEMU after the line is out.
[[noreturn]] void finish(bool ok, const char* reason);

}  // namespace vmxb::image
