#pragma once

namespace vmxb::bench {
// The suite version recorded in every JSON context and report.
inline constexpr const char* kVersion = "0.1.0";
}  // namespace vmxb::bench
