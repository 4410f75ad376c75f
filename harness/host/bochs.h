// Runs the boot image under Bochs (the emulated backend everywhere).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "harness/host/emulator.h"
#include "harness/host/image_file.h"

namespace vmxb::harness {

struct BochsOptions {
  std::string cpu_model = "corei7_skylake_x";
  std::string plan;  // see make_plan()
  std::chrono::seconds timeout{120};
  std::string image_path;  // empty: locate_image()
  std::string bochs_binary = "bochs";
  unsigned memory_mb = 32;
};

ImageRun run_boot_image(const BochsOptions& options);

// Bochs CPU models (`bochs --help cpu`), for validating a model name early.
std::vector<std::string> bochs_cpu_models(const std::string& bochs_binary = "bochs");

}  // namespace vmxb::harness
