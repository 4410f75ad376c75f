#include "reports/report.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include "diag/safe_output.h"
#include "reports/diag_view.h"
#include "reports/json_schema.h"
#include "reports/revision.h"
#include "reports/sha256.h"
#include "reports/timeutil.h"

namespace vmxb::reports {
namespace {

using nlohmann::json;

const char kSchemaText[] =
#include "reports/report_schema.inc"
    ;

const JsonSchema& schema() {
  static const JsonSchema schema(report_schema());
  return schema;
}

std::optional<std::string> context_string(const json& context, const char* key) {
  auto it = context.find(key);
  if (it == context.end() || it->is_null()) return std::nullopt;
  std::string s = it->is_string() ? it->get<std::string>() : it->dump();
  if (s.empty() || s == "unknown") return std::nullopt;
  return s;
}

// "6", "0x55", 6 -> integer; anything else -> null.
json context_integer(const json& context, const char* key) {
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

json context_number(const json& context, const char* key) {
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

json or_null(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

// Every number of a result row must stay finite as compare, the history and
// the exporters use it: times in nanoseconds (1e300 s is not), counters as
// they are. An infinite or NaN value would poison every statistic built on it.
std::optional<std::string> non_finite_value(const json& row) {
  const double time_factor = nanos_per(row.value("time_unit", std::string("ns")));
  for (const auto& [key, value] : row.items()) {
    if (!value.is_number_float()) continue;
    const bool is_time = key == "real_time" || key == "cpu_time";
    const double v = value.get<double>() * (is_time ? time_factor : 1.0);
    if (!std::isfinite(v))
      return key + ": " + value.dump() + (is_time ? " " + row.value("time_unit", std::string("ns")) : "") +
             " is not a finite number" + (is_time ? " of nanoseconds" : "");
  }
  return std::nullopt;
}

std::optional<std::string> semantic_error(const json& r) {
  if (!parse_iso8601(r["timestamp"].get<std::string>()))
    return "/timestamp: " + r["timestamp"].dump() + " is not a valid date and time";
  const json& host = r["host"];
  if (host["id"] != host_id(host))
    return "/host/id: " + host["id"].dump() + " does not match the host fields (expected \"" +
           host_id(host) + "\")";
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
  if (r["google_benchmark"].contains("context") && r["google_benchmark"]["context"].is_object()) {
    std::optional<Revision> revision;
    std::string why;
    if (!revision_from_context(r["google_benchmark"]["context"], &revision, &why))
      return "/google_benchmark/context/" + why;
  }
  std::optional<std::string> cap;
  if (!r["diag"].is_null()) {
    std::string why;
    if (!check_diag(r["diag"], why)) return "/diag: " + why;
    cap = capability_hash(r["diag"]);
  }
  if (host["vmx_capability_hash"] != or_null(cap))
    return "/host/vmx_capability_hash: " + host["vmx_capability_hash"].dump() +
           " does not match the diag part's MSRs (expected " + or_null(cap).dump() + ")";
  const json& rows = r["google_benchmark"]["benchmarks"];
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    if (auto why = non_finite_value(row))
      return "/google_benchmark/benchmarks/" + std::to_string(i) + "/" + *why;
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

const json& report_schema() {
  static const json schema = json::parse(kSchemaText);
  return schema;
}

std::string backend_detail(const json& b) {
  if (b.contains("bochs_model") && b["bochs_model"].is_string()) return b["bochs_model"].get<std::string>();
  if (b.contains("qemu_accel") && b["qemu_accel"].is_string()) return b["qemu_accel"].get<std::string>();
  return "";
}

std::string backend_label(const std::string& kind, const std::string& detail) {
  return kind + (detail.empty() ? "" : " (" + detail + ")");
}

std::string backend_label(const json& b) { return backend_label(b["kind"].get<std::string>(), backend_detail(b)); }

std::string host_id(const json& host) {
  std::string key;
  for (const char* f : {"name", "cpu_vendor", "cpu_family", "cpu_model", "cpu_stepping"}) {
    auto it = host.find(f);
    key += (it == host.end() || it->is_null()) ? std::string() : it->is_string() ? it->get<std::string>() : it->dump();
    key += '\n';
  }
  return sha256_hex(key).substr(0, 16);
}

std::string content_hash(const json& report) { return sha256_hex(report.dump()); }

std::optional<std::string> capability_hash(const json& diag) {
  std::map<std::string, std::string> msrs;
  std::string why;
  if (!capability_msrs(diag, msrs, why) || msrs.empty()) return std::nullopt;
  std::string text;
  for (const auto& [k, v] : msrs) text += k + "=" + v + "\n";
  return "sha256:" + sha256_hex(text);
}

std::optional<std::string> validate_report(const json& report) {
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
  if (auto e = schema().validate(report)) return e;
  return semantic_error(report);
}

json build_report(const json& gb, const json* diag, const BuildOptions& options) {
  if (!gb.is_object() || !gb.contains("context") || !gb["context"].is_object() ||
      !gb.contains("benchmarks") || !gb["benchmarks"].is_array())
    throw ReportError("the Google Benchmark document needs a \"context\" object and a \"benchmarks\" array");
  const json& ctx = gb["context"];
  auto backend = context_string(ctx, "vmxbench_backend");
  if (!backend)
    throw ReportError("the Google Benchmark context has no vmxbench_backend (module, bochs, qemu or none)");
  if (*backend != "module" && *backend != "bochs" && *backend != "qemu" && *backend != "none")
    throw ReportError("vmxbench_backend is \"" + *backend + "\"; expected module, bochs, qemu or none");
  auto qemu_accel = *backend == "qemu" ? context_string(ctx, "vmxbench_qemu_accel") : std::nullopt;
  if (qemu_accel && *qemu_accel != "kvm" && *qemu_accel != "tcg")
    throw ReportError("vmxbench_qemu_accel is \"" + *qemu_accel + "\"; expected kvm or tcg");
  auto version = options.suite_version ? options.suite_version : context_string(ctx, "vmxbench_version");
  if (!version) throw ReportError("no suite version: the context has no vmxbench_version");

  std::optional<int64_t> when;
  if (options.timestamp) {
    when = parse_iso8601(*options.timestamp);
    if (!when) throw ReportError("timestamp \"" + *options.timestamp + "\" is not ISO-8601");
  } else if (auto date = context_string(ctx, "date")) {
    when = parse_iso8601(*date);
  }
  if (!when) when = now_epoch_seconds();

  bool emulated;
  if (auto e = context_string(ctx, "vmxbench_emulated")) {
    if (*e != "yes" && *e != "no") throw ReportError("vmxbench_emulated is \"" + *e + "\"; expected yes or no");
    emulated = *e == "yes";
  } else {
    emulated = *backend == "bochs" || (*backend == "qemu" && qemu_accel != "kvm");
  }
  auto tick_unit = context_string(ctx, "vmxbench_tick_unit");
  if (!tick_unit)
    tick_unit = *backend == "bochs" ? "instructions" : (*backend == "qemu" && qemu_accel != "kvm") ? "tcg-ticks" : "cycles";
  auto bochs_model = *backend == "bochs" ? context_string(ctx, "vmxbench_bochs_model") : std::nullopt;

  json host = {
      {"name", context_string(ctx, "host_name").value_or("unknown")},
      {"cpu_vendor", context_string(ctx, "cpu_vendor").value_or("unknown")},
      {"cpu_brand", context_string(ctx, "cpu_brand").value_or("unknown")},
      {"cpu_family", context_integer(ctx, "cpu_family")},
      {"cpu_model", context_integer(ctx, "cpu_model")},
      {"cpu_stepping", context_integer(ctx, "cpu_stepping")},
      {"microcode", or_null(context_string(ctx, "microcode"))},
      {"kernel", or_null(context_string(ctx, "kernel"))},
      {"hypervisor", or_null(context_string(ctx, "hypervisor"))},
      {"num_cpus", context_integer(ctx, "num_cpus")},
      {"tsc_hz", context_number(ctx, "tsc_hz")},
      {"vmx_capability_hash", nullptr},
  };
  if (diag) {
    std::string why;
    if (!check_diag(*diag, why)) throw ReportError("diag document: " + why);
    host["vmx_capability_hash"] = or_null(capability_hash(*diag));
  }
  host["id"] = host_id(host);

  json report = {
      {"format", kFormatName},
      {"format_version", kFormatVersion},
      {"suite_version", *version},
      {"timestamp", format_utc(*when)},
      {"host", host},
      {"backend",
       {{"kind", *backend},
        {"emulated", emulated},
        {"bochs_model", or_null(bochs_model)},
        {"qemu_accel", or_null(qemu_accel)},
        {"tick_unit", *tick_unit}}},
      {"google_benchmark", gb},
      {"diag", diag ? *diag : json(nullptr)},
  };
  if (auto e = validate_report(report)) throw ReportError("the report built is not valid: " + *e);
  return report;
}

json parse_google_benchmark_json(std::string_view text) {
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
  } catch (const json::exception& e) {  // parse_error, and out_of_range for 1e400
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw ReportError(what);
  }
}

void write_report_file(const json& report, const std::string& path, bool replace) {
  std::string error;
  if (!output::write_file_safely(path, report.dump(2) + "\n", replace, error)) throw ReportError(error);
}

}  // namespace vmxb::reports
