// A fingerprint of the operation table (core/operations.h) so user
// space can tell that the module numbers operations the way it does: the RUN
// ioctl takes a vmxb::core::OpId, and a module built from an older table would
// run a different operation under the same number. Freestanding C++: compiled
// into the module (kernel/module/session.cc) and into user space.
#pragma once

#include "core/operations.h"

namespace vmxb {

// FNV-1a (32-bit) over each operation's id, name and requirement bits.
constexpr u32 op_table_hash() {
  u32 h = 2166136261u;
  const auto mix = [&h](u32 byte) { h = (h ^ (byte & 0xFF)) * 16777619u; };
  for (const auto& op : core::kOperations) {
    mix(static_cast<u32>(op.id));
    for (const char* p = op.name; *p != '\0'; ++p) mix(static_cast<u8>(*p));
    mix(0);
    for (unsigned shift = 0; shift < 32; shift += 8) mix(op.needs >> shift);
  }
  return h;
}

}  // namespace vmxb
