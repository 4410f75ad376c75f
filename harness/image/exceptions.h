// Exceptions become results, never hangs: an IDT for vectors 0-31 that first
// honours the VMX wrappers' exception table (a faulting wrapper returns
// VmResult::fault()), and try_call() which runs other code that is expected to
// fault (#GP from an absent MSR) and returns the vector instead of crashing.
#pragma once

#include "primitives/exception_vector.h"

extern "C" int vmxb_try(void (*fn)(void*), void* arg);
extern "C" [[noreturn]] void vmxb_enter_segment(void (*code)(), vmxb::u64 cs, vmxb::u64 ss, vmxb::u64 rsp);

namespace vmxb::image {

// Loads the image's GDT (the boot sector's ring-0 code and data segments plus
// a ring-3 code and data segment, a 32-bit ring-0 code segment and a TSS) and
// the IDT.
void install_idt();

// Where run_in_code_segment() runs code: a 64-bit code segment at CPL 3, or a
// 32-bit ring-0 code segment (compatibility mode, IA32_EFER.LMA = 1, CS.L = 0).
enum class CodeSegment : u8 { kCpl3, kCompatibility };

// Runs `code` there on a stack of its own; `code` must end in an exception
// (it cannot return), whose vector this returns. Back in 64-bit ring 0 with
// the data segments reloaded.
int run_in_code_segment(void (*code)(), CodeSegment segment);

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
