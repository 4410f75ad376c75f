// Type-safe wrappers for the VMX instructions (SDM Vol. 3C, 31.3 "VMX Instructions").
//
// One small template per instruction; every one that reports through RFLAGS
// goes through VMXB_CAPTURE, so the status is read in the same asm statement
// as the instruction (see capture.h). The strategy is a template parameter so
// the benchmarks and the opcode test can instantiate each of the four.
//
// Operand forms (AT&T order, source first):
//   vmxon/vmclear/vmptrld m64     vmptrst m64
//   vmread  %field_reg, %value_reg     vmwrite %value_reg, %field_reg
//   invept/invvpid m128, %type_reg
#pragma once

#include "primitives/capture.h"
#include "primitives/descriptors.h"
#include "primitives/eptp.h"
#include "primitives/types.h"
#include "primitives/vm_instruction_error.h"
#include "primitives/vm_result.h"
#include "primitives/vmcs_field.h"

namespace vmxb {

#define VMXB_ALWAYS_INLINE inline __attribute__((always_inline))

// --- VMX operation ---------------------------------------------------------

template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult vmxon(PhysAddr vmxon_region) {
  return VMXB_CAPTURE(S, "vmxon %[pa]", (), ([pa] "m"(vmxon_region.value)));
}

template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult vmxoff() {
  return VMXB_CAPTURE(S, "vmxoff", (), ());
}

// --- VMCS pointer ----------------------------------------------------------

template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult vmclear(PhysAddr vmcs) {
  return VMXB_CAPTURE(S, "vmclear %[pa]", (), ([pa] "m"(vmcs.value)));
}

template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult vmptrld(PhysAddr vmcs) {
  return VMXB_CAPTURE(S, "vmptrld %[pa]", (), ([pa] "m"(vmcs.value)));
}

// The current-VMCS pointer; all ones (FFFFFFFF_FFFFFFFFH) when there is none.
template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmValue<PhysAddr> vmptrst() {
  u64 pa = 0;
  const VmResult status = VMXB_CAPTURE(S, "vmptrst %[pa]", ([pa] "=m"(pa)), ());
  return {{pa}, status};
}

inline constexpr PhysAddr kNoCurrentVmcs{~u64{0}};

// --- VMCS fields -----------------------------------------------------------

// VMREAD by raw encoding: for the semantics tests (unsupported fields) and diag.
template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmValue<u64> vmread_raw(u64 encoding) {
  u64 value = 0;
  const VmResult status =
      VMXB_CAPTURE(S, "vmread %[field], %[value]", ([value] "=r"(value)), ([field] "r"(encoding)));
  return {value, status};
}

template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult vmwrite_raw(u64 encoding, u64 value) {
  return VMXB_CAPTURE(S, "vmwrite %[value], %[field]", (), ([value] "r"(value), [field] "r"(encoding)));
}

template <CaptureStrategy S = kDefaultCapture, VmcsFieldType Field>
VMXB_ALWAYS_INLINE VmValue<typename Field::value_type> vmread(Field) {
  const auto raw = vmread_raw<S>(Field::kEncoding);
  return {static_cast<typename Field::value_type>(raw.value), raw.status};
}

// The value's type must be exactly the field's width: vmwrite(vmcs::kGuestRip, u16{})
// does not compile. Convert explicitly where a narrower value is meant.
template <CaptureStrategy S = kDefaultCapture, VmcsFieldType Field, typename T>
  requires kSameType<T, typename Field::value_type>
VMXB_ALWAYS_INLINE VmResult vmwrite(Field, T value) {
  return vmwrite_raw<S>(Field::kEncoding, value);
}

// The error number the last VMfailValid stored in the current VMCS (31.4).
template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmValue<u32> vm_instruction_error() {
  return vmread<S>(vmcs::kVmInstructionError);
}

// --- TLB invalidation ------------------------------------------------------

// Any type value, including the reserved ones the semantics suite probes.
template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult invept_raw(u64 type, const InveptDescriptor& descriptor) {
  return VMXB_CAPTURE(S, "invept %[desc], %[type]", (), ([desc] "m"(descriptor), [type] "r"(type)));
}

template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult invvpid_raw(u64 type, const InvvpidDescriptor& descriptor) {
  return VMXB_CAPTURE(S, "invvpid %[desc], %[type]", (), ([desc] "m"(descriptor), [type] "r"(type)));
}

// Single-context: mappings derived from this EPTP. The descriptor is built here.
template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult invept_single_context(Eptp eptp) {
  const InveptDescriptor descriptor = make_invept_descriptor(eptp.value);
  return invept_raw<S>(static_cast<u64>(InveptType::kSingleContext), descriptor);
}

// Global: mappings of all EPTPs; the descriptor is ignored but still read.
template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult invept_global() {
  const InveptDescriptor descriptor = make_invept_descriptor(0);
  return invept_raw<S>(static_cast<u64>(InveptType::kGlobal), descriptor);
}

template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult invvpid(InvvpidType type, u16 vpid, u64 linear_address = 0) {
  const InvvpidDescriptor descriptor = make_invvpid_descriptor(vpid, linear_address);
  return invvpid_raw<S>(static_cast<u64>(type), descriptor);
}

// --- Back-to-back copies, for throughput ---------------------------------
//
// N copies of one instruction with no branch between them (capture.h,
// VMXB_CAPTURE_REPEATED). Cost per instruction is (T(2N) - T(N)) / N, which
// cancels the TSC bracket and the one status branch.

template <u32 N, VmcsFieldType Field>
VMXB_ALWAYS_INLINE VmResult vmread_repeated(Field) {
  u64 value = 0;
  // Early clobber: copy 1 writes `value` before copy 2 reads `field`, so the
  // two must never share a register (they did once the register allocation
  // moved, and copy 2 read a field encoding that was copy 1's result).
  return VMXB_CAPTURE_REPEATED(N, "vmread %[field], %[value]", ([value] "=&r"(value)),
                               ([field] "r"(u64{Field::kEncoding})));
}

template <u32 N, VmcsFieldType Field, typename T>
  requires kSameType<T, typename Field::value_type>
VMXB_ALWAYS_INLINE VmResult vmwrite_repeated(Field, T value) {
  return VMXB_CAPTURE_REPEATED(N, "vmwrite %[value], %[field]", (),
                               ([value] "r"(u64{value}), [field] "r"(u64{Field::kEncoding})));
}

template <u32 N>
VMXB_ALWAYS_INLINE VmResult vmptrst_repeated() {
  u64 pa = 0;
  return VMXB_CAPTURE_REPEATED(N, "vmptrst %[pa]", ([pa] "=m"(pa)), ());
}

template <u32 N>
VMXB_ALWAYS_INLINE VmResult invept_repeated(InveptType type, Eptp eptp) {
  const InveptDescriptor descriptor = make_invept_descriptor(eptp.value);
  return VMXB_CAPTURE_REPEATED(N, "invept %[desc], %[type]", (),
                               ([desc] "m"(descriptor), [type] "r"(static_cast<u64>(type))));
}

template <u32 N>
VMXB_ALWAYS_INLINE VmResult invvpid_repeated(InvvpidType type, u16 vpid, u64 linear_address = 0) {
  const InvvpidDescriptor descriptor = make_invvpid_descriptor(vpid, linear_address);
  return VMXB_CAPTURE_REPEATED(N, "invvpid %[desc], %[type]", (),
                               ([desc] "m"(descriptor), [type] "r"(static_cast<u64>(type))));
}

// --- Calls into the VMM ----------------------------------------------------

// In VMX root operation (no dual-monitor treatment) VMCALL fails with
// VMfailValid error 1, or VMfailInvalid without a current VMCS; in non-root
// operation it exits to the VMM, which decides what the guest sees.
template <CaptureStrategy S = kDefaultCapture>
VMXB_ALWAYS_INLINE VmResult vmcall() {
  return VMXB_CAPTURE(S, "vmcall", (), ());
}

// VMFUNC leaf 0 (EPTP switching, 26.5.6.3). It does not report through RFLAGS:
// it succeeds or causes a VM exit, and raises #UD in VMX root operation, which
// the fault path turns into VmResult::faulted() like every other wrapper's.
VMXB_ALWAYS_INLINE VmResult vmfunc_eptp_switch(u32 eptp_index) {
  // asm goto without outputs: the fault label is safe from GCC 12's asm-goto
  // output bug. (VMFUNC is not timed, so the label's cost is nobody's.)
#ifdef VMXB_HAS_FAULT_PATH
  asm goto(VMXB_GOTO_FAULTABLE("vmfunc") : : "a"(0u), "c"(eptp_index) : "memory" : vmxb_fault);
#else
  asm volatile("vmfunc" : : "a"(0u), "c"(eptp_index) : "memory");
#endif
  return VmResult::succeed();
vmxb_fault: __attribute__((unused));
  return VmResult::fault();
}

}  // namespace vmxb
