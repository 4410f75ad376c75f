#include "diag/live.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "diag/cpuinfo.h"
#include "diag/identify.h"
#include "diag/presence.h"

namespace vmxb::diag {
namespace {

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string host_description() {
  std::string out;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) out = host;
  struct utsname u;
  if (uname(&u) == 0) out += std::string(out.empty() ? "" : ", ") + u.sysname + " " + u.release;
  return out;
}

}  // namespace

Snapshot collect_live(const LiveOptions& options) {
  Snapshot s;
  s.source = SourceKind::kLive;
  s.source_detail = host_description();

  std::string error;
  if (options.identity)
    s.identity = *options.identity;
  else if (!identify_live(s.identity, error))
    s.notes.push_back("CPU identification failed: " + error);

  std::vector<CpuinfoCpu> cpuinfo;
  if (auto text = slurp(options.cpuinfo_path)) cpuinfo = parse_cpuinfo(*text);
  if (!cpuinfo.empty()) {
    if (!s.identity.microcode) s.identity.microcode = cpuinfo.front().microcode;
    // Only meaningful with CPUID.1:ECX.VMX = 1: Linux then clears "vmx" when
    // the firmware left VMX disabled in IA32_FEATURE_CONTROL.
    s.os_vmx_flag = cpuinfo.front().has_flag("vmx");
  }

  std::vector<int> cpus;
  if (auto text = slurp(options.online_path)) cpus = parse_cpu_list(*text);
  if (cpus.empty())
    for (const auto& c : cpuinfo) cpus.push_back(c.processor);
  if (cpus.empty()) cpus.push_back(0);

  auto cpuinfo_of = [&](int cpu) -> const CpuinfoCpu* {
    for (const auto& c : cpuinfo)
      if (c.processor == cpu) return &c;
    return nullptr;
  };

  for (int cpu : cpus) {
    CpuState st;
    st.cpu = cpu;
    if (const CpuinfoCpu* c = cpuinfo_of(cpu)) st.microcode = c->microcode;
    s.cpus.push_back(st);
  }

  if (!s.identity.vmx && !s.identity.smx) {
    s.msr_error = cpuid_citation(cpuid::kVmx) + " = 0, the VMX capability MSRs do not exist";
    return s;
  }

  std::unique_ptr<MsrReader> own;
  MsrReader* reader = options.reader;
  if (reader == nullptr) {
    own = make_libcpuid_msr_reader();
    reader = own.get();
  }
  s.msrs_available = true;
  for (auto& st : s.cpus) {
    if (!reader->open(st.cpu, error)) {
      s.msrs_available = false;
      s.msr_error = error;
      break;
    }
    st.msrs = read_capability_msrs(s.identity, *reader);
    reader->close();
  }
  if (s.msrs_available) return s;

  // Fallback: what Linux derived from the same MSRs at boot.
  s.source = SourceKind::kCpuinfo;
  for (auto& st : s.cpus) {
    st.msrs.clear();
    if (const CpuinfoCpu* c = cpuinfo_of(st.cpu)) st.vmx_flags = c->vmx_flags;
  }
  if (cpuinfo.empty()) s.notes.push_back(options.cpuinfo_path + " could not be read either");
  return s;
}

}  // namespace vmxb::diag
