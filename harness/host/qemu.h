// Runs the boot image under QEMU: with KVM on a VT-x host (`-enable-kvm -cpu
// host` and nested VMX enabled) the ring-0 operations run as a nested
// hypervisor would; with TCG (no VMX emulation) only the probe and the
// calibration run, everything else reports unsupported.
#pragma once

#include <chrono>
#include <string>

#include "harness/host/emulator.h"
#include "harness/host/image_file.h"

namespace vmxb::harness {

struct QemuOptions {
  std::string plan;  // make_plan(..., /*emulator=*/"")
  bool kvm = false;  // -enable-kvm -cpu host; else -accel tcg -cpu max
  std::chrono::seconds timeout{120};
  std::string image_path;
  std::string qemu_binary = "qemu-system-x86_64";
};

// The image leaves QEMU through isa-debug-exit (port 0xF4, value 0x10).
inline constexpr int kQemuCleanExit = (0x10 << 1) | 1;

ImageRun run_boot_image_qemu(const QemuOptions& options);

}  // namespace vmxb::harness
