// SHA-256 (FIPS 180-4) for content hashes and the VMX capability hash,
// through OpenSSL's EVP interface (Debian libssl-dev) rather than our own.
#pragma once

#include <string>
#include <string_view>

namespace vmxb::reports {

// Lower-case hex digest (64 characters) of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace vmxb::reports
