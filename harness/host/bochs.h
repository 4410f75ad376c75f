// Runs the boot image under Bochs: writes the plan into a private copy of the
// disk image, generates the Bochs configuration, enforces a timeout and
// collects the result lines from COM1 (harness/PROTOCOL.md).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace vmxb::harness {

struct BochsOptions {
  std::string cpu_model = "corei7_skylake_x";
  std::string plan;  // the plan text; see make_plan()
  std::chrono::seconds timeout{120};
  std::string image_path;  // empty: locate_image()
  std::string bochs_binary = "bochs";
  unsigned memory_mb = 32;
};

struct ImageRun {
  bool completed = false;  // the END line arrived
  bool end_ok = false;     // END status=ok
  bool timed_out = false;
  int exit_status = -1;    // Bochs' own exit status
  std::vector<std::string> lines;  // COM1 output, one entry per line
  std::string error;  // when !completed: one line naming the cause and the fix
  std::string emulator_message;  // Bochs' "exiting with the following message", if any
};

ImageRun run_boot_image(const BochsOptions& options);

// The disk image built by //harness/image: $VMXBENCH_IMAGE, else the runfiles
// of the running binary, else harness/image/vmxbench.img under the current
// directory (bazel test). Empty when none exists.
std::string locate_image();

enum class PlanMode { kProbe, kSemantics, kBench };

struct PlanOp {
  std::string name;
  unsigned iterations;
  unsigned warmup;
};

std::string make_plan(PlanMode mode, const std::vector<PlanOp>& ops = {}, bool bochs = true);

// Bochs CPU models (`bochs --help cpu`), for validating --bochs_model early.
std::vector<std::string> bochs_cpu_models(const std::string& bochs_binary = "bochs");

}  // namespace vmxb::harness
