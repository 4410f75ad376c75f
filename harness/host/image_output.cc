#include "harness/host/image_output.h"

#include <charconv>
#include <sstream>

namespace vmxb::harness {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

template <typename T>
bool parse_int(const std::string& text, T* out, int base = 10) {
  const char* end = text.data() + text.size();
  const auto r = std::from_chars(text.data(), end, *out, base);
  return r.ec == std::errc() && r.ptr == end && !text.empty();
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// key=value pairs from a line (values without spaces).
std::map<std::string, std::string> fields(const std::string& s) {
  std::map<std::string, std::string> kv;
  for (const auto& w : words(s)) {
    const size_t eq = w.find('=');
    if (eq != std::string::npos) kv[w.substr(0, eq)] = w.substr(eq + 1);
  }
  return kv;
}

bool parse_cpu(const std::string& line, ImageCpu* cpu) {
  auto kv = fields(line);
  const auto flag = [&](const char* k) { return kv[k] == "1"; };
  cpu->vendor = kv["vendor"];
  cpu->long_mode = flag("long_mode");
  cpu->vmx = flag("vmx");
  cpu->hypervisor = flag("hypervisor");
  cpu->rdtscp = flag("rdtscp");
  return parse_int(kv["family"], &cpu->family) && parse_int(kv["model"], &cpu->model) &&
         parse_int(kv["stepping"], &cpu->stepping) && parse_int(kv["maxphyaddr"], &cpu->maxphyaddr) &&
         !cpu->vendor.empty();
}

bool parse_op(const std::string& line, OpResult* op) {
  // OP <name> status=.. error=.. iterations=.. warmup=.. reason=<rest of line>
  const size_t reason_at = line.find(" reason=");
  if (reason_at == std::string::npos) return false;
  op->reason = line.substr(reason_at + 8);
  const auto w = words(line.substr(0, reason_at));
  if (w.size() < 2) return false;
  op->name = w[1];
  auto kv = fields(line.substr(0, reason_at));
  op->status = kv["status"];
  if (kv.count("pages") != 0 && !parse_int(kv["pages"], &op->pages)) return false;
  return !op->status.empty() && parse_int(kv["error"], &op->vm_error) &&
         parse_int(kv["iterations"], &op->iterations) && parse_int(kv["warmup"], &op->warmup);
}

// The decimal values w[from..]: the values of a SAMPLES or COUNTER line.
bool append_values(const std::vector<std::string>& w, size_t from, std::vector<uint64_t>* out) {
  for (size_t i = from; i < w.size(); ++i) {
    uint64_t v = 0;
    if (!parse_int(w[i], &v)) return false;
    out->push_back(v);
  }
  return true;
}

bool parse_test(const std::string& line, TestResult* t) {
  const size_t colon = line.find(": ");
  if (colon == std::string::npos) return false;
  t->verdict = line.substr(0, colon);
  const std::string rest = line.substr(colon + 2);
  const size_t sep = rest.find(": ");
  t->name = sep == std::string::npos ? rest : rest.substr(0, sep);
  t->detail = sep == std::string::npos ? "" : rest.substr(sep + 2);
  return !t->name.empty();
}

}  // namespace

ImageReport parse_image_output(const std::vector<std::string>& lines) {
  ImageReport r;
  for (const std::string& line : lines) {
    bool ok = true;
    if (line.empty()) continue;
    if (starts_with(line, "VMXBENCH-IMAGE ")) {
      ok = parse_int(line.substr(15), &r.protocol_version);
    } else if (starts_with(line, "CPU ")) {
      ImageCpu cpu;
      ok = parse_cpu(line, &cpu);
      if (ok) r.cpu = cpu;
    } else if (starts_with(line, "CPUID ")) {
      const auto w = words(line);
      CpuidReading c{};
      ok = w.size() == 7 && parse_int(w[1], &c.leaf, 16) && parse_int(w[2], &c.subleaf, 16) &&
           parse_int(w[3], &c.eax, 16) && parse_int(w[4], &c.ebx, 16) && parse_int(w[5], &c.ecx, 16) &&
           parse_int(w[6], &c.edx, 16);
      if (ok) r.cpuid.push_back(c);
    } else if (starts_with(line, "MSR ")) {
      const auto w = words(line);
      uint32_t index = 0;
      uint64_t value = 0;
      ok = w.size() == 3 && parse_int(w[1], &index, 16);
      if (ok && w[2] == "gp") r.msrs[index] = std::nullopt;
      else if (ok && (ok = parse_int(w[2], &value, 16))) r.msrs[index] = value;
    } else if (starts_with(line, "CR ")) {
      const auto w = words(line);
      int n = 0;
      uint64_t value = 0;
      ok = w.size() == 3 && parse_int(w[1], &n) && parse_int(w[2], &value, 16);
      if (ok) r.control_registers[n] = value;
    } else if (starts_with(line, "PASS: ") || starts_with(line, "FAIL: ") || starts_with(line, "SKIP: ") ||
               starts_with(line, "KNOWN: ") || starts_with(line, "OBSERVED: ")) {
      TestResult t;
      ok = parse_test(line, &t);
      if (ok) r.tests.push_back(t);
    } else if (starts_with(line, "SUMMARY: ")) {
      Summary s;
      ok = sscanf(line.c_str(), "SUMMARY: %u tests, %u failures, %u skipped, %u known", &s.tests, &s.failures,
                  &s.skipped, &s.known) == 4;
      if (ok) r.summary = s;
    } else if (starts_with(line, "OP ")) {
      OpResult op;
      ok = parse_op(line, &op);
      if (ok) r.ops.push_back(op);
    } else if (starts_with(line, "SAMPLES ")) {
      const auto w = words(line);
      ok = w.size() >= 3 && !r.ops.empty() && r.ops.back().name == w[1] &&
           append_values(w, 2, &r.ops.back().samples);
    } else if (starts_with(line, "COUNTER ")) {
      const auto w = words(line);
      ok = w.size() >= 4 && !r.ops.empty() && r.ops.back().name == w[1] &&
           append_values(w, 3, &r.ops.back().counters[w[2]]);
    } else if (starts_with(line, "CHUNKS ")) {
      const auto w = words(line);
      ok = w.size() >= 3 && !r.ops.empty() && r.ops.back().name == w[1];
      for (size_t i = 2; ok && i < w.size(); ++i) {
        const size_t eq = w[i].find('=');
        ok = eq != std::string::npos && eq > 0;
        if (ok) r.ops.back().chunks[w[i].substr(0, eq)] = w[i].substr(eq + 1);
      }
    } else if (starts_with(line, "TIMING end=")) {
      r.timing_end = line.substr(11);
    } else if (starts_with(line, "MEASUREMENT ")) {
      const size_t sp = line.find(' ', 12);
      ok = sp != std::string::npos && sp > 12;
      if (ok) r.measurement[line.substr(12, sp - 12)] = line.substr(sp + 1);
    } else if (starts_with(line, "VMX unusable: ")) {
      r.vmx_unusable = line.substr(14);
    } else if (starts_with(line, "EXCEPTION ")) {
      r.exceptions.push_back(line.substr(10));
    } else if (starts_with(line, "PLAN-ERROR ")) {
      r.plan_error = line.substr(11);
    } else if (starts_with(line, "END status=")) {
      r.end_seen = true;
      r.end_ok = starts_with(line, "END status=ok");
      const size_t sp = line.find(' ', 11);
      r.end_reason = sp == std::string::npos ? "" : line.substr(sp + 1);
    } else {
      ok = false;
    }
    if (!ok) r.malformed.push_back(line);
  }
  return r;
}

}  // namespace vmxb::harness
