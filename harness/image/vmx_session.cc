#include "harness/image/vmx_session.h"

#include "harness/image/arch.h"
#include "harness/image/exceptions.h"

namespace vmxb::image {
namespace {

alignas(4096) u8 g_vmxon_region[4096];
alignas(4096) u8 g_vmcs[4096];
alignas(4096) u8 g_vmcs_other[4096];
alignas(4096) u8 g_scratch[4096];
alignas(4096) u8 g_ept_root[4096];

bool read_msr(void*, u32 index, u64* value) { return rdmsr_safe(index, value); }

}  // namespace

CpuIdentity identify_cpu() {
  CpuIdentity id{};
  const CpuidRegs l0 = cpuid(0);
  const u32 words[3] = {l0.ebx, l0.edx, l0.ecx};
  for (int i = 0; i < 12; ++i) id.vendor[i] = static_cast<char>(words[i / 4] >> (8 * (i % 4)));
  id.vendor[12] = '\0';
  const CpuidRegs l1 = cpuid(1);
  const u32 base_family = (l1.eax >> 8) & 0xF;
  id.family = base_family + (base_family == 0xF ? (l1.eax >> 20) & 0xFF : 0);
  id.model = ((l1.eax >> 4) & 0xF) | ((base_family == 6 || base_family == 0xF) ? ((l1.eax >> 16) & 0xF) << 4 : 0);
  id.stepping = l1.eax & 0xF;
  id.facts.intel = streq(id.vendor, "GenuineIntel");
  id.facts.vmx = cpuid::kVmx.in(l1.ecx);
  id.facts.hypervisor = cpuid::kHypervisor.in(l1.ecx);
  const u32 max_ext = cpuid(cpuid_leaf::kMaxExtended).eax;
  if (max_ext >= cpuid_leaf::kExtendedFeatures) {
    const CpuidRegs e1 = cpuid(cpuid_leaf::kExtendedFeatures);
    id.facts.long_mode = cpuid::kLongMode.in(e1.edx);
    id.facts.rdtscp = cpuid::kRdtscp.in(e1.edx);
  }
  id.facts.maxphyaddr =
      max_ext >= cpuid_leaf::kAddressSizes ? static_cast<u8>(cpuid(cpuid_leaf::kAddressSizes).eax & 0xFF) : 36;
  return id;
}

VmxPages vmx_pages() { return {g_vmxon_region, g_vmcs, g_vmcs_other, g_scratch, g_ept_root}; }

void write_revision_id(u8* region, u64 vmx_basic) {
  for (int i = 0; i < 4096; ++i) region[i] = 0;
  core::write_revision_id(region, vmx_basic);
}

const core::VmxPlatform& vmx_platform() {
  static const core::VmxPlatform platform{
      .read_cr0 = [](void*) { return read_cr0(); },
      .read_cr4 = [](void*) { return read_cr4(); },
      .set_cr4_vmxe = [](void*) { write_cr4(read_cr4() | cr4::kVmxe.mask()); },
      .clear_cr4_vmxe = [](void*) { write_cr4(read_cr4() & ~cr4::kVmxe.mask()); },
  };
  return platform;
}

VmxSession vmx_prepare() {
  VmxSession s;
  s.cpu = identify_cpu();
  s.cr0_before = read_cr0();
  s.cr4_before = read_cr4();
  if (!s.cpu.facts.vmx) {
    s.ctx.vmx_unusable = core::vmx_unusable_reason(s.cpu.facts, s.caps);
    return s;
  }
  // We are the firmware here: an unlocked IA32_FEATURE_CONTROL is ours to set
  // (Vol. 4 Table 2-2; VMXON raises #GP unless it is locked with bit 2 set).
  u64 fc = 0;
  if (rdmsr_safe(msr::kFeatureControl, &fc) && !(fc & feature_control::kLock))
    wrmsr_safe(msr::kFeatureControl, fc | feature_control::kLock | feature_control::kVmxOutsideSmx);
  s.caps = core::read_vmx_capabilities(read_msr, nullptr);
  s.ctx.vmx_unusable = core::vmx_unusable_reason(s.cpu.facts, s.caps);
  if (s.ctx.vmx_unusable == nullptr) s.ctx.vmx_unusable = core::vmx_regions_unusable_reason(s.caps);
  if (s.ctx.vmx_unusable != nullptr) return s;

  const VmxPages pages = vmx_pages();
  u8* const owned[] = {pages.vmxon_region, pages.vmcs, pages.vmcs_other, pages.ept_root};
  for (u8* page : owned)
    for (int i = 0; i < 4096; ++i) page[i] = 0;
  const core::VmxRegions regions{{pages.vmxon_region, phys(pages.vmxon_region)},
                                 {pages.vmcs, phys(pages.vmcs)},
                                 {pages.vmcs_other, phys(pages.vmcs_other)},
                                 {pages.ept_root, phys(pages.ept_root)}};
  core::prepare_vmx_context(s.ctx, regions, s.caps, s.cpu.facts);
  s.ctx.vpid = 1;
  s.ctx.linear_address = 0x10000;

  // The fixed bits other than CR4.VMXE, which core::VmxOperation sets (24.8).
  const u64 cr0 = core::apply_fixed_bits(s.cr0_before, s.caps.cr0_fixed0, s.caps.cr0_fixed1);
  if (cr0 != s.cr0_before) write_cr0(cr0);
  const u64 cr4 = core::apply_fixed_bits(s.cr4_before, s.caps.cr4_fixed0, s.caps.cr4_fixed1) & ~cr4::kVmxe.mask();
  if (cr4 != s.cr4_before) write_cr4(cr4);
  return s;
}

void vmx_restore(const VmxSession& s) { write_cr4(s.cr4_before); }

}  // namespace vmxb::image
