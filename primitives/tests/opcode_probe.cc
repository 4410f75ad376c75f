// Every wrapper instantiated with every capture strategy as an out-of-line
// extern "C" function, compiled with the ring-0 flag set. The object file is
// the ring-0 build check and the input of opcode_test, which disassembles it.
#include "primitives/tests/opcode_probe_work.h"
#include "primitives/vmx.h"

namespace {
using vmxb::CaptureStrategy;
using vmxb::PhysAddr;
using vmxb::VmResult;
}  // namespace

#define VMXB_PROBE_ALL(name, suffix, S)                                                         \
  extern "C" __attribute__((noinline)) VmResult probe_vmxon_##suffix(PhysAddr pa) {             \
    return vmxb::vmxon<S>(pa);                                                                  \
  }                                                                                             \
  extern "C" __attribute__((noinline)) VmResult probe_vmxoff_##suffix() { return vmxb::vmxoff<S>(); } \
  extern "C" __attribute__((noinline)) VmResult probe_vmclear_##suffix(PhysAddr pa) {           \
    return vmxb::vmclear<S>(pa);                                                                \
  }                                                                                             \
  extern "C" __attribute__((noinline)) VmResult probe_vmptrld_##suffix(PhysAddr pa) {           \
    return vmxb::vmptrld<S>(pa);                                                                \
  }                                                                                             \
  extern "C" __attribute__((noinline)) vmxb::u64 probe_vmptrst_##suffix() {                     \
    const auto r = vmxb::vmptrst<S>();                                                          \
    return r.status.ok() ? r.value.value : 0;                                                   \
  }                                                                                             \
  extern "C" __attribute__((noinline)) vmxb::u64 probe_vmread_##suffix() {                      \
    const auto r = vmxb::vmread<S>(vmxb::vmcs::kGuestRip);                                      \
    return r.status.ok() ? r.value : 0;                                                         \
  }                                                                                             \
  extern "C" __attribute__((noinline)) VmResult probe_vmwrite_##suffix(vmxb::u64 rip) {         \
    return vmxb::vmwrite<S>(vmxb::vmcs::kGuestRip, rip);                                        \
  }                                                                                             \
  extern "C" __attribute__((noinline)) VmResult probe_invept_##suffix(vmxb::u64 eptp) {         \
    return vmxb::invept_single_context<S>(vmxb::Eptp{eptp});                                    \
  }                                                                                             \
  extern "C" __attribute__((noinline)) VmResult probe_invvpid_##suffix(vmxb::u16 vpid) {        \
    return vmxb::invvpid<S>(vmxb::InvvpidType::kSingleContext, vpid);                           \
  }                                                                                             \
  extern "C" __attribute__((noinline)) VmResult probe_vmcall_##suffix() { return vmxb::vmcall<S>(); } \
  /* Negative control: a flag-writing ADD between VMCLEAR and the capture. */                   \
  extern "C" __attribute__((noinline)) VmResult probe_negative_control_##suffix(PhysAddr pa) {  \
    return VMXB_CAPTURE(S, "vmclear %[pa]\n\tadd $0, %%rax", (), ([pa] "m"(pa.value)));        \
  }                                                                                             \
  /* A VMREAD whose value and status nobody uses: it must still execute. */                     \
  extern "C" __attribute__((noinline)) void probe_discarded_vmread_##suffix() {                 \
    (void)vmxb::vmread<S>(vmxb::vmcs::kGuestRip);                                               \
  }                                                                                             \
  /* The normal use: branch on the result, with work on each side (distinct asm, */             \
  /* so the compiler must branch); opcode_test counts the success path. */                      \
  extern "C" __attribute__((noinline)) void probe_branch_on_result_##suffix(PhysAddr pa) {      \
    const VmResult r = vmxb::vmclear<S>(pa);                                                    \
    if (!r.ok()) {                                                                              \
      if (r.failed_valid())                                                                     \
        asm volatile(VMXB_PROBE_WORK(VMXB_PROBE_VALID_WORK) : :);                                         \
      else                                                                                      \
        asm volatile(VMXB_PROBE_WORK(VMXB_PROBE_OTHER_FAILURE_WORK) : :);                                  \
    } else {                                                                                    \
      asm volatile(VMXB_PROBE_WORK(VMXB_PROBE_SUCCESS_WORK) : :);                                         \
    }                                                                                           \
  }

VMXB_PROBE_ALL(separate, separate_pushf, CaptureStrategy::kSeparatePushf)
VMXB_PROBE_ALL(pushf, pushf_in_asm, CaptureStrategy::kPushfInAsm)
VMXB_PROBE_ALL(flags, flag_outputs, CaptureStrategy::kFlagOutputs)
VMXB_PROBE_ALL(gotos, asm_goto, CaptureStrategy::kAsmGoto)
VMXB_PROBE_ALL(jna, asm_goto_jna, CaptureStrategy::kAsmGotoJna)

extern "C" __attribute__((noinline)) VmResult probe_vmfunc(vmxb::u32 index) {
  return vmxb::vmfunc_eptp_switch(index);
}
