// bazel run //harness/host:write_image -- --mode=semantics|probe|bench [--op=NAME:ITER:WARMUP[:PAGES] ...]
//     [--emulator=bochs] OUT.img
//
// Writes the boot image with a run plan, ready for `qemu-system-x86_64 -drive
// file=OUT.img,format=raw`, `dd` to a USB stick (legacy BIOS boot), or PXE via
// memdisk. The result lines arrive on the first serial port (115200 8N1).
// --emulator=bochs: the image is for Bochs, whose VMX emulation stops at some
// instructions (VMCALL in VMX root operation): the semantics suite then skips
// those cases. `bazel run //harness:semantics` does all of it in one step.
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "diag/safe_output.h"
#include "harness/host/image_file.h"
#include "tools/cli/conventions.h"

namespace {

// Exit statuses (README.md, "Real hardware").
constexpr int kExitUsage = 2;
constexpr int kExitNoImage = 3;
constexpr int kExitWriteFailed = 4;

}  // namespace

int main(int argc, char** argv) {
  using namespace vmxb::harness;
  std::string mode_name = "semantics";
  std::vector<std::string> op_texts;
  std::string out;
  std::string emulator;  // "bochs": the suite avoids what Bochs cannot survive
  CLI::App app("write_image: the boot image with a run plan, for QEMU, a USB stick or PXE", "write_image");
  vmxb::cli::repeated_options_take_the_last(app);
  app.footer("\nexit status: 0 written, 2 usage, 3 the boot image or plan failed, 4 OUT.img cannot be written (or exists: --force replaces it)");
  const std::map<std::string, PlanMode> modes = {
      {"probe", PlanMode::kProbe}, {"semantics", PlanMode::kSemantics}, {"bench", PlanMode::kBench}};
  app.add_option("--mode", mode_name, "what the image runs: semantics (default), probe or bench")
      ->type_name("MODE")
      ->check(CLI::IsMember({"probe", "semantics", "bench"}));
  app.add_option("--op", op_texts, "an operation the bench plan runs (repeatable)")
      ->type_name("NAME:ITERATIONS:WARMUP[:PAGES]")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);  // one value per --op: OUT.img is not an operation
  app.add_option("--emulator", emulator, "bochs: an image for Bochs (the suite skips what Bochs cannot survive)")
      ->type_name("EMULATOR")
      ->check(CLI::IsMember({"bochs"}));
  app.add_option("OUT.img", out, "the image to write, e.g. /tmp/vmxbench.img")->type_name("");
  bool force = false;
  app.add_flag("--force", force, "replace an existing OUT.img");
  vmxb::cli::add_version_flags(app);
  if (const auto status =
          vmxb::cli::parse(app, std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr, kExitUsage))
    return *status;
  std::vector<PlanOp> ops;
  for (const std::string& text : op_texts) {
    PlanOp op;
    char name[64];
    const int n = sscanf(text.c_str(), "%63[a-z0-9_]:%u:%u:%u", name, &op.iterations, &op.warmup, &op.pages);
    if (n != 3 && n != 4) {
      std::fprintf(stderr, "write_image: --op needs NAME:ITERATIONS:WARMUP[:PAGES], got '%s'\n", text.c_str());
      return kExitUsage;
    }
    op.name = name;
    ops.push_back(op);
  }
  if (out.empty()) {
    std::fprintf(stderr, "write_image: name the output file, e.g. /tmp/vmxbench.img\n");
    return kExitUsage;
  }
  std::string error;
  const auto disk = image_with_plan(locate_image(), make_plan(modes.at(mode_name), ops, emulator), &error);
  if (!disk) {
    std::fprintf(stderr, "write_image: %s\n", error.c_str());
    return kExitNoImage;
  }
  // An existing OUT.img (perhaps a block device's image, perhaps something
  // else entirely) is replaced only with --force, never half-written.
  if (!vmxb::output::write_file_safely(out, *disk, force, error)) {
    std::fprintf(stderr, "write_image: %s\n", error.c_str());
    return kExitWriteFailed;
  }
  std::printf("wrote %s (%zu bytes)\n", out.c_str(), disk->size());
  return 0;
}
