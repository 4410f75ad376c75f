#include "reports/report.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <vector>

#include "reports/diag_view.h"
#include "reports/json_schema.h"
#include "reports/sha256.h"
#include "reports/timeutil.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

const char kSchemaText[] =
#include "reports/report_schema.inc"
    ;

const JsonSchema& Schema() {
  static const JsonSchema schema(ReportSchema());
  return schema;
}

std::optional<std::string> ContextString(const json& context, const char* key) {
  auto it = context.find(key);
  if (it == context.end() || it->is_null()) return std::nullopt;
  std::string s = it->is_string() ? it->get<std::string>() : it->dump();
  if (s.empty() || s == "unknown") return std::nullopt;
  return s;
}

// "6", "0x55", 6 -> integer; anything else -> null.
json ContextInteger(const json& context, const char* key) {
  auto it = context.find(key);
  if (it == context.end()) return nullptr;
  if (it->is_number_integer() || it->is_number_unsigned()) return *it;
  if (!it->is_string()) return nullptr;
  const std::string& s = it->get_ref<const std::string&>();
  if (s.empty()) return nullptr;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end == s.c_str() || *end != '\0' || s[0] == '-') return nullptr;
  return v;
}

json ContextNumber(const json& context, const char* key) {
  auto it = context.find(key);
  if (it == context.end()) return nullptr;
  if (it->is_number()) return *it;
  if (!it->is_string()) return nullptr;
  const std::string& s = it->get_ref<const std::string&>();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !(v >= 0)) return nullptr;
  return v;
}

json OrNull(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

std::optional<std::string> SemanticError(const json& r) {
  if (!ParseIso8601(r["timestamp"].get<std::string>()))
    return "/timestamp: " + r["timestamp"].dump() + " is not a valid date and time";
  const json& host = r["host"];
  if (host["id"] != HostId(host))
    return "/host/id: " + host["id"].dump() + " does not match the host fields (expected \"" +
           HostId(host) + "\")";
  const json& b = r["backend"];
  const std::string kind = b["kind"];
  if (kind == "bochs") {
    if (!b["emulated"].get<bool>()) return "/backend/emulated: a bochs backend is always emulated";
    if (b["bochs_model"].is_null()) return "/backend/bochs_model: a bochs backend names its CPU model";
    if (b["tick_unit"] != "instructions")
      return "/backend/tick_unit: Bochs ticks count instructions, not cycles";
  } else if (kind == "module" && b["emulated"].get<bool>()) {
    return "/backend/emulated: the module backend runs on hardware";
  }
  if (kind != "bochs" && !b["bochs_model"].is_null()) return "/backend/bochs_model: only a bochs backend has one";
  if (kind != "qemu" && !b["qemu_accel"].is_null()) return "/backend/qemu_accel: only a qemu backend has one";
  std::optional<std::string> cap;
  if (!r["diag"].is_null()) {
    std::string why;
    if (!CheckDiag(r["diag"], why)) return "/diag: " + why;
    cap = CapabilityHash(r["diag"]);
  }
  if (host["vmx_capability_hash"] != OrNull(cap))
    return "/host/vmx_capability_hash: " + host["vmx_capability_hash"].dump() +
           " does not match the diag part's MSRs (expected " + OrNull(cap).dump() + ")";
  const json& rows = r["google_benchmark"]["benchmarks"];
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    bool error = row.value("error_occurred", false);
    bool iteration = row.value("run_type", "iteration") == "iteration";
    if (!error && iteration && !row.contains("big_o") && !row.contains("rms") &&
        (!row.contains("real_time") || !row.contains("time_unit")))
      return "/google_benchmark/benchmarks/" + std::to_string(i) +
             ": an iteration row needs real_time and time_unit";
  }
  return std::nullopt;
}

}  // namespace

const json& ReportSchema() {
  static const json schema = json::parse(kSchemaText);
  return schema;
}

std::string BackendDetail(const json& b) {
  if (b.contains("bochs_model") && b["bochs_model"].is_string()) return b["bochs_model"].get<std::string>();
  if (b.contains("qemu_accel") && b["qemu_accel"].is_string()) return b["qemu_accel"].get<std::string>();
  return "";
}

std::string BackendLabel(const json& b) {
  const std::string detail = BackendDetail(b);
  return b["kind"].get<std::string>() + (detail.empty() ? "" : " (" + detail + ")");
}

std::string HostId(const json& host) {
  std::string key;
  for (const char* f : {"name", "cpu_vendor", "cpu_family", "cpu_model", "cpu_stepping"}) {
    auto it = host.find(f);
    key += (it == host.end() || it->is_null()) ? std::string() : it->is_string() ? it->get<std::string>() : it->dump();
    key += '\n';
  }
  return Sha256Hex(key).substr(0, 16);
}

std::string ContentHash(const json& report) { return Sha256Hex(report.dump()); }

std::optional<std::string> CapabilityHash(const json& diag) {
  std::map<std::string, std::string> msrs;
  std::string why;
  if (!CapabilityMsrs(diag, msrs, why) || msrs.empty()) return std::nullopt;
  std::string text;
  for (const auto& [k, v] : msrs) text += k + "=" + v + "\n";
  return "sha256:" + Sha256Hex(text);
}

std::optional<std::string> ValidateReport(const json& report) {
  // Which format and version first: a report of another version fails for
  // that reason, not for the first member that happens to differ.
  if (report.is_object()) {
    auto f = report.find("format"), v = report.find("format_version");
    if (f != report.end() && *f != kFormatName)
      return "/format: " + f->dump() + " is not \"" + kFormatName + "\"";
    if (v != report.end() && v->is_number_integer() && *v != kFormatVersion)
      return "/format_version: " + v->dump() + " is not supported; this tool reads format version " +
             std::to_string(kFormatVersion);
  }
  if (auto e = Schema().Validate(report)) return e;
  return SemanticError(report);
}

json BuildReport(const json& gb, const json* diag, const BuildOptions& options) {
  if (!gb.is_object() || !gb.contains("context") || !gb["context"].is_object() ||
      !gb.contains("benchmarks") || !gb["benchmarks"].is_array())
    throw ReportError("the Google Benchmark document needs a \"context\" object and a \"benchmarks\" array");
  const json& ctx = gb["context"];
  auto backend = ContextString(ctx, "vmxbench_backend");
  if (!backend)
    throw ReportError("the Google Benchmark context has no vmxbench_backend (module, bochs, qemu or none)");
  if (*backend != "module" && *backend != "bochs" && *backend != "qemu" && *backend != "none")
    throw ReportError("vmxbench_backend is \"" + *backend + "\"; expected module, bochs, qemu or none");
  auto qemu_accel = *backend == "qemu" ? ContextString(ctx, "vmxbench_qemu_accel") : std::nullopt;
  if (qemu_accel && *qemu_accel != "kvm" && *qemu_accel != "tcg")
    throw ReportError("vmxbench_qemu_accel is \"" + *qemu_accel + "\"; expected kvm or tcg");
  auto version = options.suite_version ? options.suite_version : ContextString(ctx, "vmxbench_version");
  if (!version) throw ReportError("no suite version: the context has no vmxbench_version");

  std::optional<int64_t> when;
  if (options.timestamp) {
    when = ParseIso8601(*options.timestamp);
    if (!when) throw ReportError("timestamp \"" + *options.timestamp + "\" is not ISO-8601");
  } else if (auto date = ContextString(ctx, "date")) {
    when = ParseIso8601(*date);
  }
  if (!when) when = NowEpochSeconds();

  bool emulated;
  if (auto e = ContextString(ctx, "vmxbench_emulated")) {
    if (*e != "yes" && *e != "no") throw ReportError("vmxbench_emulated is \"" + *e + "\"; expected yes or no");
    emulated = *e == "yes";
  } else {
    emulated = *backend == "bochs" || (*backend == "qemu" && qemu_accel != "kvm");
  }
  auto tick_unit = ContextString(ctx, "vmxbench_tick_unit");
  if (!tick_unit)
    tick_unit = *backend == "bochs" ? "instructions" : (*backend == "qemu" && qemu_accel != "kvm") ? "tcg-ticks" : "cycles";
  auto bochs_model = *backend == "bochs" ? ContextString(ctx, "vmxbench_bochs_model") : std::nullopt;

  json host = {
      {"name", ContextString(ctx, "host_name").value_or("unknown")},
      {"cpu_vendor", ContextString(ctx, "cpu_vendor").value_or("unknown")},
      {"cpu_brand", ContextString(ctx, "cpu_brand").value_or("unknown")},
      {"cpu_family", ContextInteger(ctx, "cpu_family")},
      {"cpu_model", ContextInteger(ctx, "cpu_model")},
      {"cpu_stepping", ContextInteger(ctx, "cpu_stepping")},
      {"microcode", OrNull(ContextString(ctx, "microcode"))},
      {"kernel", OrNull(ContextString(ctx, "kernel"))},
      {"hypervisor", OrNull(ContextString(ctx, "hypervisor"))},
      {"num_cpus", ContextInteger(ctx, "num_cpus")},
      {"tsc_hz", ContextNumber(ctx, "tsc_hz")},
      {"vmx_capability_hash", nullptr},
  };
  if (diag) {
    std::string why;
    if (!CheckDiag(*diag, why)) throw ReportError("diag document: " + why);
    host["vmx_capability_hash"] = OrNull(CapabilityHash(*diag));
  }
  host["id"] = HostId(host);

  json report = {
      {"format", kFormatName},
      {"format_version", kFormatVersion},
      {"suite_version", *version},
      {"timestamp", FormatUtc(*when)},
      {"host", host},
      {"backend",
       {{"kind", *backend},
        {"emulated", emulated},
        {"bochs_model", OrNull(bochs_model)},
        {"qemu_accel", OrNull(qemu_accel)},
        {"tick_unit", *tick_unit}}},
      {"google_benchmark", gb},
      {"diag", diag ? *diag : json(nullptr)},
  };
  if (auto e = ValidateReport(report)) throw ReportError("the report built is not valid: " + *e);
  return report;
}

json ParseGoogleBenchmarkJson(std::string_view text) {
  std::string fixed;
  fixed.reserve(text.size());
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (in_string) {
      fixed += c;
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      fixed += c;
      ++i;
      continue;
    }
    bool replaced = false;
    for (std::string_view token : {"-Infinity", "Infinity", "-NaN", "NaN"}) {
      if (text.substr(i, token.size()) == token) {
        fixed += "null";
        if (token.size() > 4) fixed.append(token.size() - 4, ' ');  // about the same columns in messages
        i += token.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      fixed += c;
      ++i;
    }
  }
  try {
    return json::parse(fixed);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw ReportError(what);
  }
}

void WriteReportFile(const json& report, const std::string& path) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ReportError("cannot write " + tmp + ": " + std::strerror(errno));
    out << report.dump(2) << '\n';
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw ReportError("cannot write " + tmp + ": " + std::strerror(errno));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw ReportError("cannot rename " + tmp + " to " + path + ": " + std::strerror(err));
  }
}

}  // namespace vmxb::reports
