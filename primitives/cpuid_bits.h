// The CPUID feature bits the project reads (SDM Vol. 2A, CPUID, Tables 3-10,
// 3-11 and the extended-function leaves): one handle per bit, used by the
// image, the kernel module and diag alike.
#pragma once

#include "primitives/fixed_text.h"
#include "primitives/types.h"

namespace vmxb {

enum class CpuidReg : u8 { kEax, kEbx, kEcx, kEdx };

constexpr const char* cpuid_reg_name(CpuidReg r) {
  switch (r) {
    case CpuidReg::kEax: return "EAX";
    case CpuidReg::kEbx: return "EBX";
    case CpuidReg::kEcx: return "ECX";
    case CpuidReg::kEdx: return "EDX";
  }
  return "?";
}

namespace cpuid_leaf {
inline constexpr u32 kFeatures = 1;
inline constexpr u32 kStructuredExtendedFeatures = 7;  // subleaf 0
inline constexpr u32 kThermalPower = 6;               // ECX[0]: IA32_APERF/IA32_MPERF
inline constexpr u32 kPerformanceMonitoring = 0xA;     // EAX[7:0] version, EDX[4:0] fixed counters
inline constexpr u32 kTscCrystal = 0x15;               // EBX/EAX = TSC/crystal ratio, ECX = crystal Hz
inline constexpr u32 kProcessorFrequency = 0x16;       // EAX[15:0] = base frequency in MHz
inline constexpr u32 kHypervisorVendor = 0x40000000;  // exists only when the hypervisor bit is 1
inline constexpr u32 kMaxExtended = 0x80000000;
inline constexpr u32 kExtendedFeatures = 0x80000001;
inline constexpr u32 kAdvancedPowerManagement = 0x80000007;  // EDX[8]: invariant TSC
inline constexpr u32 kAddressSizes = 0x80000008;  // EAX[7:0] = MAXPHYADDR
}  // namespace cpuid_leaf

struct CpuidBit {
  u32 leaf;
  CpuidReg reg;
  u8 bit;
  const char* name;
  constexpr u32 mask() const { return u32{1} << bit; }
  constexpr bool in(u32 reg_value) const { return (reg_value & mask()) != 0; }
};

namespace cpuid {
inline constexpr CpuidBit kVmx{cpuid_leaf::kFeatures, CpuidReg::kEcx, 5, "VMX"};
inline constexpr CpuidBit kSmx{cpuid_leaf::kFeatures, CpuidReg::kEcx, 6, "SMX"};
inline constexpr CpuidBit kHypervisor{cpuid_leaf::kFeatures, CpuidReg::kEcx, 31, "hypervisor"};
inline constexpr CpuidBit kNx{cpuid_leaf::kExtendedFeatures, CpuidReg::kEdx, 20, "NX"};
inline constexpr CpuidBit kRdtscp{cpuid_leaf::kExtendedFeatures, CpuidReg::kEdx, 27, "RDTSCP"};
inline constexpr CpuidBit kLongMode{cpuid_leaf::kExtendedFeatures, CpuidReg::kEdx, 29, "LM"};
inline constexpr CpuidBit kAperfMperf{cpuid_leaf::kThermalPower, CpuidReg::kEcx, 0, "APERFMPERF"};
inline constexpr CpuidBit kInvariantTsc{cpuid_leaf::kAdvancedPowerManagement, CpuidReg::kEdx, 8, "INVTSC"};
// Instructions that share 0F C7 with the register forms of VMX instructions
// (Vol. 2D Table A-6, group 9); the semantics suite skips those forms.
inline constexpr CpuidBit kRdrand{cpuid_leaf::kFeatures, CpuidReg::kEcx, 30, "RDRAND"};
inline constexpr CpuidBit kRdseed{cpuid_leaf::kStructuredExtendedFeatures, CpuidReg::kEbx, 18, "RDSEED"};
inline constexpr CpuidBit kUintr{cpuid_leaf::kStructuredExtendedFeatures, CpuidReg::kEdx, 5, "UINTR"};
}  // namespace cpuid

// How a citation of a CPUID bit is written.
struct CpuidCitation {
  bool with_name = true;   // "CPUID.1:ECX.VMX[5]" rather than "CPUID.1:ECX[5]"
  bool bit_word = false;   // "[bit 5]" rather than "[5]"
};

// "CPUID.1:ECX.VMX[5]", "CPUID.80000001H:EDX.LM[29]": a CPUID bit cited as the
// SDM does, from its handle.
template <usize N>
constexpr FixedText<N>& add_cpuid_citation(FixedText<N>& t, const CpuidBit& b, CpuidCitation style = {}) {
  t.add("CPUID.").add_hex(b.leaf).add(b.leaf > 9 ? "H:" : ":").add(cpuid_reg_name(b.reg));
  if (style.with_name) t.add(".").add(b.name);
  return t.add(style.bit_word ? "[bit " : "[").add_dec(b.bit).add("]");
}

}  // namespace vmxb
