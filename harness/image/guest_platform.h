// The boot image's GuestEnvironment for the shared guest core
// (core/guest/guest_run.h): fixed physical memory above the sample buffer,
// and the host state read straight from the CPU.
#pragma once

#include "core/guest/guest_run.h"

namespace vmxb::image {

// Physical memory the guest rows use (identity-mapped, below the 32 MiB Bochs
// and 64 MiB QEMU give the image); the sample buffer ends at kGuestMemoryBase.
inline constexpr u64 kGuestMemoryBase = 0xA00000;
inline constexpr u64 kGuestMemoryEnd = 0x1000000;

// The environment, built once; the VMCS of context B gets `vmx_basic`'s
// revision identifier.
core::guest::GuestEnvironment* guest_environment(u64 vmx_basic);

}  // namespace vmxb::image
