#include "diag/presence.h"

#include <cstdio>

namespace vmxb::diag {

std::string hex(u64 value, int digits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(value));
  return buf;
}

std::string msr_name(u32 index) {
  if (const VmxMsrInfo* info = find_vmx_msr(index)) return info->name;
  return "MSR " + hex(index);
}

std::string msr_bit_name(u32 index, unsigned bit) {
  const VmxMsrInfo* info = find_vmx_msr(index);
  if (info != nullptr) {
    // Control MSRs name the control, which sits in both halves (A.3).
    unsigned control_bit = bit;
    if (info->layout == MsrLayout::kControls && bit >= kAllowed1Shift) control_bit -= kAllowed1Shift;
    for (const auto& b : info->bits)
      if (b.bit == control_bit) return b.name;
    for (const auto& f : info->fields)
      if (bit >= f.lo && bit <= f.hi) return f.name;
  }
  return "bit " + std::to_string(bit);
}

ValueOf values_of(const CpuState& cpu) {
  return [&cpu](u32 index) { return cpu.value(index); };
}

Presence msr_presence(const VmxMsrInfo& info, const Identity& id, const ValueOf& value_of) {
  if (info.index == msr::kFeatureControl) {
    // Vol. 4 Table 2-2: IA32_FEATURE_CONTROL exists if CPUID.1:ECX.VMX or .SMX is 1.
    if (id.vmx || id.smx) return {true, id.vmx ? "CPUID.1:ECX.VMX[5] = 1" : "CPUID.1:ECX.SMX[6] = 1"};
    return {false, "CPUID.1:ECX.VMX[5] = 0 and CPUID.1:ECX.SMX[6] = 0"};
  }
  // Appendix A: the capability MSRs do not exist without VMX (RDMSR #GPs).
  if (!id.vmx) return {false, "CPUID.1:ECX.VMX[5] = 0"};
  if (info.present_if_msr == 0) return {true, "every processor with VMX"};
  std::string dep = msr_name(info.present_if_msr);
  std::optional<u64> v = value_of(info.present_if_msr);
  if (!v) return {false, dep + " was not read"};
  std::string bits;
  for (unsigned b = 0; b < 64; ++b) {
    if (!(info.present_if_mask & bit(b))) continue;
    if (!bits.empty()) bits += " or ";
    bits += "bit " + std::to_string(b) + " (" + msr_bit_name(info.present_if_msr, b) + ")";
  }
  if (*v & info.present_if_mask) return {true, dep + " " + bits + " is 1"};
  return {false, dep + " " + bits + " is 0"};
}

}  // namespace vmxb::diag
