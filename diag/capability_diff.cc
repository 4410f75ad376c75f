#include "diag/capability_diff.h"

#include <cstdio>

namespace vmxb::diag {
namespace {

// Bits whose 1 is a restriction, not a capability: setting one takes
// something away. IA32_VMX_BASIC[48] limits VMXON/VMCS/I/O-bitmap addresses
// to 32 bits (A.1). Every other capability-MSR bit the tables name reads
// "1 = supported" (A.1, A.6, A.10, A.11).
constexpr const CapBit* kRestrictionBits[] = {&basic::kAddresses32};

bool is_restriction(const VmxMsrInfo& info, unsigned bit) {
  for (const CapBit* b : kRestrictionBits)
    if (b->msr == info.index && b->bit == bit) return true;
  return false;
}

std::string hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string bit_item(unsigned bit, const std::string& name, bool named) {
  return named ? "bit " + std::to_string(bit) + " (" + name + ")" : "bit " + std::to_string(bit);
}

bool readable(const DecodedMsr& m) { return m.read && m.read->status == MsrStatus::kOk; }

std::string read_state(const DecodedMsr& m) {
  if (!m.read) return "not read";
  return m.read->status == MsrStatus::kOk ? "readable" : m.read->status == MsrStatus::kFault ? "#GP" : "read error";
}

// A control's settings ranked by what a hypervisor may do with it: free to
// choose (yes, default1 clearable through the TRUE MSR) beats forced to 1
// (cannot be cleared) and forbidden (cannot be set).
int freedom(Setting s) {
  switch (s) {
    case Setting::kYes:
    case Setting::kDefault: return 2;
    case Setting::kForced:
    case Setting::kNo: return 1;
    case Setting::kUnknown: return 0;
  }
  return 0;
}

ChangeKind control_change(Setting before, Setting after) {
  if (before == Setting::kUnknown || after == Setting::kUnknown) return ChangeKind::kChanged;
  const int b = freedom(before), a = freedom(after);
  if (a < b) return ChangeKind::kLost;
  if (a > b) return ChangeKind::kGained;
  return ChangeKind::kChanged;  // forced <-> forbidden, yes <-> default
}

template <typename Entry, typename Same>
const Entry* find_entry(const std::vector<Entry>& entries, Same same) {
  for (const auto& e : entries)
    if (same(e)) return &e;
  return nullptr;
}

void diff_msr(const DecodedMsr& b, const DecodedMsr& a, std::vector<CapabilityChange>& out) {
  const std::string msr = b.info->name;
  if (readable(b) != readable(a)) {
    out.push_back({msr, "the MSR", read_state(b), read_state(a), readable(b) ? ChangeKind::kLost : ChangeKind::kGained});
    return;
  }
  if (!readable(b)) return;
  for (const auto& x : b.bits) {
    const BitEntry* y = find_entry(a.bits, [&](const BitEntry& e) { return e.bit == x.bit; });
    if (y == nullptr || x.set == y->set || !x.set || !y->set) continue;
    const bool lost = is_restriction(*b.info, x.bit) ? *y->set : *x.set;
    out.push_back({msr, bit_item(x.bit, x.name, x.named), *x.set ? "yes" : "no", *y->set ? "yes" : "no",
                   lost ? ChangeKind::kLost : ChangeKind::kGained});
  }
  for (const auto& x : b.fields) {
    const FieldEntry* y = find_entry(a.fields, [&](const FieldEntry& e) { return e.hi == x.hi && e.lo == x.lo; });
    if (y == nullptr || x.value == y->value) continue;
    const auto shown = [](const FieldEntry& f) { return f.meaning.empty() ? hex(f.value) : hex(f.value) + " (" + f.meaning + ")"; };
    out.push_back({msr, x.name + " [" + std::to_string(x.hi) + ":" + std::to_string(x.lo) + "]", shown(x), shown(*y),
                   ChangeKind::kChanged});
  }
  for (const auto& x : b.controls) {
    const ControlEntry* y = find_entry(a.controls, [&](const ControlEntry& e) { return e.bit == x.bit; });
    if (y == nullptr || x.setting == y->setting) continue;
    out.push_back({msr, bit_item(x.bit, x.name, x.named), setting_name(x.setting), setting_name(y->setting),
                   control_change(x.setting, y->setting)});
  }
  for (const auto& x : b.cr_bits) {
    const CrEntry* y = find_entry(a.cr_bits, [&](const CrEntry& e) { return e.bit == x.bit; });
    if (y == nullptr || x.setting == y->setting) continue;
    // A bit VMX operation leaves to software is worth more than a fixed one.
    const ChangeKind kind = x.setting == CrSetting::kFlexible   ? ChangeKind::kLost
                            : y->setting == CrSetting::kFlexible ? ChangeKind::kGained
                                                                 : ChangeKind::kChanged;
    out.push_back({msr, bit_item(x.bit, x.name, x.named), cr_setting_name(x.setting), cr_setting_name(y->setting), kind});
  }
}

}  // namespace

const char* change_kind_name(ChangeKind k) {
  switch (k) {
    case ChangeKind::kLost: return "lost";
    case ChangeKind::kGained: return "gained";
    case ChangeKind::kChanged: return "changed";
  }
  return "?";
}

std::vector<CapabilityChange> diff_capabilities(const Decoded& before, const Decoded& after) {
  std::vector<CapabilityChange> out;
  for (const auto& b : before.msrs) {
    const DecodedMsr* a = find_entry(after.msrs, [&](const DecodedMsr& m) { return m.info == b.info; });
    if (a != nullptr) diff_msr(b, *a, out);
  }
  return out;
}

bool any_lost(const std::vector<CapabilityChange>& changes) {
  for (const auto& c : changes)
    if (c.kind == ChangeKind::kLost) return true;
  return false;
}

std::string capability_change_line(const CapabilityChange& c) {
  return std::string(change_kind_name(c.kind)) + ": " + c.msr + " " + c.item + ": " + c.before + " -> " + c.after;
}

std::string capability_diff_text(const std::vector<CapabilityChange>& changes) {
  std::string s;
  for (const auto& c : changes) s += capability_change_line(c) + "\n";
  return s;
}

nlohmann::json capability_diff_json(const std::vector<CapabilityChange>& changes) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : changes)
    rows.push_back({{"kind", change_kind_name(c.kind)}, {"msr", c.msr}, {"item", c.item}, {"before", c.before}, {"after", c.after}});
  return rows;
}

}  // namespace vmxb::diag
