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
  id.facts.vmx = (l1.ecx >> 5) & 1;
  id.facts.hypervisor = (l1.ecx >> 31) & 1;
  const u32 max_ext = cpuid(0x80000000).eax;
  if (max_ext >= 0x80000001) {
    const CpuidRegs e1 = cpuid(0x80000001);
    id.facts.long_mode = (e1.edx >> 29) & 1;
    id.facts.rdtscp = (e1.edx >> 27) & 1;
  }
  id.facts.maxphyaddr = max_ext >= 0x80000008 ? static_cast<u8>(cpuid(0x80000008).eax & 0xFF) : 36;
  return id;
}

VmxPages vmx_pages() { return {g_vmxon_region, g_vmcs, g_vmcs_other, g_scratch, g_ept_root}; }

void write_revision_id(u8* region, u64 vmx_basic) {
  for (int i = 0; i < 4096; ++i) region[i] = 0;
  const u32 revision = static_cast<u32>(vmx_basic & basic::kRevisionIdMask);
  for (int i = 0; i < 4; ++i) region[i] = static_cast<u8>(revision >> (8 * i));
}

VmxSession vmx_prepare_without_vmxon(bool set_vmxe) {
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
  if (s.ctx.vmx_unusable != nullptr) return s;

  const VmxPages pages = vmx_pages();
  write_revision_id(pages.vmxon_region, s.caps.basic);
  write_revision_id(pages.vmcs, s.caps.basic);
  write_revision_id(pages.vmcs_other, s.caps.basic);
  for (int i = 0; i < 4096; ++i) pages.ept_root[i] = 0;
  s.ctx.vmxon_region = phys(pages.vmxon_region);
  s.ctx.vmcs = phys(pages.vmcs);
  s.ctx.vmcs_other = phys(pages.vmcs_other);
  s.ctx.vpid = 1;
  s.ctx.linear_address = 0x10000;
  if (core::ept_allowed(s.caps)) {
    const bool wb = s.caps.ept_vpid_cap & ept_vpid_cap::kMemoryTypeWb;
    const EptpResult e = make_eptp({.root_table_pa = phys(pages.ept_root).value,
                                    .memory_type = wb ? EptMemoryType::kWriteBack : EptMemoryType::kUncacheable},
                                   s.caps.ept_vpid_cap, s.cpu.facts.maxphyaddr);
    if (e.ok()) s.ctx.eptp = e.eptp;
  }

  const u64 cr0 = core::apply_fixed_bits(s.cr0_before, s.caps.cr0_fixed0, s.caps.cr0_fixed1);
  if (cr0 != s.cr0_before) write_cr0(cr0);
  if (set_vmxe) {
    const u64 cr4 = core::apply_fixed_bits(s.cr4_before | kCr4Vmxe, s.caps.cr4_fixed0, s.caps.cr4_fixed1);
    if (!(cr4 & kCr4Vmxe)) {
      s.ctx.vmx_unusable = "IA32_VMX_CR4_FIXED1 does not allow CR4.VMXE";
      return s;
    }
    write_cr4(cr4);
    s.cr4_vmxe_set = true;
  }
  return s;
}

VmxSession vmx_prepare() {
  VmxSession s = vmx_prepare_without_vmxon(true);
  if (s.ctx.vmx_unusable != nullptr) return s;
  VmResult on = VmResult::failed(VmFail::Invalid);
  const int fault = try_call([&] { on = vmxon(s.ctx.vmxon_region); });
  if (fault != kNoFault || !on.ok()) {
    s.ctx.vmx_unusable = fault != kNoFault ? "VMXON raised an exception" : "VMXON failed";
    write_cr4(s.cr4_before);
    return s;
  }
  if (!vmclear(s.ctx.vmcs).ok() || !vmptrld(s.ctx.vmcs).ok() || !vmclear(s.ctx.vmcs_other).ok()) {
    s.ctx.vmx_unusable = "VMCLEAR/VMPTRLD of a fresh VMCS failed";
    (void)vmxoff();
    write_cr4(s.cr4_before);
  }
  return s;
}

void vmx_leave(VmxSession& s) {
  if (s.ctx.vmx_unusable == nullptr) {
    (void)vmclear(s.ctx.vmcs);
    (void)vmxoff();
  }
  write_cr4(s.cr4_before);
}

}  // namespace vmxb::image
