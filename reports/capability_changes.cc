#include "reports/capability_changes.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>

#include "reports/diag_view.h"

namespace vmxb::reports {

using nlohmann::json;

std::optional<diag::Decoded> decoded_capabilities(const json& diag_part) {
  if (!diag_part.is_object()) return std::nullopt;
  std::map<std::string, std::string> msrs;
  std::string why;
  if (!capability_msrs(diag_part, msrs, why) || msrs.empty()) return std::nullopt;
  diag::Snapshot s;
  s.msrs_available = true;
  s.cpus.emplace_back();
  for (const auto& [key, value] : msrs) {
    char* end = nullptr;
    const unsigned long index = std::strtoul(key.c_str(), &end, 16);
    if (end == key.c_str() || *end != '\0') continue;  // a name, not an index: not a capability MSR diag knows
    diag::MsrRead read;
    read.index = static_cast<u32>(index);
    if (value == "absent") read.status = diag::MsrStatus::kFault;
    else read.value = std::strtoull(value.c_str(), nullptr, 16);
    s.cpus[0].msrs.push_back(read);
  }
  std::sort(s.cpus[0].msrs.begin(), s.cpus[0].msrs.end(),
            [](const diag::MsrRead& a, const diag::MsrRead& b) { return a.index < b.index; });
  return diag::decode(s);
}

}  // namespace vmxb::reports
