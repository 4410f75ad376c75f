#include "diag/decode.h"

#include <algorithm>

#include "diag/cpuinfo.h"

namespace vmxb::diag {

const char* setting_name(Setting s) {
  switch (s) {
    case Setting::kYes: return "yes";
    case Setting::kNo: return "no";
    case Setting::kForced: return "forced";
    case Setting::kDefault: return "default";
    case Setting::kUnknown: return "unknown";
  }
  return "?";
}

const char* cr_setting_name(CrSetting s) {
  switch (s) {
    case CrSetting::kFixed1: return "fixed-1";
    case CrSetting::kFixed0: return "fixed-0";
    case CrSetting::kFlexible: return "flexible";
  }
  return "?";
}

namespace {


// Bits a table accounts for: named bits plus multi-bit fields.
u64 covered_mask(const VmxMsrInfo& info) {
  u64 m = 0;
  for (const auto& b : info.bits) m |= bit(b.bit);
  for (const auto& c : info.cr_bits) m |= c.mask();
  for (const auto& f : info.fields) m |= bit_range(f.hi, f.lo);
  return m;
}

template <typename Table>
const char* named(const Table& t, unsigned b) {
  for (const auto& e : t)
    if (e.bit == b) return e.name;
  return nullptr;
}

// The memory type encodings the SDM allows for the VMCS (A.1) and the EPT
// paging structures (A.10): 0 = UC, 6 = WB (Vol. 3A, memory type encodings).
std::string memory_type_meaning(u64 t) {
  if (t == 0) return "UC, uncacheable";
  if (t == 6) return "WB, write-back";
  return "reserved";
}

// What a field's number means, where the SDM gives it a unit (A.1, A.6).
std::string field_meaning(const VmxMsrInfo& info, const FieldName& f, u64 v) {
  if (info.index == msr::kVmxBasic) {
    if (f == basic::kVmcsRegionSize) return std::to_string(v) + " bytes";
    if (f == basic::kVmcsMemoryType) return memory_type_meaning(v);
  } else if (info.index == msr::kVmxMisc) {
    if (f == misc::kPreemptionTimerRatio) return "timer ticks when TSC bit " + std::to_string(v) + " changes";
    if (f == misc::kMsrListSize) return std::to_string(512 * (v + 1)) + " MSRs per list";
  }
  return "";
}

void decode_bits(const VmxMsrInfo& info, u64 v, DecodedMsr& d) {
  for (const auto& b : info.bits) d.bits.push_back({b.bit, b.name, true, bit_set(v, b.bit)});
  for (const auto& f : info.fields) {
    u64 fv = f.value(v);
    d.fields.push_back({f.hi, f.lo, f.name, fv, field_meaning(info, f, fv)});
  }
  const u64 extra = v & ~covered_mask(info);
  for (unsigned b = 0; b < 64; ++b)
    if (bit_set(extra, b)) d.undocumented.push_back(b);
}

// A.3-A.5: allowed-0 settings in bits 31:0 (1 = must be 1), allowed-1 settings
// in bits 63:32 (1 = may be 1). With IA32_VMX_BASIC[55] = 1 the TRUE MSR governs
// VM entry; the legacy MSR reports the default1 class as must-be-1 regardless,
// so a control that is must-be-1 only in the legacy MSR is "default".
void decode_controls(const VmxMsrInfo& info, u64 legacy, std::optional<u64> true_value,
                     DecodedMsr& d) {
  const u32 a0 = static_cast<u32>(legacy);
  // With a TRUE MSR, it alone governs VM entry (A.3.1: "all information ... is
  // contained in the TRUE MSR"); the checks report any disagreement.
  const u32 a1 = static_cast<u32>((true_value ? *true_value : legacy) >> kAllowed1Shift);
  auto setting = [&](unsigned b) {
    if (!bit_set(a1, b)) return Setting::kNo;
    if (true_value) {
      if (bit_set(*true_value, b)) return Setting::kForced;
      return bit_set(a0, b) ? Setting::kDefault : Setting::kYes;
    }
    return bit_set(a0, b) ? Setting::kForced : Setting::kYes;
  };
  for (unsigned b = 0; b < 32; ++b) {
    const char* n = named(info.bits, b);
    if (n != nullptr) {
      d.controls.push_back({b, n, true, setting(b)});
    } else if (bit_set(a0 | a1, b)) {
      // A reserved control that may or must be 1: worth showing.
      d.controls.push_back({b, "bit " + std::to_string(b), false, setting(b)});
      if (!bit_set(info.default1, b)) d.undocumented.push_back(b + kAllowed1Shift);
    }
  }
}

// A.3.4 (and the secondary VM-exit controls): 64 allowed-1 bits.
void decode_allowed1_only(const VmxMsrInfo& info, u64 v, DecodedMsr& d) {
  for (unsigned b = 0; b < 64; ++b) {
    const char* n = named(info.bits, b);
    if (n != nullptr)
      d.controls.push_back({b, n, true, bit_set(v, b) ? Setting::kYes : Setting::kNo});
    else if (bit_set(v, b)) {
      d.controls.push_back({b, "bit " + std::to_string(b), false, Setting::kYes});
      d.undocumented.push_back(b);
    }
  }
}

// A.7/A.8: FIXED0 bit 1 = fixed to 1; FIXED1 bit 0 = fixed to 0.
void decode_fixed(const VmxMsrInfo& info, u64 fixed0, u64 fixed1, DecodedMsr& d) {
  auto setting = [&](unsigned b) {
    if (bit_set(fixed0, b)) return CrSetting::kFixed1;
    if (!bit_set(fixed1, b)) return CrSetting::kFixed0;
    return CrSetting::kFlexible;
  };
  for (unsigned b = 0; b < 64; ++b) {
    const char* n = named(info.cr_bits, b);
    if (n != nullptr)
      d.cr_bits.push_back({b, n, true, setting(b)});
    else if (bit_set(fixed0 | fixed1, b))
      d.cr_bits.push_back({b, "bit " + std::to_string(b), false, setting(b)});
  }
}

bool is_true_msr(const VmxMsrInfo& info) {
  for (const auto& m : kVmxMsrs)
    if (m.true_counterpart == info.index) return true;
  return false;
}

std::optional<MsrRead> read_of(const CpuState& cpu, u32 index) {
  if (const MsrRead* r = cpu.find(index)) return *r;
  return std::nullopt;
}

DecodedMsr decode_one(const VmxMsrInfo& info, const Snapshot& s, const CpuState& cpu) {
  DecodedMsr d;
  d.info = &info;
  d.presence = msr_presence(info, s.identity, values_of(cpu));
  d.read = read_of(cpu, info.index);
  if (info.layout == MsrLayout::kControls && info.true_counterpart != 0) {
    d.companion = find_vmx_msr(info.true_counterpart);
    if (msr_presence(*d.companion, s.identity, values_of(cpu)).implied)
      d.companion_read = read_of(cpu, info.true_counterpart);
  } else if (info.layout == MsrLayout::kFixed0) {
    d.companion = find_vmx_msr(info.index + 1);
    d.companion_read = read_of(cpu, info.index + 1);
  }
  if (!d.read || d.read->status != MsrStatus::kOk) return d;
  const u64 v = d.read->value;
  const bool companion_ok = d.companion_read && d.companion_read->status == MsrStatus::kOk;
  switch (info.layout) {
    case MsrLayout::kControls:
      decode_controls(info, v, companion_ok ? std::optional<u64>(d.companion_read->value) : std::nullopt, d);
      break;
    case MsrLayout::kAllowed1Only:
      decode_allowed1_only(info, v, d);
      break;
    case MsrLayout::kFixed0:
      decode_fixed(info, v, companion_ok ? d.companion_read->value : ~u64{0}, d);
      break;
    default:
      decode_bits(info, v, d);
      break;
  }
  return d;
}

Tri secondary_allowed1(const Snapshot& s, const CpuState& cpu, const CapBit& control) {
  const VmxMsrInfo* ctls2 = find_vmx_msr(msr::kVmxProcbasedCtls2);
  Presence p = msr_presence(*ctls2, s.identity, values_of(cpu));
  if (!p.implied) {
    // No secondary controls at all, unless we could not even tell.
    if (cpu.value(msr::kVmxProcbasedCtls) || !s.identity.vmx) return false;
    return std::nullopt;
  }
  if (auto v = cpu.value(msr::kVmxProcbasedCtls2)) return control_allowed1(*v, control);
  return std::nullopt;
}

// The INVEPT/INVVPID types of one instruction; `cap` nullopt = unknown.
std::vector<InvTypeSupport> inv_types(const InvInstruction& inv, std::optional<u64> cap) {
  std::vector<InvTypeSupport> out;
  for (const auto& t : inv.types)
    out.push_back({static_cast<int>(t.type), t.cap.bit, t.cap.name,
                   cap ? std::optional<bool>(t.cap.in(*cap)) : std::nullopt});
  return out;
}

// The EPT_VPID_CAP bits the summary lists as memory types and as features.
constexpr CapBit kEptMemoryTypeBits[] = {ept_vpid_cap::kMemoryTypeUc, ept_vpid_cap::kMemoryTypeWb};
constexpr CapBit kEptFeatureBits[] = {ept_vpid_cap::kExecuteOnly,         ept_vpid_cap::kPde2MbPages,
                                      ept_vpid_cap::kPdpte1GbPages,       ept_vpid_cap::kAccessedDirtyFlags,
                                      ept_vpid_cap::kAdvancedExitInfo,    ept_vpid_cap::kSupervisorShadowStack};

EptVpidSummary summarize_msrs(const Snapshot& s, const CpuState& cpu) {
  EptVpidSummary e;
  e.ept = secondary_allowed1(s, cpu, secondary::kEnableEpt);
  e.vpid = secondary_allowed1(s, cpu, secondary::kEnableVpid);
  e.unrestricted_guest = secondary_allowed1(s, cpu, secondary::kUnrestrictedGuest);
  const VmxMsrInfo* capinfo = find_vmx_msr(msr::kVmxEptVpidCap);
  Presence p = msr_presence(*capinfo, s.identity, values_of(cpu));
  std::optional<u64> cap = cpu.value(msr::kVmxEptVpidCap);
  if (p.implied && !cap) {
    // Should exist but could not be read: nothing known.
    e.invept = e.invvpid = std::nullopt;
    e.invept_types = inv_types(kInvept, std::nullopt);
    e.invvpid_types = inv_types(kInvvpid, std::nullopt);
    return e;
  }
  // Absent MSR: neither EPT nor VPID, so no INVEPT/INVVPID (31.3: they #UD).
  const u64 v = p.implied ? *cap : 0;
  e.cap_known = p.implied;
  if (ept_vpid_cap::kPageWalkLength4.in(v)) e.walk_lengths.push_back(4);
  if (ept_vpid_cap::kPageWalkLength5.in(v)) e.walk_lengths.push_back(5);
  for (const auto& b : kEptMemoryTypeBits)
    if (b.in(v)) e.memory_types.push_back(b.name);
  for (const auto& b : kEptFeatureBits)
    if (b.in(v)) e.features.push_back(b.name);
  e.invept = kInvept.instruction.in(v);
  e.invvpid = kInvvpid.instruction.in(v);
  e.invept_types = inv_types(kInvept, v);
  e.invvpid_types = inv_types(kInvvpid, v);
  return e;
}

// ---- /proc/cpuinfo fallback ----

const VmxFlagSource* flag_for(const CapBit& b) {
  for (const auto& f : vmx_flag_sources())
    if (f.cap != nullptr && *f.cap == b) return &f;
  return nullptr;
}

bool has(const std::vector<std::string>& flags, const char* f) {
  return std::find(flags.begin(), flags.end(), f) != flags.end();
}

Tri flag_setting(const std::vector<std::string>& flags, const CapBit& b) {
  const VmxFlagSource* f = flag_for(b);
  if (f == nullptr) return std::nullopt;
  return has(flags, f->flag);
}

bool any_secondary(const std::vector<std::string>& flags) {
  for (const auto& f : flags) {
    const VmxFlagSource* src = find_vmx_flag(f);
    if (src != nullptr && src->cap != nullptr && src->cap->msr == msr::kVmxProcbasedCtls2) return true;
  }
  return false;
}

Decoded decode_cpuinfo(const Snapshot& s, const CpuState& cpu) {
  Decoded out;
  out.cpu = cpu.cpu;
  out.from_cpuinfo = true;
  const auto& flags = cpu.vmx_flags;
  for (const auto& info : kVmxMsrs) {
    if (is_true_msr(info) || info.layout == MsrLayout::kFixed1) continue;
    DecodedMsr d;
    d.info = &info;
    d.presence = {false, "not available from /proc/cpuinfo"};
    const bool mapped = info.index == msr::kVmxPinbasedCtls || info.index == msr::kVmxProcbasedCtls ||
                        info.index == msr::kVmxProcbasedCtls2 || info.index == msr::kVmxEptVpidCap ||
                        info.index == msr::kVmxVmfunc;
    if (mapped) {
      d.presence = {true, "partially, from /proc/cpuinfo \"vmx flags\""};
      for (const auto& b : info.bits) {
        if (info.layout == MsrLayout::kControls) {
          Tri t = flag_setting(flags, b);
          // A secondary control Linux shows means IA32_VMX_PROCBASED_CTLS2
          // exists, which it does only if "Activate secondary controls" may
          // be 1 (A.3.3); Linux's rdmsr_safe of an absent MSR yields no flags.
          if (!t && b == primary::kActivateSecondaryControls && any_secondary(flags)) t = true;
          d.controls.push_back({b.bit, b.name, true, !t ? Setting::kUnknown : *t ? Setting::kYes : Setting::kNo});
        } else {
          d.bits.push_back({b.bit, b.name, true, flag_setting(flags, b)});
        }
      }
    }
    out.msrs.push_back(d);
  }
  EptVpidSummary& e = out.ept_vpid;
  e.ept = has(flags, "ept");
  e.vpid = has(flags, "vpid");
  e.unrestricted_guest = has(flags, "unrestricted_guest");
  e.invvpid = has(flags, "invvpid");
  e.invept_types = inv_types(kInvept, std::nullopt);
  e.invvpid_types = inv_types(kInvvpid, std::nullopt);
  for (const char* f : {"ept_x_only", "ept_1gb", "ept_ad"})
    if (has(flags, f)) e.features.push_back(find_vmx_flag(f)->cap->name);
  for (const auto& f : flags) {
    const VmxFlagSource* src = find_vmx_flag(f);
    if (src == nullptr) out.unmapped_flags.push_back(f);
  }
  (void)s;
  out.missing = {
      "raw MSR values (the msr driver could not be used: see msr_access)",
      "allowed-0 settings: which controls are forced to 1, and the TRUE MSRs (default1 controls)",
      "controls Linux does not print (most primary, all VM-exit and VM-entry controls)",
      "IA32_FEATURE_CONTROL itself (only inferred: Linux shows vmx flags only when VMX is enabled)",
      "IA32_VMX_BASIC: VMCS revision, VMCS size, VMCS memory type",
      "IA32_VMX_MISC, IA32_VMX_CR0/CR4_FIXED0/1, IA32_VMX_VMCS_ENUM",
      "EPT page-walk lengths and memory types, INVEPT support and types, INVVPID types",
      "the SDM consistency checks (they need the raw values)",
  };
  return out;
}

}  // namespace

Decoded decode(const Snapshot& s) {
  Decoded out;
  if (s.cpus.empty()) return out;
  const CpuState& cpu = s.cpus.front();
  if (s.source == SourceKind::kCpuinfo) return decode_cpuinfo(s, cpu);
  out.cpu = cpu.cpu;
  if (!s.msrs_available) return out;
  for (const auto& info : kVmxMsrs) {
    if (is_true_msr(info) || info.layout == MsrLayout::kFixed1) continue;
    out.msrs.push_back(decode_one(info, s, cpu));
  }
  out.ept_vpid = summarize_msrs(s, cpu);
  return out;
}

}  // namespace vmxb::diag
