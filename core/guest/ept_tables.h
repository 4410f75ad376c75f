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

// A PDPTE that maps a page maps 1 GiB (29.3.2, Table 29-2).
inline constexpr u64 kHugePageSize = u64{1} << 30;

class EptTables {
 public:
  // `large_pages`: IA32_VMX_EPT_VPID_CAP bit 16 (2-MByte EPT pages) is set;
  // `huge_pages`: bit 17 (1-GByte EPT pages) is set (A.10). With 1-GiB
  // pages the identity map of a large host needs a few tables, not one page
  // directory per GiB.
  EptTables(PagePool& pool, bool large_pages, bool huge_pages = false)
      : pool_(pool), large_(large_pages), huge_(huge_pages) {
    if (const VmxPage* p = pool_.take()) {
      root_ = static_cast<u64*>(p->va);
      root_pa_ = p->pa;
    }
  }

  bool ok() const { return root_ != nullptr && !out_of_pages_; }
  PhysAddr root() const { return root_pa_; }

  // Maps [gpa, gpa + size) to [hpa, hpa + size), write-back, full access:
  // with the largest pages the CPU allows where both are aligned to them.
  bool map(u64 gpa, u64 hpa, u64 size) {
    for (u64 off = 0; off < size;) {
      const u64 page = page_size_at(gpa + off, hpa + off, size - off);
      u64* slot = entry_slot(gpa + off, page == kHugePageSize ? 3 : page == ept::kLargePageSize ? 2 : 1);
      if (slot == nullptr) return false;
      *slot = ept::page_entry(hpa + off, page != ept::kPageSize);
      off += page;
    }
    return true;
  }

  // Maps [base, base + size) guest-physical == host-physical, except the
  // 4-KiB pages in `holes`, which get no entry (the caller may write their
  // page_slot later): the largest pages allowed in every region without a
  // hole; a 1-GiB region with a hole is split into 2-MiB regions, a 2-MiB
  // region with a hole into 4-KiB pages.
  bool map_identity_except(u64 base, u64 size, const u64* holes, u32 hole_count) {
    return map_regions(base, base + size, huge_ ? kHugePageSize : ept::kLargePageSize, holes, hole_count);
  }

  // The page-table entry (4-KiB leaf) for `gpa`, creating the tables above it:
  // the demand-paging and misconfiguration rows write it directly.
  u64* page_slot(u64 gpa) { return entry_slot(gpa, 1); }

 private:
  // The entry at `level` (1 = PTE, 2 = PDE, 3 = PDPTE) for `gpa`, creating missing tables.
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

  u64 page_size_at(u64 gpa, u64 hpa, u64 left) const {
    const auto fits = [&](u64 page) { return gpa % page == 0 && hpa % page == 0 && left >= page; };
    if (huge_ && fits(kHugePageSize)) return kHugePageSize;
    if (large_ && fits(ept::kLargePageSize)) return ept::kLargePageSize;
    return ept::kPageSize;
  }

  bool map_regions(u64 begin, u64 end, u64 region_size, const u64* holes, u32 hole_count) {
    for (u64 at = begin; at < end;) {
      const u64 region_end = (at & ~(region_size - 1)) + region_size < end ? (at & ~(region_size - 1)) + region_size : end;
      bool holed = false;
      for (u32 i = 0; i < hole_count; ++i) holed = holed || (holes[i] >= at && holes[i] < region_end);
      if (!holed) {
        if (!map(at, at, region_end - at)) return false;
      } else if (region_size > ept::kPageSize) {
        const u64 smaller = region_size == kHugePageSize ? ept::kLargePageSize : ept::kPageSize;
        if (!map_regions(at, region_end, smaller, holes, hole_count)) return false;
      }  // else: the hole itself, no entry
      at = region_end;
    }
    return true;
  }

  PagePool& pool_;
  bool large_;
  bool huge_;
  u64* root_ = nullptr;
  PhysAddr root_pa_{0};
  bool out_of_pages_ = false;
};

}  // namespace vmxb::core::guest
