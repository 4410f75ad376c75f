#include "bench/backend_choice.h"

#include <cpuid.h>
#include <sys/stat.h>

#include "primitives/cpuid_bits.h"

namespace vmxb::bench {

namespace {

constexpr const char* kHardwareHint =
    "this CPU has VMX (CPUID.1:ECX[5]) but /dev/vmxbench does not exist, so the ring-0 rows come from Bochs "
    "(emulated instruction counts); for hardware numbers build and load the module as root: "
    "kernel/build.sh /tmp/vmxbench && kernel/load.sh (builds for the running kernel and loads it), then "
    "bazel run -c opt //bench -- --backend=module (as root)";

}  // namespace

HostOffer probe_host() {
  HostOffer host;
  unsigned a = 0, b = 0, c = 0, d = 0;
  host.cpu_has_vmx = __get_cpuid(cpuid_leaf::kFeatures, &a, &b, &c, &d) && cpuid::kVmx.in(c);
  struct stat st;
  host.device_exists = stat("/dev/vmxbench", &st) == 0;
  return host;
}

BackendChoice choose_backend(const std::string& backend, const HostOffer& host) {
  BackendChoice choice;
  if (backend == "module" || (backend == "auto" && host.device_exists)) {
    choice.kind = BackendKind::kModule;
  } else if (backend == "qemu") {
    choice.kind = BackendKind::kQemu;
  } else {
    choice.kind = BackendKind::kBochs;
    if (backend == "auto" && host.cpu_has_vmx) choice.hardware_hint = kHardwareHint;
  }
  return choice;
}

}  // namespace vmxb::bench
