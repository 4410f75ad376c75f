#include "harness/image/guest_platform.h"

#include "harness/image/arch.h"
#include "harness/image/exceptions.h"
#include "harness/image/vmx_session.h"
#include "primitives/msr_index.h"

namespace vmxb::image {
namespace {

using core::guest::GuestEnvironment;
using core::guest::HostState;
using core::guest::IdentityRange;
using core::guest::kMaxTouchPages;

// Layout of [kGuestMemoryBase, kGuestMemoryEnd): both touch buffers, the
// probe pages, the page pool and context B's VMCS.
constexpr u64 kPage = 4096;
constexpr u64 kTouchA = kGuestMemoryBase;
constexpr u64 kTouchB = kTouchA + kMaxTouchPages * kPage;
constexpr u64 kProbePages = kTouchB + kMaxTouchPages * kPage;
constexpr u64 kVmcsB = kProbePages + static_cast<u32>(core::guest::ProbePage::kCount) * kPage;
constexpr u64 kPool = kVmcsB + kPage;
constexpr u32 kPoolPages = 96;
static_assert(kPool + kPoolPages * kPage <= kGuestMemoryEnd);

// The guest's code, data, stacks, jobs, page tables and the sample buffer:
// everything below kGuestMemoryEnd is mapped guest-physical == host-physical.
constexpr IdentityRange kIdentity[] = {{0, kGuestMemoryEnd}};

core::VmxPage g_touch[2][kMaxTouchPages];
core::VmxPage g_pool[kPoolPages];
GuestEnvironment g_env;

struct [[gnu::packed]] DescriptorTable {
  u16 limit;
  u64 base;
};
DescriptorTable g_gdtr, g_idtr;

u64 msr_or_zero(u32 index) {
  u64 v = 0;
  return rdmsr_safe(index, &v) ? v : 0;
}

core::VmxPage page_at(u64 pa) { return {reinterpret_cast<void*>(pa), PhysAddr{pa}}; }

void zero(u64 pa, u64 size) {
  u64* p = reinterpret_cast<u64*>(pa);
  for (u64 i = 0; i < size / 8; ++i) p[i] = 0;
}

void read_host_state(void*, HostState* h) {
  asm volatile("sgdt %0" : "=m"(g_gdtr));
  asm volatile("sidt %0" : "=m"(g_idtr));
  u16 cs, ss, ds, es, fs, gs, tr;
  asm volatile("mov %%cs, %0; mov %%ss, %1; mov %%ds, %2; mov %%es, %3"
               : "=r"(cs), "=r"(ss), "=r"(ds), "=r"(es));
  asm volatile("mov %%fs, %0; mov %%gs, %1; str %2" : "=r"(fs), "=r"(gs), "=r"(tr));
  // The TSS base from its 16-byte system descriptor (Vol. 3A 8.2.3).
  const u64* gdt = reinterpret_cast<const u64*>(g_gdtr.base);
  const u64 lo = gdt[tr / 8], hi = gdt[tr / 8 + 1];
  const u64 tr_base = ((lo >> 16) & 0xFFFFFF) | (((lo >> 56) & 0xFF) << 24) | (hi << 32);
  u64 cr3;
  asm volatile("mov %%cr3, %0" : "=r"(cr3));
  *h = HostState{
      .cr0 = read_cr0(), .cr3 = cr3, .cr4 = read_cr4(),
      .cs = cs, .ss = ss, .ds = ds, .es = es, .fs = fs, .gs = gs, .tr = tr,
      .fs_base = msr_or_zero(msr::kFsBase), .gs_base = msr_or_zero(msr::kGsBase), .tr_base = tr_base,
      .gdtr_base = g_gdtr.base, .idtr_base = g_idtr.base, .gdtr_limit = g_gdtr.limit, .idtr_limit = g_idtr.limit,
      .efer = msr_or_zero(msr::kEfer), .pat = msr_or_zero(msr::kPat),
      .sysenter_cs = static_cast<u32>(msr_or_zero(msr::kSysenterCs)),
      .sysenter_esp = msr_or_zero(msr::kSysenterEsp), .sysenter_eip = msr_or_zero(msr::kSysenterEip),
  };
}

// A VM exit set the GDTR and IDTR limits to FFFFH (28.5.2): put the image's back.
void after_guest_run(void*) {
  asm volatile("lgdt %0" : : "m"(g_gdtr) : "memory");
  asm volatile("lidt %0" : : "m"(g_idtr) : "memory");
}

}  // namespace

GuestEnvironment* guest_environment(u64 vmx_basic) {
  zero(kGuestMemoryBase, kGuestMemoryEnd - kGuestMemoryBase);
  for (u32 k = 0; k < 2; ++k)
    for (u32 p = 0; p < kMaxTouchPages; ++p) g_touch[k][p] = page_at((k == 0 ? kTouchA : kTouchB) + p * kPage);
  for (u32 i = 0; i < kPoolPages; ++i) g_pool[i] = page_at(kPool + i * kPage);
  g_env.platform = {read_host_state, after_guest_run, nullptr};
  core::guest::GuestMemory& m = g_env.memory;
  m.vmcs_b = page_at(kVmcsB);
  write_revision_id(static_cast<u8*>(m.vmcs_b.va), vmx_basic);
  m.pool = {g_pool, kPoolPages, 0};
  m.touch[0] = g_touch[0];
  m.touch[1] = g_touch[1];
  for (u32 i = 0; i < static_cast<u32>(core::guest::ProbePage::kCount); ++i) m.probe[i] = page_at(kProbePages + i * kPage);
  m.identity = kIdentity;
  m.identity_count = 1;
  return &g_env;
}

}  // namespace vmxb::image
