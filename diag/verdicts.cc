#include "diag/verdicts.h"

#include "primitives/inv_types.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {

const Verdict* Verdicts::find(const std::string& id) const {
  for (const auto& v : items)
    if (v.id == id) return &v;
  for (const auto& v : kvm.params)
    if (v.id == id) return &v;
  return nullptr;
}

namespace {

// "Single-context INVEPT (IA32_VMX_EPT_VPID_CAP bit 25)"; for a control, its
// allowed-1 bit: "Enable PML (IA32_VMX_PROCBASED_CTLS2 bit 49)".
std::string cap_bit(const CapBit& b) {
  return std::string(b.name) + " (" + msr_name(b.msr) + " bit " + std::to_string(b.msr_bit()) + ")";
}

// Vol. 3C 24.7 "Enabling and Entering VMX Operation": VMXON #GPs unless
// IA32_FEATURE_CONTROL is locked (bit 0) with VMX enabled outside SMX (bit 2).
Verdict vmx_usable(const Snapshot& s) {
  Verdict v{"vmx_usable", "VMX usable (IA32_FEATURE_CONTROL)", std::nullopt, ""};
  if (!s.identity.vmx) {
    v.value = false;
    v.why = cpuid_citation(cpuid::kVmx) + " = 0";
    return v;
  }
  if (s.source == SourceKind::kCpuinfo || !s.msrs_available) {
    if (s.os_vmx_flag.has_value()) {
      v.value = *s.os_vmx_flag;
      v.why = *s.os_vmx_flag
                  ? "inferred: Linux lists \"vmx\" in /proc/cpuinfo flags, which it clears when "
                    "IA32_FEATURE_CONTROL leaves VMX disabled (feat_ctl.c)"
                  : "Linux cleared \"vmx\" from /proc/cpuinfo flags: IA32_FEATURE_CONTROL leaves VMX disabled "
                    "(disabled by firmware)";
    } else {
      v.why = "IA32_FEATURE_CONTROL could not be read";
    }
    return v;
  }
  std::string bad;
  bool unknown = false;
  std::string good, unread;
  for (const auto& cpu : s.cpus) {
    auto fc = cpu.value(msr::kFeatureControl);
    const std::string c = "CPU " + std::to_string(cpu.cpu) + ": ";
    if (!fc) {
      // Say what failed: the read itself (status), not the capability MSRs.
      const MsrRead* r = cpu.find(msr::kFeatureControl);
      if (!unread.empty()) unread += "; ";
      unread += c + (r == nullptr ? std::string("not read")
                                  : r->status == MsrStatus::kError ? "read error: " + r->error
                                                                   : std::string(msr_status_name(r->status)));
      unknown = true;
      continue;
    }
    const bool lock = *fc & feature_control::kLock;
    const bool outside = *fc & feature_control::kVmxOutsideSmx;
    if (lock && outside) {
      if (good.empty()) good = "IA32_FEATURE_CONTROL = " + hex(*fc) + ": locked, VMX enabled outside SMX";
      continue;
    }
    if (!bad.empty()) bad += "; ";
    if (!lock)
      bad += c + "IA32_FEATURE_CONTROL = " + hex(*fc) +
             " is not locked: VMXON raises #GP until it is locked with bit " +
             std::to_string(feature_control::kVmxOutsideSmx.bit) +
             " set (Linux locks it at boot when built with KVM_INTEL)";
    else
      bad += c + "IA32_FEATURE_CONTROL = " + hex(*fc) +
             " is locked with VMX outside SMX disabled: disabled by firmware (enable VT-x in the firmware setup)";
  }
  if (!bad.empty()) {
    v.value = false;
    v.why = bad;
  } else if (unknown) {
    v.why = "IA32_FEATURE_CONTROL (" + hex(msr::kFeatureControl) + ") could not be read (" + unread +
            "), although the capability MSRs were: whether firmware enabled VMX is unknown";
  } else {
    v.value = true;
    v.why = good;
  }
  return v;
}

// The controls kvm_intel cannot work without (KVM_REQUIRED_VMX_* in
// arch/x86/kvm/vmx/vmx.h, 64-bit kernel); setup_vmcs_config() fails with -EIO
// when one of them cannot be 1.
constexpr CapBit kKvmRequired[] = {
    pinbased::kExternalInterruptExiting, pinbased::kNmiExiting,
    primary::kInterruptWindowExiting,    primary::kTscOffsetting,     primary::kHltExiting,
    primary::kInvlpgExiting,             primary::kMwaitExiting,      primary::kRdpmcExiting,
    primary::kCr3LoadExiting,            primary::kCr3StoreExiting,   primary::kCr8LoadExiting,
    primary::kCr8StoreExiting,           primary::kMovDrExiting,      primary::kUnconditionalIoExiting,
    primary::kMonitorExiting,
    exit_ctls::kSaveDebugControls,       exit_ctls::kHostAddressSpaceSize, exit_ctls::kAcknowledgeInterrupt,
    entry_ctls::kLoadDebugControls,      entry_ctls::kIa32eModeGuest,
};

// Linux sets X86_FEATURE_MSR_IA32_FEAT_CTL (init_ia32_feat_ctl() in
// arch/x86/kernel/cpu/feat_ctl.c) only from the CPU setup code of these
// vendors; kvm_intel refuses to load without it, whatever the MSR holds.
constexpr const char* kFeatureControlVendors[] = {"GenuineIntel", "CentaurHauls", "Shanghai"};

// Zhaoxin's vendor string is "  Shanghai  ": compare without the padding.
bool linux_trusts_feature_control(const std::string& vendor) {
  const size_t first = vendor.find_first_not_of(' ');
  const size_t last = vendor.find_last_not_of(' ');
  const std::string bare = first == std::string::npos ? "" : vendor.substr(first, last - first + 1);
  for (const char* v : kFeatureControlVendors)
    if (bare == v) return true;
  return false;
}

Verdict param(const char* id, const char* title, Tri value, std::string why) {
  return Verdict{id, title, value, std::move(why)};
}

KvmVerdict kvm_from_msrs(const Snapshot& s, const Decoded& d, const std::vector<CheckResult>& checks,
                         const Verdict& usable) {
  KvmVerdict k;
  const CpuState& cpu = s.cpus.front();
  auto v = [&](u32 i) { return cpu.value(i); };
  if (usable.value == false)
    k.blockers.push_back("VMX not enabled in IA32_FEATURE_CONTROL (\"VMX not enabled (by BIOS)\")");
  if (auto b = v(msr::kVmxBasic)) {
    if (basic::vmcs_size(*b) > 4096) k.blockers.push_back("VMCS size above PAGE_SIZE");
    if (basic::kAddresses32.in(*b))
      k.blockers.push_back("IA32_VMX_BASIC bit " + std::to_string(basic::kAddresses32.msr_bit()) +
                           " (32-bit addresses) set on a 64-bit kernel");
    if (basic::memory_type(*b) != 6) k.blockers.push_back("VMCS memory type is not WB");
  } else {
    k.blockers.push_back("IA32_VMX_BASIC not readable");
  }
  for (const auto& r : kKvmRequired) {
    auto m = v(r.msr);
    if (!m || !control_allowed1(*m, r))
      k.blockers.push_back("required control " + cap_bit(r) + " cannot be 1");
  }
  for (const auto& c : checks)
    if (std::string(c.check->id) == "cpus.identical" && c.outcome == Outcome::kFail)
      k.blockers.push_back("CPUs report different capabilities (vmx_check_processor_compat: "
                           "\"Inconsistent VMCS config\")");

  // vmx_hardware_setup(): what it turns off.
  const EptVpidSummary& e = d.ept_vpid;
  const u64 cap = v(msr::kVmxEptVpidCap).value_or(0);
  Tri ept;
  std::string ept_why;
  if (e.ept == false) {
    ept = false;
    ept_why = "Enable EPT cannot be 1";
  } else if (!e.ept.has_value() || (!e.cap_known)) {
    ept_why = "EPT capabilities unknown";
  } else {
    std::string missing;
    for (const auto& b : {ept_vpid_cap::kPageWalkLength4, ept_vpid_cap::kMemoryTypeWb, ept_vpid_cap::kInveptAllContext})
      if (!b.in(cap)) missing += (missing.empty() ? "" : ", ") + cap_bit(b);
    ept = missing.empty();
    ept_why = missing.empty() ? "Enable EPT, page-walk length 4, WB and all-context INVEPT are supported"
                              : "disabled: missing " + missing;
  }
  k.params.push_back(param("kvm.enable_ept", "kvm_intel.ept", ept, ept_why));

  Tri vpid;
  std::string vpid_why;
  if (e.vpid == false) {
    vpid = false;
    vpid_why = "Enable VPID cannot be 1";
  } else if (!e.vpid.has_value() || !e.cap_known) {
    vpid_why = "VPID capabilities unknown";
  } else if (!kInvvpid.instruction.in(cap) ||
             !(invvpid_type::kSingleContext.cap.in(cap) || invvpid_type::kAllContext.cap.in(cap))) {
    vpid = false;
    vpid_why = "disabled: needs " + cap_bit(kInvvpid.instruction) + " and " + cap_bit(invvpid_type::kSingleContext.cap) +
               " or " + cap_bit(invvpid_type::kAllContext.cap);
  } else {
    vpid = true;
    vpid_why = "Enable VPID, INVVPID and single-context or all-context INVVPID are supported";
  }
  k.params.push_back(param("kvm.enable_vpid", "kvm_intel.vpid", vpid, vpid_why));

  Tri ug;
  if (e.unrestricted_guest == false || ept == false)
    ug = false;
  else if (e.unrestricted_guest == true && ept == true)
    ug = true;
  k.params.push_back(param("kvm.enable_unrestricted_guest", "kvm_intel.unrestricted_guest", ug,
                           "needs Unrestricted guest and EPT enabled"));

  Tri ad;
  if (ept == false || (e.cap_known && !ept_vpid_cap::kAccessedDirtyFlags.in(cap)))
    ad = false;
  else if (ept == true)
    ad = true;
  k.params.push_back(param("kvm.enable_ept_ad_bits", "kvm_intel.eptad", ad, "needs " + cap_bit(ept_vpid_cap::kAccessedDirtyFlags) + " and EPT enabled"));

  Tri pml;
  auto c2 = v(msr::kVmxProcbasedCtls2);
  if (ad == false || (c2 && !control_allowed1(*c2, secondary::kEnablePml)))
    pml = false;
  else if (ad == true && c2)
    pml = true;
  k.params.push_back(param("kvm.enable_pml", "kvm_intel.pml", pml,
                           "needs " + cap_bit(secondary::kEnablePml) + " and EPT A/D bits enabled"));

  auto p = v(msr::kVmxProcbasedCtls);
  Tri flex;
  if (p) flex = control_allowed1(*p, primary::kUseTprShadow) && c2 && control_allowed1(*c2, secondary::kVirtualizeApicAccesses);
  k.params.push_back(param("kvm.flexpriority", "kvm_intel.flexpriority", flex,
                           "needs " + cap_bit(primary::kUseTprShadow) + " and " +
                               cap_bit(secondary::kVirtualizeApicAccesses)));

  if (ept == false && !s.identity.nx)
    k.blockers.push_back("NX not supported and EPT off: shadow paging needs NX (-EOPNOTSUPP)");
  // IA32_FEATURE_CONTROL unread: unknown, not "disabled" (exit 9).
  if (!k.blockers.empty())
    k.loads = false;
  else if (usable.value == true)
    k.loads = true;
  return k;
}

KvmVerdict kvm_from_cpuinfo(const Snapshot& s, const Decoded& d, const Verdict& usable) {
  KvmVerdict k;
  if (usable.value == false) {
    k.blockers.push_back("VMX not enabled in IA32_FEATURE_CONTROL");
    k.loads = false;
  }
  const EptVpidSummary& e = d.ept_vpid;
  Tri ept = e.ept == false ? Tri(false) : std::nullopt;
  k.params.push_back(param("kvm.enable_ept", "kvm_intel.ept", ept,
                           e.ept == false ? "Enable EPT cannot be 1 (no \"ept\" vmx flag)"
                                          : "needs page-walk length 4, WB and all-context INVEPT, which "
                                            "/proc/cpuinfo does not show"));
  Tri vpid = (e.vpid == false || e.invvpid == false) ? Tri(false) : std::nullopt;
  k.params.push_back(param("kvm.enable_vpid", "kvm_intel.vpid", vpid,
                           vpid == false ? "no \"vpid\" or no \"invvpid\" vmx flag"
                                         : "needs single-context or all-context INVVPID, which /proc/cpuinfo does "
                                           "not show"));
  Tri ug = (e.unrestricted_guest == false || ept == false) ? Tri(false) : std::nullopt;
  k.params.push_back(param("kvm.enable_unrestricted_guest", "kvm_intel.unrestricted_guest", ug,
                           "needs Unrestricted guest and EPT enabled"));
  (void)s;
  return k;
}

}  // namespace

Verdicts judge(const Snapshot& s, const Decoded& d, const std::vector<CheckResult>& checks) {
  Verdicts out;
  const Identity& id = s.identity;

  const std::string vmx_bit = cpuid_citation(cpuid::kVmx);
  out.items.push_back({"vmx_supported", "VMX supported (" + vmx_bit + ")", id.vmx,
                       id.vmx ? vmx_bit + " = 1"
                              : vmx_bit + " = 0" +
                                    std::string(id.vendor == "GenuineIntel" ? "" : " (" + id.vendor + ")")});
  const Verdict usable = vmx_usable(s);
  out.items.push_back(usable);

  const EptVpidSummary& e = d.ept_vpid;
  auto ctl_why = [](Tri t, const CapBit& control) {
    const std::string n = cap_bit(control);
    if (!t.has_value()) return n + ": unknown";
    return n + (*t ? " may be 1" : " cannot be 1");
  };
  if (id.vmx) {
    out.items.push_back({"ept", "EPT", e.ept, ctl_why(e.ept, secondary::kEnableEpt)});
    out.items.push_back({"vpid", "VPID", e.vpid, ctl_why(e.vpid, secondary::kEnableVpid)});
    out.items.push_back({"unrestricted_guest", "Unrestricted guest", e.unrestricted_guest,
                         ctl_why(e.unrestricted_guest, secondary::kUnrestrictedGuest)});
    for (const auto& t : e.invept_types) {
      const InvType* type = find_inv_type(kInvept, t.type);
      std::string id = std::string("invept_") + type->name;
      for (auto& ch : id) ch = ch == '-' ? '_' : ch;
      Tri val = t.supported;
      if (val == true && e.invept == false) val = false;
      out.items.push_back({id, std::string(kInvept.mnemonic) + " " + type->name + " (type " + std::to_string(t.type) + ")",
                           val,
                           cap_bit(type->cap) + (t.supported ? (*t.supported ? " = 1" : " = 0") : ": unknown") +
                               (e.invept == false && e.cap_known
                                    ? std::string("; INVEPT itself (bit ") +
                                          std::to_string(kInvept.instruction.msr_bit()) + ") is 0"
                                    : "")});
    }
  }

  if (!id.vmx) {
    out.kvm.loads = false;
    out.kvm.blockers.push_back("no VMX (\"VMX not supported by CPU\")");
  } else if (s.source == SourceKind::kCpuinfo || !s.msrs_available) {
    out.kvm = kvm_from_cpuinfo(s, d, usable);
  } else {
    out.kvm = kvm_from_msrs(s, d, checks, usable);
  }
  if (id.vmx && !id.vendor.empty() && !linux_trusts_feature_control(id.vendor)) {
    out.kvm.loads = false;
    out.kvm.blockers.push_back("vendor \"" + id.vendor +
                               "\": Linux reads IA32_FEATURE_CONTROL only on Intel, Centaur and Zhaoxin CPUs, so "
                               "kvm_intel stops at \"VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL\"");
  }

  // Findings, most important first.
  if (id.hypervisor) {
    std::string who = id.hypervisor_signature.empty() ? "an unidentified hypervisor"
                                                      : "\"" + id.hypervisor_signature + "\"";
    if (!id.hypervisor_name.empty() && id.hypervisor_name != "unknown") who += " (" + id.hypervisor_name + ")";
    out.findings.push_back(
        {"nested", "Running under a hypervisor, " + who +
                       " (" + cpuid_citation(cpuid::kHypervisor, false) + " = 1): CPUID and any VMX capability MSRs are what it chooses to expose, "
                       "not the hardware's; VMX here would be nested virtualization."});
  }
  if (s.source == SourceKind::kBochs)
    out.findings.push_back({"bochs", "Capabilities of the Bochs CPU model \"" + s.source_detail +
                                         "\", read in ring 0 by the boot image: an emulator's claims, not a "
                                         "processor's."});
  if (!id.vmx && id.vendor != "GenuineIntel" && !id.vendor.empty())
    out.findings.push_back({"not_intel", "Not an Intel processor (" + id.vendor +
                                             "): Intel VMX is not available; other virtualization extensions "
                                             "(AMD SVM) are outside this tool."});
  if (id.vmx && s.source == SourceKind::kCpuinfo)
    out.findings.push_back({"cpuinfo_fallback", "The capability MSRs could not be read (" + s.msr_error +
                                                    "); decoded from /proc/cpuinfo \"vmx flags\", which is partial."});
  if (id.vmx && s.msrs_available && s.source != SourceKind::kCpuinfo && usable.value == std::nullopt)
    out.findings.push_back({"feature_control_unread", usable.why + "."});
  for (const auto& c : checks)
    if (c.outcome == Outcome::kFail && moves_exit_status(*c.check)) {
      out.findings.push_back({"inconsistent", "The capability MSRs break SDM rules (" + std::string(c.check->id) +
                                                  "...): a processor would not report them; a nested "
                                                  "hypervisor or emulator probably does."});
      break;
    }
  return out;
}

}  // namespace vmxb::diag
