#include "diag/cpuinfo.h"

#include <algorithm>
#include <cstdlib>

#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// The names Linux prints (vmxfeatures.h: a quoted name, else the lower-cased
// macro name; "" = not printed) and the capability bit each one reflects
// (feat_ctl.c init_vmx_capabilities()).
const std::vector<VmxFlagSource> kSources = {
    // Word 0: pin-based controls, EPT/VPID bits, aggregates, VM functions.
    {"vnmi", &pinbased::kVirtualNmis},
    {"preemption_timer", &pinbased::kPreemptionTimer},
    {"posted_intr", &pinbased::kPostedInterrupts},
    {"invvpid", &ept_vpid_cap::kInvvpid},
    {"ept_x_only", &ept_vpid_cap::kExecuteOnly},
    {"ept_ad", &ept_vpid_cap::kAccessedDirtyFlags},
    {"ept_1gb", &ept_vpid_cap::kPdpte1GbPages},
    {"flexpriority", nullptr, "Use TPR shadow and Virtualize APIC accesses"},
    {"apicv", nullptr,
     "Use TPR shadow, APIC-register virtualization, Virtual-interrupt delivery and "
     "Process posted interrupts"},
    {"eptp_switching", &vmfunc::kEptpSwitching},
    // Word 1: primary processor-based controls.
    {"tsc_offset", &primary::kTscOffsetting},
    {"vtpr", &primary::kUseTprShadow},
    {"mtf", &primary::kMonitorTrapFlag},
    // Word 2: secondary processor-based controls.
    {"vapic", &secondary::kVirtualizeApicAccesses},
    {"ept", &secondary::kEnableEpt},
    {"vpid", &secondary::kEnableVpid},
    {"unrestricted_guest", &secondary::kUnrestrictedGuest},
    {"vapic_reg", &secondary::kApicRegisterVirtualization},
    {"vid", &secondary::kVirtualInterruptDelivery},
    {"ple", &secondary::kPauseLoopExiting},
    {"shadow_vmcs", &secondary::kVmcsShadowing},
    {"pml", &secondary::kEnablePml},
    {"ept_mode_based_exec", &secondary::kModeBasedExecute},
    {"tsc_scaling", &secondary::kUseTscScaling},
    {"usr_wait_pause", &secondary::kUserWaitAndPause},
};

}  // namespace

bool CpuinfoCpu::has_flag(std::string_view f) const {
  return std::find(flags.begin(), flags.end(), f) != flags.end();
}

std::vector<CpuinfoCpu> parse_cpuinfo(std::string_view text) {
  std::vector<CpuinfoCpu> cpus;
  CpuinfoCpu cur;
  bool open = false;
  auto flush = [&] {
    if (open && cur.processor >= 0) cpus.push_back(cur);
    cur = CpuinfoCpu{};
    open = false;
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (trim(line).empty()) {
      flush();
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    open = true;
    if (key == "processor") {
      cur.processor = std::atoi(std::string(value).c_str());
    } else if (key == "vendor_id") {
      cur.vendor = std::string(value);
    } else if (key == "flags") {
      cur.flags = words(value);
    } else if (key == "vmx flags") {
      cur.has_vmx_flags_line = true;
      cur.vmx_flags = words(value);
    } else if (key == "microcode") {
      char* end = nullptr;
      std::string v(value);
      unsigned long m = std::strtoul(v.c_str(), &end, 0);
      if (end != v.c_str() && *end == '\0' && m <= 0xFFFFFFFFul) cur.microcode = static_cast<u32>(m);
    }
  }
  flush();
  return cpus;
}

const VmxFlagSource* find_vmx_flag(std::string_view flag) {
  for (const auto& s : kSources)
    if (flag == s.flag) return &s;
  return nullptr;
}

const std::vector<VmxFlagSource>& vmx_flag_sources() { return kSources; }

}  // namespace vmxb::diag
