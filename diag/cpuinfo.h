// /proc/cpuinfo: the fallback when the capability MSRs cannot be read, and the
// microcode revision the kernel read from IA32_BIOS_SIGN_ID.
//
// Linux prints a "vmx flags" line (arch/x86/include/asm/vmxfeatures.h) built
// from the allowed-1 halves of the control MSRs and some IA32_VMX_EPT_VPID_CAP
// bits, and clears "vmx" from "flags" when IA32_FEATURE_CONTROL does not enable
// VMX outside SMX (arch/x86/kernel/cpu/feat_ctl.c). That is all it tells:
// no allowed-0 halves, no TRUE MSRs, no VMX_BASIC/MISC/fixed bits, no INVEPT types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "primitives/named_bits.h"

namespace vmxb::diag {

struct CpuinfoCpu {
  int processor = -1;
  std::string vendor;
  std::vector<std::string> flags;
  bool has_vmx_flags_line = false;
  std::vector<std::string> vmx_flags;
  std::optional<u32> microcode;

  bool has_flag(std::string_view f) const;
};

std::vector<CpuinfoCpu> parse_cpuinfo(std::string_view text);

// Where a Linux "vmx flags" name comes from: the capability bit it reflects,
// or nullptr for a Linux aggregate of several capabilities (flexpriority,
// apicv), described by `aggregate`.
struct VmxFlagSource {
  const char* flag;
  const CapBit* cap;
  const char* aggregate = nullptr;
};

const VmxFlagSource* find_vmx_flag(std::string_view flag);

// Every flag Linux may print, for the "what /proc/cpuinfo cannot tell" logic:
// a named capability bit that no entry covers is unknown in the fallback.
const std::vector<VmxFlagSource>& vmx_flag_sources();

}  // namespace vmxb::diag
