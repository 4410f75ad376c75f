// The JSON rendering of a Diagnosis: the dump's raw part plus everything diag
// concluded. Field by field in diag/SCHEMA.md.
#include "diag/dump.h"
#include "diag/diagnosis.h"

namespace vmxb::diag {

using nlohmann::json;

namespace {

json tri(Tri t) { return t ? json(*t) : json(nullptr); }

const char* layout_name(MsrLayout l) {
  switch (l) {
    case MsrLayout::kFeatureControl: return "feature_control";
    case MsrLayout::kBasic: return "basic";
    case MsrLayout::kControls: return "controls";
    case MsrLayout::kAllowed1Only: return "allowed1_only";
    case MsrLayout::kBitmap: return "bitmap";
    case MsrLayout::kMisc: return "misc";
    case MsrLayout::kFixed0: return "fixed0";
    case MsrLayout::kFixed1: return "fixed1";
    case MsrLayout::kVmcsEnum: return "vmcs_enum";
    case MsrLayout::kEptVpidCap: return "ept_vpid_cap";
  }
  return "?";
}

json read_json(const VmxMsrInfo& info, const std::optional<MsrRead>& r) {
  json j = {{"index", hex(info.index, 8)}, {"name", info.name}};
  j["status"] = r ? msr_status_name(r->status) : "not_read";
  j["value"] = r && r->status == MsrStatus::kOk ? json(hex(r->value, 16)) : json(nullptr);
  return j;
}

json decoded_msr_json(const DecodedMsr& d) {
  json j = read_json(*d.info, d.read);
  j["layout"] = layout_name(d.info->layout);
  j["present"] = d.presence.implied;
  j["present_because"] = d.presence.because;
  if (d.companion != nullptr) j["companion"] = read_json(*d.companion, d.companion_read);
  json bits = json::array();
  for (const auto& b : d.bits) bits.push_back({{"bit", b.bit}, {"name", b.name}, {"set", tri(b.set)}});
  json fields = json::array();
  for (const auto& f : d.fields)
    fields.push_back({{"hi", f.hi}, {"lo", f.lo}, {"name", f.name}, {"value", f.value}, {"meaning", f.meaning}});
  json controls = json::array();
  for (const auto& c : d.controls)
    controls.push_back({{"bit", c.bit}, {"name", c.name}, {"named", c.named}, {"setting", setting_name(c.setting)}});
  json cr = json::array();
  for (const auto& c : d.cr_bits)
    cr.push_back({{"bit", c.bit}, {"name", c.name}, {"named", c.named}, {"setting", cr_setting_name(c.setting)}});
  j["bits"] = bits;
  j["fields"] = fields;
  j["controls"] = controls;
  j["cr_bits"] = cr;
  j["undocumented_bits"] = d.undocumented;
  return j;
}

json inv_types_json(const std::vector<InvTypeSupport>& types) {
  json a = json::array();
  for (const auto& t : types)
    a.push_back({{"type", t.type}, {"bit", t.bit}, {"name", t.name}, {"supported", tri(t.supported)}});
  return a;
}

json verdict_json(const Verdict& v) { return {{"title", v.title}, {"value", tri(v.value)}, {"why", v.why}}; }

}  // namespace

json diagnosis_json(const Diagnosis& r) {
  json j = snapshot_json(r.snapshot, "report");
  if (!r.snapshot.from_file.empty()) j["source"]["file"] = r.snapshot.from_file;

  json diffs = json::array();
  for (const auto& d : cpu_differences(r.snapshot))
    diffs.push_back({{"what", d.what}, {"cpu", d.cpu}, {"first_cpu_value", d.first_value}, {"value", d.value}});
  j["cpu_differences"] = diffs;

  const Decoded& d = r.decoded;
  json msrs = json::array();
  for (const auto& m : d.msrs) msrs.push_back(decoded_msr_json(m));
  j["decoded"] = {{"cpu", d.cpu},
                  {"from_cpuinfo", d.from_cpuinfo},
                  {"msrs", msrs},
                  {"unmapped_vmx_flags", d.unmapped_flags},
                  {"missing", d.missing}};

  const EptVpidSummary& e = d.ept_vpid;
  j["ept_vpid"] = {
      {"ept", tri(e.ept)},
      {"vpid", tri(e.vpid)},
      {"unrestricted_guest", tri(e.unrestricted_guest)},
      {"capabilities_known", e.cap_known},
      {"page_walk_lengths", e.walk_lengths},
      {"memory_types", e.memory_types},
      {"features", e.features},
      {"invept", tri(e.invept)},
      {"invept_types", inv_types_json(e.invept_types)},
      {"invvpid", tri(e.invvpid)},
      {"invvpid_types", inv_types_json(e.invvpid_types)},
  };

  json checks = json::array();
  for (const auto& c : r.checks)
    checks.push_back({{"id", c.check->id},
                      {"severity", severity_name(c.check->severity)},
                      {"moves_exit", moves_exit_status(*c.check)},
                      {"basis", basis_name(c.check->basis)},
                      {"evidence", evidence_name(c.check->evidence)},
                      {"seen", c.check->seen},
                      {"sdm", c.check->sdm},
                      {"rule", c.check->description},
                      {"outcome", outcome_name(c.outcome)},
                      {"detail", c.detail},
                      {"failing_cpus", c.failing_cpus}});
  j["checks"] = checks;

  json verdicts = json::object();
  for (const auto& v : r.verdicts.items) verdicts[v.id] = verdict_json(v);
  j["verdicts"] = verdicts;
  json params = json::object();
  for (const auto& v : r.verdicts.kvm.params) params[v.id.substr(v.id.find('.') + 1)] = verdict_json(v);
  j["kvm"] = {{"loads", tri(r.verdicts.kvm.loads)}, {"blockers", r.verdicts.kvm.blockers}, {"params", params}};

  json findings = json::array();
  for (const auto& f : r.verdicts.findings) findings.push_back({{"id", f.id}, {"text", f.text}});
  j["findings"] = findings;

  const ExitInfo& x = exit_info(r.exit);
  j["exit"] = {{"code", static_cast<int>(x.code)}, {"id", x.id}, {"meaning", x.meaning}};
  return j;
}

}  // namespace vmxb::diag
