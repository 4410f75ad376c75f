// Values of guest-state fields that the SDM fixes (25.4 "Guest-State Area"),
// for the guest vmxbench launches (core/guest/vmcs_setup.h).
#pragma once

#include "primitives/types.h"

namespace vmxb {

// Segment access rights as the VMCS holds them (25.4.1 "Guest Register
// State"): type 3:0, S 4, DPL 6:5, P 7, L 13, D/B 14, G 15,
// unusable 16.
namespace access_rights {
inline constexpr u32 kCode64 = 0xB | bit(4) | bit(7) | bit(13) | bit(15);        // execute/read, accessed
inline constexpr u32 kData = 0x3 | bit(4) | bit(7) | bit(14) | bit(15);          // read/write, accessed
inline constexpr u32 kBusyTss64 = 0xB | bit(7);                                   // 64-bit busy TSS
inline constexpr u32 kUnusable = bit(16);
static_assert(kCode64 == 0xA09B && kData == 0xC093 && kBusyTss64 == 0x8B);
}  // namespace access_rights

inline constexpr u64 kVmcsLinkPointerNone = ~u64{0};  // 27.3.1.5: must be all ones without shadowing
inline constexpr u64 kRflagsReserved1 = bit(1);       // RFLAGS bit 1 is always 1
inline constexpr u64 kDr7Default = 0x400;             // DR7 after reset
inline constexpr u16 kTssLimit = 0x67;                // a 64-bit TSS without an I/O bitmap

}  // namespace vmxb
