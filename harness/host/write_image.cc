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
#include <fstream>
#include <string>
#include <vector>

#include "harness/host/image_file.h"

int main(int argc, char** argv) {
  using namespace vmxb::harness;
  PlanMode mode = PlanMode::kSemantics;
  std::vector<PlanOp> ops;
  std::string out;
  std::string emulator;  // "bochs": the suite avoids what Bochs cannot survive
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mode=probe") mode = PlanMode::kProbe;
    else if (a == "--mode=semantics") mode = PlanMode::kSemantics;
    else if (a == "--mode=bench") mode = PlanMode::kBench;
    else if (a == "--emulator=bochs") emulator = "bochs";
    else if (a.rfind("--op=", 0) == 0) {
      PlanOp op;
      char name[64];
      const int n = sscanf(a.c_str() + 5, "%63[a-z0-9_]:%u:%u:%u", name, &op.iterations, &op.warmup, &op.pages);
      if (n != 3 && n != 4) {
        std::fprintf(stderr, "write_image: --op needs NAME:ITERATIONS:WARMUP[:PAGES], got '%s'\n", a.c_str() + 5);
        return 2;
      }
      op.name = name;
      ops.push_back(op);
    } else if (a[0] != '-' && out.empty()) {
      out = a;
    } else {
      std::fprintf(stderr, "write_image: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "write_image: name the output file, e.g. /tmp/vmxbench.img\n");
    return 2;
  }
  std::string error;
  const auto disk = image_with_plan(locate_image(), make_plan(mode, ops, emulator), &error);
  if (!disk) {
    std::fprintf(stderr, "write_image: %s\n", error.c_str());
    return 3;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << *disk;
  if (!file) {
    std::fprintf(stderr, "write_image: cannot write %s\n", out.c_str());
    return 4;
  }
  std::printf("wrote %s (%zu bytes)\n", out.c_str(), disk->size());
  return 0;
}
