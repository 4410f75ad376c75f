// SHA-256 (FIPS 180-4) for content hashes and the VMX capability hash.
// Small and dependency-free: the reports only hash kilobytes.
#pragma once

#include <string>
#include <string_view>

namespace vmxb::reports {

// Lower-case hex digest (64 characters) of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace vmxb::reports
