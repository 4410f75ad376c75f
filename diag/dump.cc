#include "diag/dump.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "diag/bounded_input.h"
#include "diag/message_text.h"
#include "diag/presence.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {

using nlohmann::json;
using input::quote_input;

namespace {

json hex_or_null(const std::optional<u32>& v) { return v ? json(hex(*v, 8)) : json(nullptr); }

json msr_json(const MsrRead& m) {
  json j = {{"index", hex(m.index, 8)}, {"name", msr_name(m.index)}, {"status", msr_status_name(m.status)}};
  if (m.status == MsrStatus::kOk) j["value"] = hex(m.value, 16);
  if (m.status == MsrStatus::kError) j["error"] = m.error;
  return j;
}

// ---- reading ----

struct Bad {
  std::string field, message;
};

[[noreturn]] void bad(const std::string& field, const std::string& message) { throw Bad{field, message}; }

const json& member(const json& obj, const std::string& path, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) bad(path.empty() ? key : path + "." + key, "missing");
  return *it;
}

std::string sub(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }

const json& object_at(const json& obj, const std::string& path, const char* key) {
  const json& j = member(obj, path, key);
  if (!j.is_object()) bad(sub(path, key), "must be an object");
  return j;
}

std::string string_at(const json& obj, const std::string& path, const char* key, size_t max_len,
                      bool required = true) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) bad(sub(path, key), "missing");
    return "";
  }
  if (!it->is_string()) bad(sub(path, key), "must be a string");
  std::string s = it->get<std::string>();
  if (s.size() > max_len) bad(sub(path, key), "longer than " + std::to_string(max_len) + " characters");
  return s;
}

bool bool_at(const json& obj, const std::string& path, const char* key) {
  const json& j = member(obj, path, key);
  if (!j.is_boolean()) bad(sub(path, key), "must be true or false");
  return j.get<bool>();
}

long long int_at(const json& obj, const std::string& path, const char* key, long long lo, long long hi) {
  const json& j = member(obj, path, key);
  if (!j.is_number_integer()) bad(sub(path, key), "must be an integer");
  long long v = j.is_number_unsigned() ? static_cast<long long>(std::min<unsigned long long>(
                                             j.get<unsigned long long>(), 1ull << 62))
                                       : j.get<long long>();
  if (v < lo || v > hi)
    bad(sub(path, key), std::to_string(v) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  return v;
}

// "0x" and 1..max_digits hex digits, nothing else.
u64 parse_hex(const json& j, const std::string& field, int max_digits) {
  if (!j.is_string()) bad(field, "must be a hex string like \"0x1f\"");
  const std::string s = j.get<std::string>();
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) bad(field, quote_input(s) + " is not a 0x-prefixed hex number");
  std::string digits = s.substr(2);
  size_t first = digits.find_first_not_of('0');
  std::string significant = first == std::string::npos ? "0" : digits.substr(first);
  u64 v = 0;
  for (char c : digits) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) bad(field, quote_input(s) + " is not a hex number");
  }
  if (static_cast<int>(significant.size()) > max_digits)
    bad(field, quote_input(s) + " is out of range (more than " + std::to_string(max_digits * 4) + " bits)");
  for (char c : significant) v = v * 16 + static_cast<u64>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
  return v;
}

Identity parse_identity(const json& root) {
  const std::string p = "identity";
  const json& j = object_at(root, "", "identity");
  Identity id;
  id.vendor = string_at(j, p, "vendor", 16);
  id.brand = string_at(j, p, "brand", 64);
  // Display family = base (4 bits) + extended (8 bits); model = 8 bits; stepping 4 bits (Vol. 2A CPUID).
  id.family = static_cast<int>(int_at(j, p, "family", 0, 15 + 255));
  id.model = static_cast<int>(int_at(j, p, "model", 0, 255));
  id.stepping = static_cast<int>(int_at(j, p, "stepping", 0, 15));
  auto mc = j.find("microcode");
  if (mc != j.end() && !mc->is_null()) id.microcode = static_cast<u32>(parse_hex(*mc, p + ".microcode", 8));
  id.vmx = bool_at(j, p, "vmx");
  id.smx = bool_at(j, p, "smx");
  id.hypervisor = bool_at(j, p, "hypervisor");
  id.hypervisor_signature = string_at(j, p, "hypervisor_signature", 12, false);
  id.hypervisor_name = string_at(j, p, "hypervisor_name", 32, false);
  id.long_mode = bool_at(j, p, "long_mode");
  id.nx = bool_at(j, p, "nx");
  id.maxphyaddr = static_cast<int>(int_at(j, p, "maxphyaddr", 0, 52));
  return id;
}

MsrRead parse_msr(const json& j, const std::string& p) {
  if (!j.is_object()) bad(p, "must be an object");
  MsrRead m;
  const u64 index = parse_hex(member(j, p, "index"), p + ".index", 8);
  const VmxMsrInfo* info = find_vmx_msr(static_cast<u32>(index));
  if (info == nullptr) bad(p + ".index", hex(index) + " is out of range: not IA32_FEATURE_CONTROL or " + hex(msr::kVmxBasic) + ".." +
                                    hex(msr::kVmxExitCtls2));
  m.index = static_cast<u32>(index);
  auto name = j.find("name");
  if (name != j.end() && (!name->is_string() || name->get<std::string>() != info->name))
    bad(p + ".name", "does not match index " + hex(index) + " (" + info->name + ")");
  const std::string status = string_at(j, p, "status", 8);
  if (status == "ok") {
    m.status = MsrStatus::kOk;
    m.value = parse_hex(member(j, p, "value"), p + ".value", 16);
  } else if (status == "gp") {
    m.status = MsrStatus::kFault;
  } else if (status == "error") {
    m.status = MsrStatus::kError;
    m.error = string_at(j, p, "error", 512, false);
  } else {
    bad(p + ".status", quote_input(status) + " is not one of ok, gp, error");
  }
  return m;
}

CpuState parse_cpu(const json& j, const std::string& p) {
  if (!j.is_object()) bad(p, "must be an object");
  CpuState c;
  c.cpu = static_cast<int>(int_at(j, p, "cpu", 0, 65535));
  auto mc = j.find("microcode");
  if (mc != j.end() && !mc->is_null()) c.microcode = static_cast<u32>(parse_hex(*mc, p + ".microcode", 8));
  const json& msrs = member(j, p, "msrs");
  if (!msrs.is_array()) bad(p + ".msrs", "must be an array");
  std::set<u32> seen;
  for (size_t i = 0; i < msrs.size(); ++i) {
    const std::string mp = p + ".msrs[" + std::to_string(i) + "]";
    MsrRead m = parse_msr(msrs[i], mp);
    if (!seen.insert(m.index).second) bad(mp + ".index", hex(m.index) + " appears twice");
    c.msrs.push_back(m);
  }
  std::sort(c.msrs.begin(), c.msrs.end(), [](const MsrRead& a, const MsrRead& b) { return a.index < b.index; });
  auto flags = j.find("vmx_flags");
  if (flags != j.end()) {
    if (!flags->is_array()) bad(p + ".vmx_flags", "must be an array of strings");
    for (size_t i = 0; i < flags->size(); ++i) {
      if (!(*flags)[i].is_string()) bad(p + ".vmx_flags[" + std::to_string(i) + "]", "must be a string");
      c.vmx_flags.push_back((*flags)[i].get<std::string>());
    }
  }
  return c;
}

// An MSR the capabilities in the dump imply must be in it: decoding without it
// would silently report less than the machine has.
void require_implied(const Snapshot& s, size_t cpu_pos) {
  const CpuState& c = s.cpus[cpu_pos];
  for (const auto& info : kVmxMsrs) {
    Presence p = msr_presence(info, s.identity, values_of(c));
    if (p.implied && c.find(info.index) == nullptr)
      bad("cpus[" + std::to_string(cpu_pos) + "].msrs",
          std::string(info.name) + " (" + hex(info.index) + ") is missing although " + p.because);
  }
}

Snapshot parse_root(const json& root) {
  if (!root.is_object()) bad("(document)", "must be a JSON object");
  const std::string schema = string_at(root, "", "schema", 64);
  if (schema != kSchemaName) bad("schema", quote_input(schema) + " is not \"" + kSchemaName + "\"");
  const json& version = member(root, "", "schema_version");
  if (!version.is_number_integer()) bad("schema_version", "must be an integer");
  if (version.get<long long>() != kSchemaVersion)
    bad("schema_version", std::to_string(version.get<long long>()) + " is not supported (this diag reads version " +
                              std::to_string(kSchemaVersion) + ")");
  const std::string kind = string_at(root, "", "kind", 16);
  if (kind != "dump" && kind != "report") bad("kind", quote_input(kind) + " is neither \"dump\" nor \"report\"");

  Snapshot s;
  const json& source = object_at(root, "", "source");
  const std::string sk = string_at(source, "source", "kind", 16);
  auto k = source_kind_from_name(sk);
  if (!k) bad("source.kind", quote_input(sk) + " is not one of live, cpuinfo, bochs");
  s.source = *k;
  s.source_detail = string_at(source, "source", "detail", 256, false);
  s.identity = parse_identity(root);

  const json& access = object_at(root, "", "msr_access");
  s.msrs_available = bool_at(access, "msr_access", "available");
  s.msr_error = string_at(access, "msr_access", "error", 1024, false);
  auto os = root.find("os_vmx_flag");
  if (os != root.end() && !os->is_null()) {
    if (!os->is_boolean()) bad("os_vmx_flag", "must be true, false or null");
    s.os_vmx_flag = os->get<bool>();
  }

  const json& cpus = member(root, "", "cpus");
  if (!cpus.is_array()) bad("cpus", "must be an array");
  if (cpus.empty()) bad("cpus", "is empty");
  if (cpus.size() > 65536) bad("cpus", "has more than 65536 entries");
  std::set<int> seen;
  for (size_t i = 0; i < cpus.size(); ++i) {
    const std::string p = "cpus[" + std::to_string(i) + "]";
    CpuState c = parse_cpu(cpus[i], p);
    if (!seen.insert(c.cpu).second) bad(p + ".cpu", std::to_string(c.cpu) + " appears twice");
    if (s.source == SourceKind::kCpuinfo && !c.msrs.empty())
      bad(p + ".msrs", "a cpuinfo snapshot carries no MSR values");
    s.cpus.push_back(std::move(c));
  }
  if (s.msrs_available && s.source != SourceKind::kCpuinfo)
    for (size_t i = 0; i < s.cpus.size(); ++i) require_implied(s, i);

  auto notes = root.find("notes");
  if (notes != root.end()) {
    if (!notes->is_array()) bad("notes", "must be an array of strings");
    for (size_t i = 0; i < notes->size(); ++i) {
      if (!(*notes)[i].is_string()) bad("notes[" + std::to_string(i) + "]", "must be a string");
      s.notes.push_back((*notes)[i].get<std::string>());
    }
  }
  return s;
}

}  // namespace

json snapshot_json(const Snapshot& s, const char* kind) {
  const Identity& id = s.identity;
  json j;
  j["schema"] = kSchemaName;
  j["schema_version"] = kSchemaVersion;
  j["kind"] = kind;
  j["generator"] = "vmxbench //diag";
  j["source"] = {{"kind", source_kind_name(s.source)}, {"detail", s.source_detail}};
  j["identity"] = {
      {"vendor", id.vendor},
      {"brand", id.brand},
      {"family", id.family},
      {"model", id.model},
      {"stepping", id.stepping},
      {"microcode", hex_or_null(id.microcode)},
      {"vmx", id.vmx},
      {"smx", id.smx},
      {"hypervisor", id.hypervisor},
      {"hypervisor_signature", id.hypervisor_signature},
      {"hypervisor_name", id.hypervisor_name},
      {"long_mode", id.long_mode},
      {"nx", id.nx},
      {"maxphyaddr", id.maxphyaddr},
  };
  j["msr_access"] = {{"available", s.msrs_available}, {"error", s.msr_error}};
  j["os_vmx_flag"] = s.os_vmx_flag ? json(*s.os_vmx_flag) : json(nullptr);
  json cpus = json::array();
  for (const auto& c : s.cpus) {
    json cj = {{"cpu", c.cpu}, {"microcode", hex_or_null(c.microcode)}};
    json msrs = json::array();
    for (const auto& m : c.msrs) msrs.push_back(msr_json(m));
    cj["msrs"] = msrs;
    if (s.source == SourceKind::kCpuinfo) cj["vmx_flags"] = c.vmx_flags;
    cpus.push_back(cj);
  }
  j["cpus"] = cpus;
  j["notes"] = s.notes;
  return j;
}

bool parse_snapshot(const std::string& text, Snapshot& out, InputError& error) {
  input::ParsedJson parsed = input::parse_bounded_json(text);
  switch (parsed.outcome) {
    case input::ParseOutcome::kOk: break;
    case input::ParseOutcome::kNotJson:
      error = {"(document)", "not valid JSON (truncated?): " + input::printable(parsed.reason)};
      return false;
    case input::ParseOutcome::kTooDeep:
    case input::ParseOutcome::kOutOfRange:
      error = {"(document)", input::printable(parsed.reason)};
      return false;
  }
  try {
    out = parse_root(parsed.value);
  } catch (const Bad& b) {
    error = {b.field, b.message};
    return false;
  } catch (const json::exception& e) {
    // A value the checks above let through but nlohmann cannot convert: still bad input, never a crash.
    error = {"(document)", input::printable(e.what())};
    return false;
  }
  return true;
}

bool read_snapshot_file(const std::string& path, Snapshot& out, std::string& error_line) {
  const std::string shown = input::printable(path);
  input::FileText file = input::read_bounded_file(path);
  if (file.outcome != input::ReadOutcome::kOk) {
    error_line = shown + (file.outcome == input::ReadOutcome::kCannotOpen ? ": cannot open: " : ": ") + file.reason;
    return false;
  }
  InputError e;
  if (!parse_snapshot(file.text, out, e)) {
    error_line = input::printable(shown + ": " + e.field + ": " + e.message);
    return false;
  }
  out.from_file = path;
  return true;
}

}  // namespace vmxb::diag
