#include "reports/diag_view.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace vmxb::reports {
namespace {

using nlohmann::json;

// The MSR list: "msrs" at the top, else the first CPU's ("snapshot.cpus[0].msrs"
// or "cpus[0].msrs").
const json* find_msrs(const json& d) {
  if (auto it = d.find("msrs"); it != d.end()) return &*it;
  for (const json* base : {&d, d.contains("snapshot") ? &d["snapshot"] : nullptr}) {
    if (!base || !base->is_object()) continue;
    auto cpus = base->find("cpus");
    if (cpus != base->end() && cpus->is_array() && !cpus->empty() && (*cpus)[0].is_object() &&
        (*cpus)[0].contains("msrs"))
      return &(*cpus)[0]["msrs"];
  }
  return nullptr;
}

const json* find_verdicts(const json& d) {
  for (const char* k : {"verdicts"})
    if (auto it = d.find(k); it != d.end()) return &*it;
  if (auto s = d.find("summary"); s != d.end() && s->is_object() && s->contains("verdicts"))
    return &(*s)["verdicts"];
  return nullptr;
}

bool parse_u64(const json& v, unsigned long long& out) {
  if (v.is_number_unsigned() || (v.is_number_integer() && v.get<long long>() >= 0)) {
    out = v.get<unsigned long long>();
    return true;
  }
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty() || s[0] == '-') return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtoull(s.c_str(), &end, 0);
  return errno == 0 && end != s.c_str() && *end == '\0';
}

std::string hex16(unsigned long long v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llx", v);
  return buf;
}

std::string key_of(const json& k) {
  unsigned long long idx;
  if (parse_u64(k, idx)) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", idx);
    return buf;
  }
  return k.is_string() ? k.get<std::string>() : k.dump();
}

// value: number/hex string -> "0x%016x"; null/"gp"/"absent"/"fault"/"error" -> "absent".
bool value_of(const json& v, const json* status, std::string& out) {
  if (status && status->is_string() && *status != "ok") {
    out = "absent";
    return true;
  }
  if (v.is_null()) {
    out = "absent";
    return true;
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "gp" || s == "absent" || s == "fault" || s == "error") {
      out = "absent";
      return true;
    }
  }
  unsigned long long x;
  if (!parse_u64(v, x)) return false;
  out = hex16(x);
  return true;
}

std::string str(const json& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = o.find(k);
    if (it != o.end() && !it->is_null()) return it->is_string() ? it->get<std::string>() : it->dump();
  }
  return "";
}

}  // namespace

bool capability_msrs(const json& d, std::map<std::string, std::string>& out, std::string& why) {
  out.clear();
  if (!d.is_object()) return true;
  const json* m = find_msrs(d);
  if (!m) return true;
  if (m->is_object()) {
    for (const auto& [k, v] : m->items()) {
      std::string value;
      const json* status = v.is_object() && v.contains("status") ? &v["status"] : nullptr;
      const json& raw = v.is_object() ? (v.contains("value") ? v["value"] : json(nullptr)) : v;
      if (!value_of(raw, status, value)) {
        why = "MSR " + k + ": value " + v.dump() + " is not an integer or hex string";
        return false;
      }
      out[key_of(json(k))] = value;
    }
    return true;
  }
  if (!m->is_array()) {
    why = "\"msrs\" must be an object or an array";
    return false;
  }
  for (size_t i = 0; i < m->size(); ++i) {
    const json& e = (*m)[i];
    const json* key = nullptr;
    if (e.is_object()) {
      for (const char* k : {"index", "msr", "address", "name"})
        if (e.contains(k)) { key = &e[k]; break; }
    }
    if (!key) {
      why = "msrs[" + std::to_string(i) + "] has no index";
      return false;
    }
    std::string value;
    const json* status = e.contains("status") ? &e["status"] : nullptr;
    if (!value_of(e.contains("value") ? e["value"] : json(nullptr), status, value)) {
      why = "msrs[" + std::to_string(i) + "]: value " + e.value("value", json()).dump() +
            " is not an integer or hex string";
      return false;
    }
    out[key_of(*key)] = value;
  }
  return true;
}

bool check_diag(const json& d, std::string& why) {
  if (!d.is_object()) {
    why = "must be a JSON object";
    return false;
  }
  auto v = d.find("schema_version");
  if (v == d.end() || !(v->is_number_integer() || v->is_number_unsigned()) || v->get<long long>() < 1) {
    why = "needs an integer \"schema_version\" >= 1";
    return false;
  }
  std::map<std::string, std::string> msrs;
  if (!capability_msrs(d, msrs, why)) return false;
  if (const json* vs = find_verdicts(d)) {
    if (!vs->is_array() && !vs->is_object()) {
      why = "verdicts must be an array or an object";
      return false;
    }
  }
  return true;
}

std::vector<Verdict> diag_verdicts(const json& d) {
  std::vector<Verdict> out;
  if (!d.is_object()) return out;
  const json* vs = find_verdicts(d);
  if (!vs) return out;
  if (vs->is_object()) {
    // diag's report: {"<id>": {"title", "value": true|false|null, "why"}}.
    for (const auto& [k, v] : vs->items()) {
      if (v.is_object()) {
        std::string verdict = str(v, {"verdict", "status", "result"});
        if (verdict.empty() && v.contains("value"))
          verdict = v["value"].is_boolean() ? (v["value"].get<bool>() ? "yes" : "no") : "unknown";
        std::string title = str(v, {"title", "name"});
        out.push_back({title.empty() ? k : title, verdict, str(v, {"detail", "reason", "why"})});
      } else {
        out.push_back({k, v.is_string() ? v.get<std::string>() : v.is_boolean() ? (v.get<bool>() ? "yes" : "no") : v.dump(), ""});
      }
    }
  } else if (vs->is_array()) {
    for (const json& v : *vs) {
      if (!v.is_object()) continue;
      out.push_back({str(v, {"name", "check", "id", "title"}), str(v, {"verdict", "status", "result"}),
                     str(v, {"detail", "reason", "why", "message"})});
    }
  }
  return out;
}

}  // namespace vmxb::reports

namespace vmxb::reports {

DiagSummary summarize_diag(const nlohmann::json& d) {
  DiagSummary s;
  if (!d.is_object()) return s;
  if (auto c = d.find("checks"); c != d.end() && c->is_array()) {
    for (const json& check : *c) {
      if (!check.is_object()) continue;
      const std::string outcome = str(check, {"outcome", "result", "status"});
      if (outcome == "pass") ++s.checks_passed;
      else if (outcome == "skip") ++s.checks_skipped;
      if (outcome != "fail" && outcome != "observed") continue;
      NotableCheck n{str(check, {"id", "name"}), str(check, {"severity"}), outcome, str(check, {"detail"}),
                     str(check, {"rule"})};
      if (outcome == "observed") {
        ++s.checks_observed;
      } else {
        ++s.checks_failed;
        s.errors_failed += n.severity == "error";
        s.warnings_failed += n.severity == "warning";
      }
      s.notable.push_back(std::move(n));
    }
  }
  if (auto e = d.find("exit"); e != d.end() && e->is_object()) {
    s.exit_id = str(*e, {"id"});
    s.exit_meaning = str(*e, {"meaning"});
  }
  if (auto src = d.find("source"); src != d.end() && src->is_object())
    s.source = str(*src, {"kind"}) + (str(*src, {"detail"}).empty() ? "" : " " + str(*src, {"detail"}));
  return s;
}

}  // namespace vmxb::reports
