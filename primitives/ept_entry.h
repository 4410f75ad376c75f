// EPT paging-structure entries (29.3.2 "EPT Translation Mechanism", Tables
// 29-1 to 29-6) and the one misconfiguration vmxbench plants on purpose
// (29.3.3.1 "EPT Misconfigurations": an entry that is writable but not
// readable is misconfigured on every processor).
//
//   0 read  1 write  2 execute (supervisor execute with mode-based control)
//   5:3 memory type (leaf entries)  6 ignore PAT (leaf)  7 maps a page (PDE, PDPTE)
//   N-1:12 physical address of the next table or of the page
#pragma once

#include "primitives/eptp.h"
#include "primitives/types.h"

namespace vmxb::ept {

inline constexpr u64 kRead = bit(0);
inline constexpr u64 kWrite = bit(1);
inline constexpr u64 kExecute = bit(2);
inline constexpr u64 kReadWriteExecute = kRead | kWrite | kExecute;
inline constexpr unsigned kMemoryTypeShift = 3;
inline constexpr u64 kIgnorePat = bit(6);
inline constexpr u64 kLargePage = bit(7);
inline constexpr u64 kAddressMask = bit_range(51, 12);

inline constexpr u64 kPageSize = 4096;
inline constexpr u64 kLargePageSize = u64{1} << 21;  // a PDE that maps a page: 2 MiB
inline constexpr unsigned kEntriesPerTable = 512;

// A non-leaf entry: full access, so the leaf alone decides.
constexpr u64 table_entry(u64 table_pa) { return (table_pa & kAddressMask) | kReadWriteExecute; }

// A leaf entry mapping write-back memory (the memory type of a leaf, 29.3.7).
constexpr u64 page_entry(u64 page_pa, bool large) {
  return (page_pa & kAddressMask) | kReadWriteExecute |
         (u64{static_cast<u8>(EptMemoryType::kWriteBack)} << kMemoryTypeShift) | (large ? kLargePage : 0);
}

// Writable without read: an EPT misconfiguration (29.3.3.1), whatever the
// capabilities say.
constexpr u64 misconfigured_entry(u64 page_pa) { return (page_pa & kAddressMask) | kWrite; }

// The table index of `gpa` at `level` (4 = PML4 ... 1 = page table).
constexpr unsigned table_index(u64 gpa, unsigned level) {
  return static_cast<unsigned>((gpa >> (12 + 9 * (level - 1))) & (kEntriesPerTable - 1));
}

static_assert(page_entry(0x200000, true) == 0x2000B7);
static_assert(misconfigured_entry(0x1000) == 0x1002);
static_assert(table_index(0x4020'3000, 1) == 3 && table_index(0x4020'3000, 2) == 1 &&
              table_index(0x4020'3000, 3) == 1 && table_index(u64{1} << 39, 4) == 1);

}  // namespace vmxb::ept
