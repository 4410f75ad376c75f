// The backend decision with a stand-in host: which backend each --backend
// value takes, and that only `auto` on a CPU with VMX but no /dev/vmxbench
// says how to get hardware numbers.
#include "bench/backend_choice.h"

#include <gtest/gtest.h>

namespace vmxb::bench {
namespace {

struct Case {
  const char* backend;
  bool vmx;
  bool device;
  BackendKind kind;
  bool hint;
};

constexpr Case kCases[] = {
    {"auto", true, true, BackendKind::kModule, false},
    {"auto", false, true, BackendKind::kModule, false},   // the module's own INFO then says VMX is missing
    {"auto", true, false, BackendKind::kBochs, true},     // first contact on a VT-x host
    {"auto", false, false, BackendKind::kBochs, false},   // no VMX: Bochs is all there is
    {"module", true, false, BackendKind::kModule, false}, // asked for: its own error names load.sh
    {"bochs", true, false, BackendKind::kBochs, false},   // asked for Bochs: no advice
    {"bochs", true, true, BackendKind::kBochs, false},
    {"qemu", true, false, BackendKind::kQemu, false},
};

TEST(BackendChoice, EachFlagAndHost) {
  for (const Case& c : kCases) {
    const BackendChoice got = choose_backend(c.backend, HostOffer{c.vmx, c.device});
    EXPECT_EQ(got.kind, c.kind) << c.backend << " vmx=" << c.vmx << " device=" << c.device;
    EXPECT_EQ(!got.hardware_hint.empty(), c.hint) << c.backend << " vmx=" << c.vmx << " device=" << c.device;
  }
}

TEST(BackendChoice, HintIsOneLineNamingWhatToRun) {
  const std::string hint = choose_backend("auto", HostOffer{true, false}).hardware_hint;
  EXPECT_EQ(hint.find('\n'), std::string::npos);
  for (const char* needed : {"CPUID.", "VMX", "/dev/vmxbench", "as root", "kernel/load.sh", "kernel/build.sh",
                             "--backend=module"})
    EXPECT_NE(hint.find(needed), std::string::npos) << needed << " missing from: " << hint;
}

// The real probe agrees with /proc/cpuinfo on this machine (whatever it has).
TEST(BackendChoice, ProbeMatchesCpuinfo) {
  FILE* f = std::fopen("/proc/cpuinfo", "r");
  if (f == nullptr) GTEST_SKIP() << "no /proc/cpuinfo";
  char line[4096];
  bool vmx_flag = false;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    const std::string l = line;
    if (l.rfind("flags", 0) == 0) {
      vmx_flag = (l + " ").find(" vmx ") != std::string::npos;
      break;
    }
  }
  std::fclose(f);
  // The kernel clears the flag when firmware disabled VMX, CPUID does not:
  // only "the kernel says vmx" implies "CPUID says VMX".
  if (vmx_flag) EXPECT_TRUE(probe_host().cpu_has_vmx);
  else SUCCEED() << "cpuinfo shows no vmx; CPUID.1:ECX[5] = " << probe_host().cpu_has_vmx;
}

}  // namespace
}  // namespace vmxb::bench
