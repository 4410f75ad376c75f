// The Bochs source: the ring-0 boot image (//harness/image) runs in probe mode
// under Bochs with the requested CPU model and prints CPU, CPUID and MSR lines
// (harness/PROTOCOL.md); those become a Snapshot like any other source.
#pragma once

#include <string>

#include "diag/snapshot.h"
#include "harness/host/image_output.h"

namespace vmxb::diag {

// Converts parsed probe output. False with `error` when the run did not
// produce what diag needs (no END line, no CPU line).
bool snapshot_from_probe(const harness::ImageReport& probe, const std::string& model, Snapshot& out,
                         std::string& error);

enum class BochsResult { kOk, kUnknownModel, kFailed };

// Runs the boot image under Bochs (probe mode) and converts its output.
BochsResult collect_bochs(const std::string& model, Snapshot& out, std::string& error);

}  // namespace vmxb::diag
