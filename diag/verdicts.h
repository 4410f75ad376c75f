// What the capabilities mean in practice: is VMX usable, are EPT, VPID,
// unrestricted guest and the INVEPT types there, and what Linux KVM
// (kvm_intel: setup_vmcs_config() and vmx_hardware_setup()) would conclude.
#pragma once

#include <string>
#include <vector>

#include "diag/checks.h"
#include "diag/decode.h"
#include "diag/snapshot.h"

namespace vmxb::diag {

struct Verdict {
  std::string id;  // stable key: vmx_supported, vmx_usable, ept, vpid, ...
  std::string title;
  Tri value;
  std::string why;
};

struct KvmVerdict {
  Tri loads;                          // would `modprobe kvm_intel` succeed
  std::vector<std::string> blockers;  // why it would not
  std::vector<Verdict> params;        // enable_ept, enable_vpid, ... as KVM would set them
};

struct Finding {
  std::string id;  // nested, bochs, cpuinfo_fallback, ...
  std::string text;
};

struct Verdicts {
  std::vector<Verdict> items;
  KvmVerdict kvm;
  std::vector<Finding> findings;

  const Verdict* find(const std::string& id) const;
};

Verdicts judge(const Snapshot& s, const Decoded& d, const std::vector<CheckResult>& checks);

}  // namespace vmxb::diag
