// What changed between two machines' (or one machine's two days') VMX
// capabilities, item by item, decoded from the same tables as everything
// else (primitives/vmx_capabilities.h through diag/decode.h): a control no
// longer allowed, a lost INVEPT/INVVPID type or EPT walk length, a new VMCS
// revision. A cloud provider's nested-hypervisor update or a microcode/BIOS
// update can take one away silently; `diag --diff` and `reports compare`
// name each one, and a lost capability has its own exit status.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diag/decode.h"

namespace vmxb::diag {

enum class ChangeKind {
  kLost,     // something a hypervisor could use before and cannot now
  kGained,   // the reverse
  kChanged,  // a value without a better direction (revision, sizes, rates)
};
const char* change_kind_name(ChangeKind k);

struct CapabilityChange {
  std::string msr;     // "IA32_VMX_PROCBASED_CTLS2"
  std::string item;    // "bit 1 (Enable EPT)", "VMCS revision identifier [30:0]", "the MSR"
  std::string before;  // "yes", "no", "forced", "0x4", "readable", ...
  std::string after;
  ChangeKind kind = ChangeKind::kChanged;
};

// Every item that differs, in kVmxMsrs order; empty when the two agree.
std::vector<CapabilityChange> diff_capabilities(const Decoded& before, const Decoded& after);

bool any_lost(const std::vector<CapabilityChange>& changes);

// "lost: IA32_VMX_PROCBASED_CTLS2 bit 1 (Enable EPT): yes -> no"
std::string capability_change_line(const CapabilityChange& change);
// One capability_change_line per change, each ending in a newline.
std::string capability_diff_text(const std::vector<CapabilityChange>& changes);
nlohmann::json capability_diff_json(const std::vector<CapabilityChange>& changes);

}  // namespace vmxb::diag
