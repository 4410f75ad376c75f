#include "harness/host/image_file.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vmxb::harness {
namespace fs = std::filesystem;

std::string locate_image() {
  if (const char* env = getenv("VMXBENCH_IMAGE"); env != nullptr) return fs::exists(env) ? env : "";
  std::vector<fs::path> candidates;
  if (const char* rf = getenv("RUNFILES_DIR")) candidates.push_back(fs::path(rf) / "vmxbench/harness/image/vmxbench.img");
  if (const char* sd = getenv("TEST_SRCDIR")) candidates.push_back(fs::path(sd) / "vmxbench/harness/image/vmxbench.img");
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(fs::path(self.string() + ".runfiles") / "vmxbench/harness/image/vmxbench.img");
  candidates.push_back("harness/image/vmxbench.img");
  candidates.push_back("bazel-bin/harness/image/vmxbench.img");
  for (const auto& c : candidates)
    if (fs::exists(c)) return fs::absolute(c).string();
  return "";
}

std::optional<std::string> image_with_plan(const std::string& image_path, const std::string& plan, std::string* error) {
  if (image_path.empty() || !fs::exists(image_path)) {
    *error = "boot image not found: build it with `bazel build //harness/image` or set VMXBENCH_IMAGE";
    return std::nullopt;
  }
  if (plan.size() >= kPlanBytes) {
    *error = "run plan is " + std::to_string(plan.size()) + " bytes; the image reads at most 4095";
    return std::nullopt;
  }
  std::ifstream in(image_path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string disk = ss.str();
  if (disk.size() < kSectorSize + kPlanBytes + kSectorSize) {
    *error = "boot image " + image_path + " is truncated (" + std::to_string(disk.size()) + " bytes)";
    return std::nullopt;
  }
  std::string padded = plan;
  padded.resize(kPlanBytes, '\0');
  disk.replace(kSectorSize, kPlanBytes, padded);
  return disk;
}

std::string make_plan(PlanMode mode, const std::vector<PlanOp>& ops, const std::string& emulator) {
  std::ostringstream p;
  p << "vmxbench-plan 1\nmode "
    << (mode == PlanMode::kProbe ? "probe" : mode == PlanMode::kSemantics ? "semantics" : "bench") << "\n";
  if (!emulator.empty()) p << "emulator " << emulator << "\n";
  for (const auto& op : ops) {
    p << "op " << op.name << " " << op.iterations << " " << op.warmup;
    if (op.pages != 0) p << " pages=" << op.pages;
    p << "\n";
  }
  p << "end\n";
  return p.str();
}

}  // namespace vmxb::harness
