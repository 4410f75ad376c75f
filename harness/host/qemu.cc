#include "harness/host/qemu.h"

namespace vmxb::harness {

ImageRun run_boot_image_qemu(const QemuOptions& o) {
  EmulatorJob job;
  job.name = "QEMU";
  job.install_hint = "install QEMU with `apt-get install qemu-system-x86`";
  job.image_path = o.image_path;
  job.plan = o.plan;
  job.timeout = o.timeout;
  job.last_words = [](const std::string& output) {
    const size_t nl = output.find('\n');
    return output.substr(0, nl);
  };
  job.command = [&o](const std::string& dir) {
    std::vector<std::string> argv{o.qemu_binary, "-nodefaults", "-display", "none", "-no-reboot", "-m", "64",
                                  "-drive", "file=" + dir + "/disk.img,format=raw,if=ide",
                                  "-serial", "file:" + dir + "/com1.out",
                                  "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"};
    if (o.kvm) {
      argv.insert(argv.end(), {"-enable-kvm", "-cpu", "host"});
    } else {
      argv.insert(argv.end(), {"-accel", "tcg", "-cpu", "max"});
    }
    return argv;
  };
  return run_emulator(job);
}

}  // namespace vmxb::harness
