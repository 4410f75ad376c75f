#include "diag/identify.h"

#include <libcpuid.h>

#include <cstring>

#include "primitives/cpuid_bits.h"

namespace vmxb::diag {
namespace {

// Register slots of libcpuid's raw arrays.
enum { kEax = 0, kEbx = 1, kEcx = 2, kEdx = 3 };

void quiet_warning(const char*) {}

// An extended-leaf feature bit from libcpuid's raw leaves (slots in CpuidReg order).
bool extended_bit(const cpu_raw_data_t& raw, const CpuidBit& b) {
  return b.in(raw.ext_cpuid[b.leaf - cpuid_leaf::kMaxExtended][static_cast<int>(b.reg)]);
}

std::string regs_string(u32 a, u32 b, u32 c) {
  char s[13];
  std::memcpy(s, &a, 4);
  std::memcpy(s + 4, &b, 4);
  std::memcpy(s + 8, &c, 4);
  s[12] = '\0';
  std::string out(s);  // stops at the first NUL
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Fields libcpuid leaves to the caller are read from the raw leaves, with the
// SDM's bit positions (Vol. 2A CPUID).
void fill_from_raw(const cpu_raw_data_t& raw, const cpu_id_t& id, Identity& out) {
  out.vendor = id.vendor_str;
  out.brand = id.brand_str;
  while (!out.brand.empty() && out.brand.back() == ' ') out.brand.pop_back();
  out.family = id.ext_family;
  out.model = id.ext_model;
  out.stepping = id.stepping;
  // The feature bits straight from leaf 1: libcpuid decodes VMX and SMX only
  // for vendors it files as Intel, but an emulated CPU with another vendor
  // string can set them, and diag must say what CPUID says.
  const u32 leaf1_ecx = raw.basic_cpuid[cpuid_leaf::kFeatures][kEcx];
  out.vmx = cpuid::kVmx.in(leaf1_ecx);
  out.smx = cpuid::kSmx.in(leaf1_ecx);
  out.hypervisor = cpuid::kHypervisor.in(leaf1_ecx);
  const u32 max_ext = raw.ext_cpuid[0][kEax];
  if (max_ext >= cpuid_leaf::kExtendedFeatures) {
    out.long_mode = extended_bit(raw, cpuid::kLongMode);
    out.nx = extended_bit(raw, cpuid::kNx);
  }
  if (max_ext >= cpuid_leaf::kAddressSizes) out.maxphyaddr = static_cast<int>(raw.ext_cpuid[8][kEax] & 0xFF);
}

const char* hypervisor_str(hypervisor_vendor_t h) {
  switch (h) {
    case HYPERVISOR_NONE: return "";
    case HYPERVISOR_BHYVE: return "bhyve";
    case HYPERVISOR_HYPERV: return "Hyper-V";
    case HYPERVISOR_KVM: return "KVM";
    case HYPERVISOR_PARALLELS: return "Parallels";
    case HYPERVISOR_QEMU: return "QEMU";
    case HYPERVISOR_VIRTUALBOX: return "VirtualBox";
    case HYPERVISOR_VMWARE: return "VMware";
    case HYPERVISOR_XEN: return "Xen";
    default: return "unknown";
  }
}

}  // namespace

bool identify_live(Identity& out, std::string& error) {
  cpuid_set_warn_function(quiet_warning);
  if (!cpuid_present()) {
    error = "CPUID not supported";
    return false;
  }
  cpu_raw_data_t raw;
  cpu_id_t id;
  if (cpuid_get_raw_data(&raw) < 0 || cpu_identify(&raw, &id) < 0) {
    error = std::string("libcpuid: ") + cpuid_error();
    return false;
  }
  fill_from_raw(raw, id, out);
  if (out.hypervisor) {
    // The hypervisor's vendor signature, CPUID leaf 0x40000000 EBX:ECX:EDX.
    uint32_t regs[4] = {0x40000000u, 0, 0, 0};
    cpu_exec_cpuid_ext(regs);
    out.hypervisor_signature = regs_string(regs[kEbx], regs[kEcx], regs[kEdx]);
    out.hypervisor_name = hypervisor_str(cpuid_get_hypervisor(&raw, &id));
  }
  return true;
}

bool identify_from_leaves(const std::vector<CpuidLeaf>& leaves, Identity& out, std::string& error) {
  cpuid_set_warn_function(quiet_warning);
  cpu_raw_data_t raw;
  std::memset(&raw, 0, sizeof raw);
  bool have0 = false, have1 = false;
  const CpuidLeaf* hv = nullptr;
  for (const auto& l : leaves) {
    const uint32_t regs[4] = {l.eax, l.ebx, l.ecx, l.edx};
    if (l.leaf < MAX_CPUID_LEVEL) {
      if (l.leaf == 4 && l.subleaf < MAX_INTELFN4_LEVEL)
        std::memcpy(raw.intel_fn4[l.subleaf], regs, sizeof regs);
      else if (l.leaf == 0xB && l.subleaf < MAX_INTELFN11_LEVEL)
        std::memcpy(raw.intel_fn11[l.subleaf], regs, sizeof regs);
      if (l.subleaf == 0) std::memcpy(raw.basic_cpuid[l.leaf], regs, sizeof regs);
      have0 |= l.leaf == 0;
      have1 |= l.leaf == 1;
    } else if (l.leaf >= 0x80000000u && l.leaf < 0x80000000u + MAX_EXT_CPUID_LEVEL && l.subleaf == 0) {
      std::memcpy(raw.ext_cpuid[l.leaf - 0x80000000u], regs, sizeof regs);
    } else if (l.leaf == 0x40000000u) {
      hv = &l;
    }
  }
  if (!have0 || !have1) {
    error = "CPUID leaves 0 and 1 are needed";
    return false;
  }
  cpu_id_t id;
  if (cpu_identify(&raw, &id) < 0) {
    error = std::string("libcpuid: ") + cpuid_error();
    return false;
  }
  fill_from_raw(raw, id, out);
  if (out.hypervisor && hv != nullptr) out.hypervisor_signature = regs_string(hv->ebx, hv->ecx, hv->edx);
  return true;
}

}  // namespace vmxb::diag
