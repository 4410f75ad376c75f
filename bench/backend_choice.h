// Which backend //bench takes (--backend=auto|module|bochs|qemu), from what the
// host offers; kept apart from main.cc so the decision is testable with a
// stand-in host (bench/tests/backend_choice_test.cc).
#pragma once

#include <string>

namespace vmxb::bench {

// What the host offers, as the decision needs it.
struct HostOffer {
  bool cpu_has_vmx = false;    // CPUID.1:ECX[5] (SDM Vol. 3C 24.6)
  bool device_exists = false;  // /dev/vmxbench: the module is loaded
};

// The real host: CPUID of this CPU and stat() of the device.
HostOffer probe_host();

enum class BackendKind { kModule, kBochs, kQemu };

struct BackendChoice {
  BackendKind kind = BackendKind::kBochs;
  // First contact on a VT-x host: `auto` fell back to Bochs although this CPU
  // could give hardware numbers. One line (for stderr and the JSON context,
  // vmxbench_hardware_hint) naming what to run; empty otherwise.
  std::string hardware_hint;
};

// `backend` is a valid --backend value.
BackendChoice choose_backend(const std::string& backend, const HostOffer& host);

}  // namespace vmxb::bench
