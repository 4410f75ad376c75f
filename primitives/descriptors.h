// INVEPT and INVVPID operands (SDM Vol. 3C, 31.3 "VMX Instructions":
// Figure 31-1 "INVEPT Descriptor", Figure 31-2 "INVVPID Descriptor").
#pragma once

#include "primitives/types.h"

namespace vmxb {

// A physical address, kept apart from pointers and plain integers so a virtual
// address cannot be handed to VMXON/VMCLEAR/VMPTRLD by mistake.
struct PhysAddr {
  u64 value;
  constexpr bool operator==(const PhysAddr&) const = default;
};

// The INVEPT type operand. Only 1 and 2 are architectural; other values fail
// with error 28 and exist for the semantics tests through invept_raw().
enum class InveptType : u64 {
  kSingleContext = 1,
  kGlobal = 2,
};

enum class InvvpidType : u64 {
  kIndividualAddress = 0,
  kSingleContext = 1,
  kAllContext = 2,
  kSingleContextRetainingGlobals = 3,
};

// Which types a processor supports, and their names: primitives/inv_types.h.

// Bits 63:0 the EPTP, bits 127:64 reserved. Figure 31-1 says they must be
// zero, but INVEPT's Operation (31.3) never reads them, so whether non-zero
// bits fail with error 28 is not defined: the semantics suite reports what the
// processor does (invept_descriptor_bits_127_64_set) without judging it.
struct alignas(16) InveptDescriptor {
  u64 eptp;
  u64 reserved;
};
static_assert(sizeof(InveptDescriptor) == 16);
static_assert(__builtin_offsetof(InveptDescriptor, eptp) == 0);
static_assert(__builtin_offsetof(InveptDescriptor, reserved) == 8);

// Bits 15:0 the VPID, bits 63:16 reserved (must be zero), bits 127:64 the
// linear address (used by the individual-address type only).
struct alignas(16) InvvpidDescriptor {
  u64 vpid_and_reserved;
  u64 linear_address;
};
static_assert(sizeof(InvvpidDescriptor) == 16);
static_assert(__builtin_offsetof(InvvpidDescriptor, vpid_and_reserved) == 0);
static_assert(__builtin_offsetof(InvvpidDescriptor, linear_address) == 8);

constexpr InveptDescriptor make_invept_descriptor(u64 eptp) { return {eptp, 0}; }

constexpr InvvpidDescriptor make_invvpid_descriptor(u16 vpid, u64 linear_address) {
  return {vpid, linear_address};
}

}  // namespace vmxb
