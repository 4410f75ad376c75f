// The text rendering of a Diagnosis: one section per capability MSR (QEMU vmxcap
// style "name ..... setting" lines), then EPT/VPID, checks, verdicts, KVM.
#include <sstream>

#include "diag/diagnosis.h"
#include "diag/presence.h"

namespace vmxb::diag {
namespace {

constexpr size_t kNameWidth = 54;

std::string dotted(const std::string& name) {
  std::string s = "  " + name + " ";
  while (s.size() < kNameWidth) s += '.';
  return s + " ";
}

const char* yn(Tri t) { return !t ? "unknown" : *t ? "yes" : "no"; }

std::string read_str(const std::optional<MsrRead>& r) {
  if (!r) return "not read";
  if (r->status == MsrStatus::kOk) return hex(r->value, 16);
  if (r->status == MsrStatus::kFault) return "#GP on RDMSR";
  return "read error: " + r->error;
}

std::string header(const VmxMsrInfo& info, const std::optional<MsrRead>& r) {
  return std::string(info.name) + " (" + hex(info.index) + ") = " + read_str(r);
}

// "1,4-6,8" for sorted bit numbers.
std::string ranges(const std::vector<unsigned>& bits) {
  std::string s;
  for (size_t i = 0; i < bits.size();) {
    size_t j = i;
    while (j + 1 < bits.size() && bits[j + 1] == bits[j] + 1) ++j;
    s += (s.empty() ? "" : ",") + std::to_string(bits[i]);
    if (j > i) s += (j == i + 1 ? "," : "-") + std::to_string(bits[j]);
    i = j + 1;
  }
  return s;
}

// Unnamed bits grouped by setting: "forced 1,4-6; yes 9".
template <typename Entry, typename NameOf>
std::string grouped(const std::vector<Entry>& entries, NameOf name_of) {
  std::vector<std::pair<std::string, std::vector<unsigned>>> groups;
  for (const auto& e : entries) {
    if (e.named) continue;
    const std::string n = name_of(e.setting);
    auto it = groups.begin();
    while (it != groups.end() && it->first != n) ++it;
    if (it == groups.end()) {
      groups.push_back({n, {}});
      it = groups.end() - 1;
    }
    it->second.push_back(e.bit);
  }
  std::string s;
  for (const auto& [n, bits] : groups) s += (s.empty() ? "" : "; ") + n + " " + ranges(bits);
  return s;
}

std::string field_value(const FieldEntry& f) {
  const std::string v = std::to_string(f.value);
  if (f.meaning.rfind(v + " ", 0) == 0) return f.meaning;  // "4096 bytes"
  if (!f.meaning.empty()) return v + " (" + f.meaning + ")";
  if (f.hi - f.lo + 1 >= 16) return hex(f.value);
  return std::to_string(f.value);
}

void msr_section(std::ostringstream& o, const DecodedMsr& d, bool from_cpuinfo) {
  const VmxMsrInfo& info = *d.info;
  if (from_cpuinfo) {
    if (!d.presence.implied) return;
    o << info.name << " (" << hex(info.index) << "): from /proc/cpuinfo \"vmx flags\" (allowed-1 only)\n";
  } else if (!d.presence.implied && (!d.read || d.read->status == MsrStatus::kFault)) {
    o << info.name << " (" << hex(info.index) << "): not present (" << d.presence.because << ")";
    if (d.read) o << "; RDMSR raised #GP, as it should";
    o << "\n";
    return;
  } else {
    o << header(info, d.read);
    if (d.companion != nullptr && (d.companion_read || info.layout == MsrLayout::kFixed0))
      o << ", " << header(*d.companion, d.companion_read);
    o << "\n";
    if (!d.presence.implied) o << "  (readable although not implied: " << d.presence.because << ")\n";
  }
  // Bits and fields in bit order, as the SDM lists them.
  size_t bi = 0, fi = 0;
  while (bi < d.bits.size() || fi < d.fields.size()) {
    if (fi < d.fields.size() && (bi == d.bits.size() || d.fields[fi].lo < d.bits[bi].bit)) {
      const FieldEntry& f = d.fields[fi++];
      o << dotted(f.name + " (" + std::to_string(f.hi) + ":" + std::to_string(f.lo) + ")") << field_value(f) << "\n";
    } else {
      const BitEntry& b = d.bits[bi++];
      o << dotted(b.name) << yn(b.set) << "\n";
    }
  }
  for (const auto& c : d.controls)
    if (c.named) o << dotted(c.name) << setting_name(c.setting) << "\n";
  for (const auto& c : d.cr_bits)
    if (c.named) o << dotted(c.name) << cr_setting_name(c.setting) << "\n";
  const std::string rc = grouped(d.controls, setting_name);
  if (!rc.empty()) o << "  reserved controls: " << rc << "\n";
  const std::string rcr = grouped(d.cr_bits, cr_setting_name);
  if (!rcr.empty()) o << "  other bits: " << rcr << "\n";
  if (!d.undocumented.empty()) o << "  set bits no table names: " << ranges(d.undocumented) << "\n";
}

std::string inv_types(const std::vector<InvTypeSupport>& types) {
  std::string s;
  for (const auto& t : types)
    s += (s.empty() ? "" : ", ") + std::string("type ") + std::to_string(t.type) + " " + t.name + " " +
         yn(t.supported);
  return s;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

}  // namespace

std::string diagnosis_text(const Diagnosis& r) {
  std::ostringstream o;
  const Snapshot& s = r.snapshot;
  const Identity& id = s.identity;

  o << "vmxbench diag: Intel VMX capabilities (schema " << kSchemaVersion << ")\n\n";
  o << "Source    " << source_kind_name(s.source);
  if (!s.source_detail.empty()) o << " (" << s.source_detail << ")";
  if (!s.from_file.empty()) o << ", read from " << s.from_file;
  o << "\n";
  o << "CPU       " << (id.vendor.empty() ? "unknown vendor" : id.vendor);
  if (!id.brand.empty()) o << " \"" << id.brand << "\"";
  o << "\n          family " << id.family << " model " << id.model << " stepping " << id.stepping
    << ", microcode " << (id.microcode ? hex(*id.microcode) : std::string("unknown")) << "\n";
  o << "          VMX (" << cpuid_citation(cpuid::kVmx, false) << ") " << (id.vmx ? "yes" : "no")
    << ", hypervisor (" << cpuid_citation(cpuid::kHypervisor, false) << ") " << (id.hypervisor ? "yes" : "no");
  if (id.hypervisor) {
    o << ": " << (id.hypervisor_signature.empty() ? "no signature" : "\"" + id.hypervisor_signature + "\"");
    if (!id.hypervisor_name.empty()) o << " (" << id.hypervisor_name << ")";
  }
  o << "\n";
  o << "CPUs      " << s.cpus.size() << ":";
  for (const auto& c : s.cpus) o << " " << c.cpu;
  o << "\n";
  o << "MSRs      " << (s.msrs_available ? "read" : "not read: " + s.msr_error) << "\n";
  for (const auto& n : s.notes) o << "Note      " << n << "\n";
  o << "Summary   " << exit_info(r.exit).meaning;
  if (id.vmx) {
    const EptVpidSummary& e = r.decoded.ept_vpid;
    o << "; EPT " << yn(e.ept) << ", VPID " << yn(e.vpid) << ", unrestricted guest " << yn(e.unrestricted_guest);
    if (const Verdict* k = r.verdicts.find("kvm.enable_ept")) o << ", KVM EPT " << yn(k->value);
  }
  o << "\n";

  if (!r.verdicts.findings.empty()) {
    o << "\nFindings\n";
    for (const auto& f : r.verdicts.findings) o << "  * " << f.text << "\n";
  }

  const Decoded& d = r.decoded;
  if (!d.msrs.empty()) {
    o << "\nCapability MSRs of CPU " << d.cpu
      << (d.from_cpuinfo ? " (partial: /proc/cpuinfo)" : "") << "\n";
    for (const auto& m : d.msrs) msr_section(o, m, d.from_cpuinfo);
    if (!d.unmapped_flags.empty()) o << "vmx flags diag does not map: " << join(d.unmapped_flags, " ") << "\n";
  }

  if (id.vmx) {
    const EptVpidSummary& e = d.ept_vpid;
    o << "\nEPT and VPID\n";
    o << dotted("Enable EPT") << yn(e.ept) << "\n";
    o << dotted("Enable VPID") << yn(e.vpid) << "\n";
    o << dotted("Unrestricted guest") << yn(e.unrestricted_guest) << "\n";
    if (e.cap_known) {
      std::string walks;
      for (int w : e.walk_lengths) walks += (walks.empty() ? "" : ", ") + std::to_string(w);
      o << dotted("EPT page-walk lengths") << (walks.empty() ? "none" : walks) << "\n";
      o << dotted("EPT memory types") << (e.memory_types.empty() ? "none" : join(e.memory_types)) << "\n";
    }
    if (!e.features.empty()) o << dotted("Other EPT capabilities") << join(e.features) << "\n";
    o << dotted("INVEPT") << yn(e.invept) << "\n";
    o << "    " << inv_types(e.invept_types) << "\n";
    o << dotted("INVVPID") << yn(e.invvpid) << "\n";
    o << "    " << inv_types(e.invvpid_types) << "\n";
  }

  int pass = 0, fail = 0, skip = 0, noted = 0;
  for (const auto& c : r.checks) {
    if (c.outcome == Outcome::kPass) ++pass;
    else if (c.outcome == Outcome::kFail) ++fail;
    else if (c.outcome == Outcome::kObserved) ++noted;
    else ++skip;
  }
  o << "\nSDM consistency checks: " << pass << " pass, " << fail << " fail, " << skip << " skipped, " << noted
    << " observed\n";
  for (const auto& c : r.checks) {
    if (c.outcome != Outcome::kFail) continue;
    o << "  FAIL (" << severity_name(c.check->severity)
      << (moves_exit_status(*c.check) ? "" : ", exit status unchanged") << ") " << c.check->id << " ["
      << c.check->sdm << "]: " << c.check->description << "\n       " << c.detail << "\n";
  }
  // Observations are no verdict on the CPU; shown because they tell a real
  // CPU from a virtual one.
  for (const auto& c : r.checks) {
    if (c.outcome != Outcome::kObserved) continue;
    o << "  OBSERVED (observation, exit status unchanged) " << c.check->id << " [" << c.check->sdm
      << "]\n       " << c.detail << "\n";
  }
  if (pass + fail == 0 && !r.checks.empty()) o << "  (" << r.checks.front().detail << ")\n";

  const auto diffs = cpu_differences(s);
  if (s.cpus.size() > 1) {
    o << "\nDifferences between CPUs: " << (diffs.empty() ? "none" : "") << "\n";
    for (const auto& x : diffs)
      o << "  " << x.what << ": CPU " << s.cpus.front().cpu << " " << x.first_value << ", CPU " << x.cpu << " "
        << x.value << "\n";
  }

  o << "\nVerdicts\n";
  for (const auto& v : r.verdicts.items) o << dotted(v.title) << yn(v.value) << "  (" << v.why << ")\n";

  const KvmVerdict& k = r.verdicts.kvm;
  o << "\nLinux KVM (kvm_intel setup_vmcs_config/vmx_hardware_setup) would "
    << (k.loads == true ? "load" : k.loads == false ? "NOT load" : "load if nothing unseen blocks it") << "\n";
  for (const auto& b : k.blockers) o << "  blocked: " << b << "\n";
  for (const auto& p : k.params) o << dotted(p.title) << yn(p.value) << "  (" << p.why << ")\n";

  if (!d.missing.empty()) {
    o << "\nNot available from this source\n";
    for (const auto& m : d.missing) o << "  - " << m << "\n";
  }

  const ExitInfo& x = exit_info(r.exit);
  o << "\nResult: exit " << static_cast<int>(x.code) << " (" << x.id << "): " << x.meaning << "\n";
  return o.str();
}

}  // namespace vmxb::diag
