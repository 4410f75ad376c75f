// Table-driven decoding of the capability MSRs (SDM Vol. 3C Appendix A),
// QEMU vmxcap style: the tables in primitives/vmx_capabilities.h say which
// bits and fields exist and what they are called; this file only knows the
// MSR layouts (MsrLayout) and how each layout is read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diag/presence.h"
#include "diag/snapshot.h"
#include "primitives/inv_types.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {

// How a VM-execution/exit/entry control may be set (A.3-A.5).
enum class Setting {
  kYes,      // may be 0 or 1
  kNo,       // must be 0 (allowed-1 bit clear)
  kForced,   // must be 1 (allowed-0 bit set in the MSR that governs VM entry)
  kDefault,  // 1 in the legacy MSR, clearable through the TRUE MSR (default1 class, A.2)
  kUnknown,  // the source does not tell (/proc/cpuinfo fallback)
};
const char* setting_name(Setting s);

// How a CR0/CR4 bit may be set in VMX operation (A.7, A.8).
enum class CrSetting { kFixed1, kFixed0, kFlexible };
const char* cr_setting_name(CrSetting s);

using Tri = std::optional<bool>;  // true / false / unknown

struct BitEntry {
  unsigned bit;
  std::string name;  // from the table; "bit N" when unnamed
  bool named;
  Tri set;           // unknown only in the /proc/cpuinfo fallback
};

struct FieldEntry {
  unsigned hi, lo;
  std::string name;
  u64 value;
  std::string meaning;  // e.g. "WB", "4096 bytes"; may be empty
};

struct ControlEntry {
  unsigned bit;  // control bit (0..31, or 0..63 for the allowed-1-only MSRs)
  std::string name;
  bool named;
  Setting setting;
};

struct CrEntry {
  unsigned bit;
  std::string name;
  bool named;
  CrSetting setting;
};

struct DecodedMsr {
  const VmxMsrInfo* info = nullptr;
  Presence presence;
  std::optional<MsrRead> read;  // nullopt: not read
  // TRUE MSR folded into its legacy control MSR; FIXED1 folded into FIXED0.
  const VmxMsrInfo* companion = nullptr;
  std::optional<MsrRead> companion_read;
  std::vector<BitEntry> bits;
  std::vector<FieldEntry> fields;
  std::vector<ControlEntry> controls;
  std::vector<CrEntry> cr_bits;
  std::vector<unsigned> undocumented;  // set bits that no table entry names (reserved)
};

// One INVEPT/INVVPID type (primitives/inv_types.h) and whether it is supported.
struct InvTypeSupport {
  int type;      // the INVEPT/INVVPID type operand (Vol. 3C 31.3)
  unsigned bit;  // its IA32_VMX_EPT_VPID_CAP bit
  std::string name;
  std::optional<bool> supported;
};

struct EptVpidSummary {
  Tri ept, vpid, unrestricted_guest;  // secondary controls allowed-1 (A.3.3)
  bool cap_known = false;             // IA32_VMX_EPT_VPID_CAP available
  std::vector<int> walk_lengths;      // 4, 5
  std::vector<std::string> memory_types;  // names of the supported EPT memory-type bits
  std::vector<std::string> features;      // other set capability bits, by table name
  Tri invept, invvpid;
  std::vector<InvTypeSupport> invept_types, invvpid_types;
};

struct Decoded {
  int cpu = 0;  // the decoded CPU (the first one; differences are reported apart)
  bool from_cpuinfo = false;
  std::vector<DecodedMsr> msrs;  // kVmxMsrs order; TRUE and FIXED1 MSRs folded
  EptVpidSummary ept_vpid;
  std::vector<std::string> unmapped_flags;  // cpuinfo flags diag does not know
  std::vector<std::string> missing;         // what the source could not tell
};

Decoded decode(const Snapshot& s);

}  // namespace vmxb::diag
