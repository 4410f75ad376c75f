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
    for (const auto& c : info->cr_bits)
      if (c.bit == bit) return c.name;
    for (const auto& f : info->fields)
      if (bit >= f.lo && bit <= f.hi) return f.name;
  }
  return "bit " + std::to_string(bit);
}

std::string cpuid_citation(const CpuidBit& b, bool with_name) {
  FixedText<64> t;
  add_cpuid_citation(t, b, {.with_name = with_name});
  return t.c_str();
}

ValueOf values_of(const CpuState& cpu) {
  return [&cpu](u32 index) { return cpu.value(index); };
}

Presence msr_presence(const VmxMsrInfo& info, const Identity& id, const ValueOf& value_of) {
  if (info.index == msr::kFeatureControl) {
    // Vol. 4 Table 2-2: IA32_FEATURE_CONTROL exists if CPUID.1:ECX.VMX or .SMX is 1.
    if (id.vmx || id.smx) return {true, cpuid_citation(id.vmx ? cpuid::kVmx : cpuid::kSmx) + " = 1"};
    return {false, cpuid_citation(cpuid::kVmx) + " = 0 and " + cpuid_citation(cpuid::kSmx) + " = 0"};
  }
  // Appendix A: the capability MSRs do not exist without VMX (RDMSR #GPs).
  if (!id.vmx) return {false, cpuid_citation(cpuid::kVmx) + " = 0"};
  if (info.present_if.empty()) return {true, "every processor with VMX"};
  // Every condition of one MSR is a bit of the same MSR.
  const u32 dep_index = info.present_if.begin()->msr;
  std::string dep = msr_name(dep_index);
  std::optional<u64> v = value_of(dep_index);
  if (!v) return {false, dep + " was not read"};
  std::string bits;
  for (const auto& b : info.present_if) {
    if (!bits.empty()) bits += " or ";
    bits += "bit " + std::to_string(b.msr_bit()) + " (" + b.name + ")";
  }
  if (*v & mask_of(info.present_if)) return {true, dep + " " + bits + " is 1"};
  return {false, dep + " " + bits + " is 0"};
}

}  // namespace vmxb::diag
