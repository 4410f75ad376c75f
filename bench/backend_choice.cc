#include "bench/backend_choice.h"

#include <cpuid.h>
#include <sys/stat.h>

#include "primitives/cpuid_bits.h"
#include "primitives/fixed_text.h"

namespace vmxb::bench {

namespace {

// One line: what this CPU can do and exactly what to run for it.
constexpr FixedText<512> kHardwareHint = [] {
  FixedText<512> t;
  t.add("this CPU has VMX (");
  add_cpuid_citation(t, cpuid::kVmx);
  t.add(") but /dev/vmxbench does not exist, so the ring-0 rows come from Bochs (emulated instruction counts); "
        "for hardware numbers build and load the module as root with kernel/load.sh (it runs kernel/build.sh "
        "for the running kernel, then insmod), then run as root: bazel run -c opt //bench -- --backend=module");
  return t;
}();

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
    if (backend == "auto" && host.cpu_has_vmx) choice.hardware_hint = kHardwareHint.c_str();
  }
  return choice;
}

}  // namespace vmxb::bench
