// Which capability MSRs exist, decided only from capabilities already read
// (SDM Vol. 3C Appendix A; Vol. 4 Table 2-2 for IA32_FEATURE_CONTROL). diag
// never reads an MSR whose existence is not implied: on real hardware that
// RDMSR would #GP, and under a nested hypervisor it may return garbage.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "diag/snapshot.h"
#include "primitives/cpuid_bits.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {

struct Presence {
  bool implied = false;
  std::string because;  // the capability that implies it (or why it is not implied)
};

using ValueOf = std::function<std::optional<u64>(u32 index)>;

// The MSR values read on one CPU, as a ValueOf (the CpuState must outlive it).
ValueOf values_of(const CpuState& cpu);

// `value_of` returns the value of an MSR read earlier (nullopt: not read or #GP).
// kVmxMsrs lists every MSR after the MSRs its existence depends on, so one pass
// in table order can decide and read at the same time.
Presence msr_presence(const VmxMsrInfo& info, const Identity& id, const ValueOf& value_of);

// Name of bit `bit` of MSR `index` from the tables in primitives/vmx_capabilities.h;
// for control MSRs `bit` is the 64-bit MSR bit (allowed-1 halves included).
// "bit N" when the table does not name it.
std::string msr_bit_name(u32 index, unsigned bit);

// "IA32_VMX_BASIC" etc.; "MSR 0x..." for an index not in kVmxMsrs.
std::string msr_name(u32 index);

std::string hex(u64 value, int digits = 0);

// "CPUID.1:ECX.VMX[5]" ("CPUID.1:ECX[5]" without the name): a CPUID bit cited
// from its handle (add_cpuid_citation, primitives/cpuid_bits.h).
std::string cpuid_citation(const CpuidBit& b, bool with_name = true);

}  // namespace vmxb::diag
