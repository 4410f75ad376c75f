// The boot image on disk: where it is, and a copy with a run plan written in.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vmxb::harness {

inline constexpr size_t kSectorSize = 512;
inline constexpr size_t kPlanBytes = 4096;  // LBA 1..8, see harness/image/boot.S

// The disk image built by //harness/image: $VMXBENCH_IMAGE (honoured even if
// wrong), else the runfiles of the running binary, else the workspace paths.
// Empty when none exists.
std::string locate_image();

// The image's bytes with `plan` stored at LBA 1..8, or nullopt with *error
// (missing/truncated image, plan too long).
std::optional<std::string> image_with_plan(const std::string& image_path, const std::string& plan, std::string* error);

enum class PlanMode { kProbe, kSemantics, kBench };

struct PlanOp {
  std::string name;
  unsigned iterations;
  unsigned warmup;
  unsigned pages = 0;  // rows that touch guest pages; 0: the image's default
};

// The plan text (harness/PROTOCOL.md). `emulator` names the emulator for the
// suite's emulator-specific cases ("bochs"), empty on QEMU/hardware.
std::string make_plan(PlanMode mode, const std::vector<PlanOp>& ops = {}, const std::string& emulator = "bochs");

}  // namespace vmxb::harness
