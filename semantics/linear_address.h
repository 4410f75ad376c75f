// Canonical linear addresses for the CPU's own linear-address width.
//
// INVVPID checks canonicality against the width the processor supports,
// whatever CR4.LA57 says (31.3 INVVPID "Operation"; KVM's
// is_noncanonical_invlpg_address and kvm-unit-tests read the width from
// CPUID.80000008H the same way). An address that is non-canonical with 48-bit
// addresses, such as 0000_8000_0000_0000H, is canonical on a 57-bit CPU.
#pragma once

#include "primitives/types.h"

namespace vmxb::semantics {

// Without CPUID leaf 80000008H an x86-64 CPU has 48-bit linear addresses.
inline constexpr u8 kDefaultLinearAddressWidth = 48;

// CPUID.80000008H:EAX[15:8], the linear-address width (Vol. 2A CPUID).
constexpr u8 linear_address_width(u32 cpuid_80000008_eax) { return static_cast<u8>((cpuid_80000008_eax >> 8) & 0xFF); }

// Canonical: bits 63 down to width-1 all equal (Vol. 1 3.3.7.1).
constexpr bool is_canonical(u64 address, u8 width) {
  const u64 upper = address >> (width - 1);
  return upper == 0 || upper == (~u64{0} >> (width - 1));
}

// The lowest non-canonical address: bit width-1 alone.
constexpr u64 lowest_noncanonical_address(u8 width) { return bit(width - 1u); }

static_assert(lowest_noncanonical_address(48) == 0x0000'8000'0000'0000);
static_assert(!is_canonical(lowest_noncanonical_address(48), 48) && is_canonical(lowest_noncanonical_address(48) - 1, 48));
static_assert(is_canonical(lowest_noncanonical_address(48), 57), "canonical with 5-level paging");

}  // namespace vmxb::semantics
