#include "bench/host_context.h"

#include <libcpuid.h>
#include <sys/utsname.h>

#include <cpuid.h>
#include <fstream>
#include <string>

#include "primitives/cpuid_bits.h"

namespace vmxb::bench {
namespace {

std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "";
}

// CPUID.1:ECX[31] and the vendor signature at leaf 0x40000000 (e.g. "KVMKVMKVM").
std::string hypervisor() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !vmxb::cpuid::kHypervisor.in(c)) return "none";
  __cpuid(0x40000000, a, b, c, d);
  char vendor[13] = {};
  for (int i = 0; i < 4; ++i) {
    vendor[i] = static_cast<char>(b >> (8 * i));
    vendor[4 + i] = static_cast<char>(c >> (8 * i));
    vendor[8 + i] = static_cast<char>(d >> (8 * i));
  }
  return std::string(vendor).empty() ? "unknown" : std::string(vendor);
}

}  // namespace

std::map<std::string, std::string> host_context() {
  std::map<std::string, std::string> ctx;
  cpu_raw_data_t raw;
  cpu_id_t id;
  if (cpuid_get_raw_data(&raw) == 0 && cpu_identify(&raw, &id) == 0) {
    ctx["cpu_vendor"] = id.vendor_str;
    ctx["cpu_brand"] = id.brand_str;
    ctx["cpu_family"] = std::to_string(id.ext_family);
    ctx["cpu_model"] = std::to_string(id.ext_model);
    ctx["cpu_stepping"] = std::to_string(id.stepping);
    ctx["cpu_vmx"] = id.flags[CPU_FEATURE_VMX] ? "yes" : "no";
  } else {
    ctx["cpu_vendor"] = std::string("unknown (libcpuid: ") + cpuid_error() + ")";
  }
  const std::string microcode = cpuinfo_field("microcode");
  ctx["microcode"] = microcode.empty() ? "unknown" : microcode;
  struct utsname u;
  if (uname(&u) == 0) ctx["kernel"] = std::string(u.sysname) + " " + u.release;
  ctx["hypervisor"] = hypervisor();
  return ctx;
}

}  // namespace vmxb::bench
