// The guest core's host-side data decisions, off any CPU: control values from
// the capability MSRs (TRUE MSRs when IA32_VMX_BASIC bit 55 is set), the
// guest rows' gating messages, and the EPT the tables build (walked back here
// entry by entry).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/guest/controls.h"
#include "core/guest/ept_tables.h"
#include "core/guest/guest_run.h"

#include "core/tests/skylake_capabilities.h"

namespace vmxb::core::guest {
namespace {

VmxCapabilities skylake() { return testing::skylake_capabilities(); }

TEST(GuestControls, TheTrueMsrsAreUsedWhenBasicBit55SaysTheyExist) {
  VmxCapabilities c = skylake();
  EXPECT_EQ(control_msr(c, ControlField::kPrimaryProcBased), c.true_procbased);
  GuestControls with_true;
  ASSERT_EQ(detail::build_controls(c, guest_row(GuestProgram::kVmcall), true, with_true), nullptr);
  // CR3-load and CR3-store exiting are default1 (legacy allowed-0) but may be 0 with the TRUE MSR.
  EXPECT_EQ(with_true.primary & (ctl(primary::kCr3LoadExiting) | ctl(primary::kCr3StoreExiting)), 0u);
  EXPECT_TRUE(control_allowed(c.true_procbased, with_true.primary));

  c.basic &= ~basic::kTrueControls.mask();
  EXPECT_EQ(control_msr(c, ControlField::kPrimaryProcBased), c.procbased);
  GuestControls legacy;
  ASSERT_EQ(detail::build_controls(c, guest_row(GuestProgram::kVmcall), true, legacy), nullptr);
  EXPECT_NE(legacy.primary & ctl(primary::kCr3LoadExiting), 0u);
  EXPECT_TRUE(control_allowed(c.procbased, legacy.primary));
}

TEST(GuestControls, RequiredAndWantedBitsLandWhereTheCpuAllowsThem) {
  const VmxCapabilities c = skylake();
  GuestControls g;
  ASSERT_EQ(detail::build_controls(c, guest_row(GuestProgram::kVmfuncSwitch), true, g), nullptr);
  EXPECT_NE(g.primary & ctl(primary::kHltExiting), 0u);
  EXPECT_NE(g.primary & ctl(primary::kActivateSecondaryControls), 0u);
  for (const CapBit& b : {secondary::kEnableEpt, secondary::kEnableVpid, secondary::kEnableRdtscp,
                          secondary::kEnableVmFunctions})
    EXPECT_NE(g.secondary & ctl(b), 0u) << b.name;
  EXPECT_NE(g.pin & ctl(pinbased::kNmiExiting), 0u);
  EXPECT_NE(g.exit & ctl(exit_ctls::kHostAddressSpaceSize), 0u);
  EXPECT_NE(g.entry & ctl(entry_ctls::kIa32eModeGuest), 0u);
  EXPECT_EQ(g.vm_function_controls, vmfunc::kEptpSwitching.mask());
  // Wanted but not required: without RDTSCP in the CPU's offer, the guest goes on without it.
  GuestControls no_rdtscp;
  ASSERT_EQ(detail::build_controls(c, guest_row(GuestProgram::kVmcall), false, no_rdtscp), nullptr);
  EXPECT_EQ(no_rdtscp.secondary & ctl(secondary::kEnableRdtscp), 0u);
}

TEST(GuestControls, ARequiredControlTheCpuLacksIsNamed) {
  VmxCapabilities c = skylake();
  c.true_entry &= ~(u64{ctl(entry_ctls::kIa32eModeGuest)} << 32);  // allowed-1 of "IA-32e mode guest"
  GuestControls g;
  const char* why = detail::build_controls(c, guest_row(GuestProgram::kVmcall), true, g);
  ASSERT_NE(why, nullptr);
  EXPECT_NE(std::string(why).find("IA-32e mode guest"), std::string::npos) << why;
}

TEST(GuestGating, RowsNeedingEptOrVmfuncNameTheMsrBit) {
  VmxCapabilities c = skylake();
  EXPECT_EQ(missing_requirement(kNeedsGuest | kNeedsEpt | kNeedsEptpSwitching, c), nullptr);
  c.procbased2 &= ~secondary::kEnableEpt.mask();
  EXPECT_STREQ(missing_requirement(kNeedsEpt, c), "IA32_VMX_PROCBASED_CTLS2[33] = 0: Enable EPT not supported");
  c = skylake();
  c.vmfunc = 0;
  EXPECT_STREQ(missing_requirement(kNeedsEptpSwitching, c), "IA32_VMX_VMFUNC[0] = 0: EPTP switching not supported");
  for (const auto& n : core::detail::kControlNeeds) EXPECT_TRUE(std::string(n.reason).find(" = 0: ") != std::string::npos);
}

// Pages in host memory, with their addresses as the "physical" ones.
struct HostPages {
  explicit HostPages(u32 n) : pages(n) {
    for (auto& p : pages) {
      p.va = std::aligned_alloc(4096, 4096);
      std::memset(p.va, 0, 4096);
      p.pa = PhysAddr{reinterpret_cast<u64>(p.va)};
    }
  }
  ~HostPages() {
    for (auto& p : pages) std::free(p.va);
  }
  std::vector<VmxPage> pages;
};

// Walks the EPT like the CPU (29.3.2): the leaf entry for `gpa` and its level.
u64 walk(const PagePool& pool, PhysAddr root, u64 gpa, unsigned* level) {
  u64 entry = root.value | ept::kReadWriteExecute;
  for (unsigned l = 4; l >= 1; --l) {
    const u64* table = pool.table_at(entry);
    if (table == nullptr) return 0;
    entry = table[ept::table_index(gpa, l)];
    *level = l;
    if ((entry & ept::kReadWriteExecute) == 0 || l == 1 || (entry & ept::kLargePage)) return entry;
  }
  return entry;
}

TEST(EptTables, MapsIdentityWithLargePagesAndTouchPagesWith4KiB) {
  HostPages mem(16);
  PagePool pool{mem.pages.data(), static_cast<u32>(mem.pages.size()), 0};
  EptTables t(pool, true);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(t.map(0, 0, 4u << 20));                // two 2-MiB pages
  ASSERT_TRUE(t.map(0x20000000, 0x7000, 4096));      // one 4-KiB page elsewhere
  u64* slot = t.page_slot(0x20600000);
  ASSERT_NE(slot, nullptr);
  *slot = ept::misconfigured_entry(0x9000);
  unsigned level = 0;
  EXPECT_EQ(walk(pool, t.root(), 0x200123, &level), ept::page_entry(0x200000, true));
  EXPECT_EQ(level, 2u);
  EXPECT_EQ(walk(pool, t.root(), 0x20000abc, &level), ept::page_entry(0x7000, false));
  EXPECT_EQ(level, 1u);
  EXPECT_EQ(walk(pool, t.root(), 0x20600000, &level) & ept::kReadWriteExecute, ept::kWrite);  // misconfigured
  EXPECT_EQ(walk(pool, t.root(), 0x20400000, &level), 0u);   // unmapped: no entry at all
  // Overlap is refused, not silently remapped.
  EXPECT_FALSE(t.map(0x1000, 0x1000, 4096));
}

TEST(EptTables, IdentityWithHolesSplitsOnlyTheRegionsThatHoldAHole) {
  HostPages mem(16);
  PagePool pool{mem.pages.data(), static_cast<u32>(mem.pages.size()), 0};
  EptTables t(pool, true);
  const u64 holes[] = {0x203000, 0x3ff000};
  ASSERT_TRUE(t.map_identity_except(0, 6u << 20, holes, 2));
  unsigned level = 0;
  EXPECT_EQ(walk(pool, t.root(), 0x1000, &level), ept::page_entry(0, true));
  EXPECT_EQ(level, 2u);
  EXPECT_EQ(walk(pool, t.root(), 0x204000, &level), ept::page_entry(0x204000, false));
  EXPECT_EQ(level, 1u);
  EXPECT_EQ(walk(pool, t.root(), 0x203000, &level), 0u);
  EXPECT_EQ(walk(pool, t.root(), 0x3ff000, &level), 0u);
  EXPECT_EQ(walk(pool, t.root(), 0x400000, &level), ept::page_entry(0x400000, true));
  ASSERT_NE(t.page_slot(0x203000), nullptr);  // the hole's entry exists to be written
}

// A host with several GiB of RAM (the kernel module maps all of it): with
// 1-GiB pages (IA32_VMX_EPT_VPID_CAP bit 17) whole GiBs are one PDPTE each,
// the GiB holding a hole is split into 2-MiB pages and its 2-MiB region into
// 4-KiB pages; the whole map fits in four tables.
TEST(EptTables, OneGibPagesMapWholeGibsAndSplitOnlyAroundAHole) {
  HostPages mem(4);  // PML4, PDPT, one PD, one page table
  PagePool pool{mem.pages.data(), static_cast<u32>(mem.pages.size()), 0};
  EptTables t(pool, true, true);
  const u64 hole = (u64{2} << 30) + 0x203000;  // in the third GiB
  ASSERT_TRUE(t.map_identity_except(0, u64{6} << 30, &hole, 1));
  EXPECT_TRUE(t.ok());
  EXPECT_EQ(pool.used, 4u);
  unsigned level = 0;
  EXPECT_EQ(walk(pool, t.root(), 0x12345678, &level), ept::page_entry(0, true));
  EXPECT_EQ(level, 3u);
  EXPECT_EQ(walk(pool, t.root(), (u64{5} << 30) + 0x1000, &level), ept::page_entry(u64{5} << 30, true));
  EXPECT_EQ(level, 3u);
  EXPECT_EQ(walk(pool, t.root(), (u64{2} << 30) + 0x400000, &level), ept::page_entry((u64{2} << 30) + 0x400000, true));
  EXPECT_EQ(level, 2u);
  EXPECT_EQ(walk(pool, t.root(), hole + 0x1000, &level), ept::page_entry(hole + 0x1000, false));
  EXPECT_EQ(level, 1u);
  EXPECT_EQ(walk(pool, t.root(), hole, &level), 0u);
  ASSERT_NE(t.page_slot(hole), nullptr);
  // A 1-GiB page needs both addresses 1-GiB aligned: otherwise 2-MiB pages.
  HostPages more(8);
  PagePool pool2{more.pages.data(), static_cast<u32>(more.pages.size()), 0};
  EptTables u(pool2, true, true);
  ASSERT_TRUE(u.map(u64{1} << 30, (u64{1} << 30) + (2u << 20), u64{1} << 30));
  EXPECT_EQ(walk(pool2, u.root(), (u64{1} << 30) + 0x1000, &level), ept::page_entry((u64{1} << 30) + (2u << 20), true));
  EXPECT_EQ(level, 2u);
}

// Without bit 17 the same map needs one page directory per GiB.
TEST(EptTables, WithoutOneGibPagesEveryGibNeedsAPageDirectory) {
  HostPages mem(10);
  PagePool pool{mem.pages.data(), static_cast<u32>(mem.pages.size()), 0};
  EptTables t(pool, true, false);
  const u64 hole = (u64{2} << 30) + 0x203000;
  ASSERT_TRUE(t.map_identity_except(0, u64{6} << 30, &hole, 1));
  EXPECT_EQ(pool.used, 9u);  // PML4, PDPT, 6 PDs, 1 page table
  unsigned level = 0;
  EXPECT_EQ(walk(pool, t.root(), 0x12345678, &level), ept::page_entry(0x12200000, true));
  EXPECT_EQ(level, 2u);
}

TEST(EptTables, WithoutLargePagesEveryPageIs4KiBAndThePoolRunsOutCleanly) {
  HostPages mem(5);  // PML4, PDPT, PD, 2 page tables
  PagePool pool{mem.pages.data(), static_cast<u32>(mem.pages.size()), 0};
  EptTables t(pool, false);
  ASSERT_TRUE(t.map(0, 0, 4u << 20));  // 1024 PTEs in two tables
  unsigned level = 0;
  EXPECT_EQ(walk(pool, t.root(), 0x3ff000, &level), ept::page_entry(0x3ff000, false));
  EXPECT_EQ(level, 1u);
  EXPECT_FALSE(t.map(0x400000, 0x400000, 4096));  // a third table: none left
  EXPECT_FALSE(t.ok());
}

}  // namespace
}  // namespace vmxb::core::guest
