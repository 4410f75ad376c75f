// The VMX capabilities of a report's diag part, decoded with diag's own
// tables (diag/decode.h), so `reports compare` can list what changed between
// two reports item by item (diag/capability_diff.h).
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "diag/decode.h"

namespace vmxb::reports {

// nullopt when the diag part is absent or carries no capability MSRs.
// Reports accept several shapes of diag part (reports/FORMAT.md): the MSRs
// come through capability_msrs(), as for host.vmx_capability_hash.
std::optional<diag::Decoded> decoded_capabilities(const nlohmann::json& diag_part);

}  // namespace vmxb::reports
