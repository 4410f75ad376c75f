// A 4-level EPT built in pages the platform owns (29.3.2 "EPT Translation
// Mechanism"). The platform hands over a pool of zeroed 4-KiB pages; the
// tables are built there and nowhere else, so the boot image (identity-mapped
// physical memory) and the kernel module (pages from the page allocator) use
// the same code.
#pragma once

#include "core/vmx_operation.h"
#include "primitives/ept_entry.h"

namespace vmxb::core::guest {

// Zeroed 4-KiB pages, handed out in order.
struct PagePool {
  VmxPage* pages = nullptr;
  u32 capacity = 0;
  u32 used = 0;

  const VmxPage* take() { return used < capacity ? &pages[used++] : nullptr; }
  // The virtual address of a pool page from its physical address (EPT entries
  // hold physical addresses).
  u64* table_at(u64 pa) const {
    for (u32 i = 0; i < used; ++i)
      if (pages[i].pa.value == (pa & ept::kAddressMask)) return static_cast<u64*>(pages[i].va);
    return nullptr;
  }
};

class EptTables {
 public:
  // `large_pages`: IA32_VMX_EPT_VPID_CAP bit 16 (2-MByte EPT pages) is set.
  EptTables(PagePool& pool, bool large_pages) : pool_(pool), large_(large_pages) {
    if (const VmxPage* p = pool_.take()) {
      root_ = static_cast<u64*>(p->va);
      root_pa_ = p->pa;
    }
  }

  bool ok() const { return root_ != nullptr && !out_of_pages_; }
  PhysAddr root() const { return root_pa_; }

  // Maps [gpa, gpa + size) to [hpa, hpa + size), write-back, full access:
  // with 2-MiB pages where both are aligned and the CPU allows it.
  bool map(u64 gpa, u64 hpa, u64 size) {
    for (u64 off = 0; off < size;) {
      const bool large = large_ && ((gpa + off) % ept::kLargePageSize) == 0 &&
                         ((hpa + off) % ept::kLargePageSize) == 0 && size - off >= ept::kLargePageSize;
      u64* slot = entry_slot(gpa + off, large ? 2 : 1);
      if (slot == nullptr) return false;
      *slot = ept::page_entry(hpa + off, large);
      off += large ? ept::kLargePageSize : ept::kPageSize;
    }
    return true;
  }

  // Maps [base, base + size) guest-physical == host-physical, except the
  // 4-KiB pages in `holes`, which get no entry (the caller may write their
  // page_slot later): 2-MiB pages where allowed, 4-KiB pages in every 2-MiB
  // region that holds a hole.
  bool map_identity_except(u64 base, u64 size, const u64* holes, u32 hole_count) {
    for (u64 at = base; at < base + size;) {
      const u64 region = at & ~(ept::kLargePageSize - 1);
      const u64 region_end = region + ept::kLargePageSize < base + size ? region + ept::kLargePageSize : base + size;
      bool holed = false;
      for (u32 i = 0; i < hole_count; ++i) holed = holed || (holes[i] >= region && holes[i] < region_end);
      if (!holed) {
        if (!map(at, at, region_end - at)) return false;
      } else {
        for (u64 page = at; page < region_end; page += ept::kPageSize) {
          bool hole = false;
          for (u32 i = 0; i < hole_count; ++i) hole = hole || holes[i] == page;
          if (!hole && !map(page, page, ept::kPageSize)) return false;
        }
      }
      at = region_end;
    }
    return true;
  }

  // The page-table entry (4-KiB leaf) for `gpa`, creating the tables above it:
  // the demand-paging and misconfiguration rows write it directly.
  u64* page_slot(u64 gpa) { return entry_slot(gpa, 1); }

 private:
  // The entry at `level` (1 = PTE, 2 = PDE) for `gpa`, creating missing tables.
  u64* entry_slot(u64 gpa, unsigned level) {
    if (root_ == nullptr) return nullptr;
    u64* table = root_;
    for (unsigned l = 4; l > level; --l) {
      u64& e = table[ept::table_index(gpa, l)];
      if ((e & ept::kReadWriteExecute) == 0) {
        const VmxPage* p = pool_.take();
        if (p == nullptr) {
          out_of_pages_ = true;
          return nullptr;
        }
        e = ept::table_entry(p->pa.value);
      } else if (e & ept::kLargePage) {
        return nullptr;  // already mapped by a larger page: the layout overlaps
      }
      table = pool_.table_at(e);
      if (table == nullptr) return nullptr;
    }
    return &table[ept::table_index(gpa, level)];
  }

  PagePool& pool_;
  bool large_;
  u64* root_ = nullptr;
  PhysAddr root_pa_{0};
  bool out_of_pages_ = false;
};

}  // namespace vmxb::core::guest
