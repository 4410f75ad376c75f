#include "harness/host/bochs.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vmxb::harness {
namespace fs = std::filesystem;
namespace {

// vmxbench.img is padded to 2 cylinders x 16 heads x 63 sectors.
constexpr const char* kGeometry = "cylinders=2, heads=16, spt=63";

std::string bochsrc(const BochsOptions& o, const fs::path& dir) {
  std::ostringstream rc;
  rc << "megs: " << o.memory_mb << "\n"
     << "cpu: model=" << o.cpu_model << ", count=1, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=0\n"
     << "romimage: file=/usr/share/bochs/BIOS-bochs-latest\n"
     << "vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest\n"
     // Debian's Bochs has no 'nogui'; 'term' needs no display and no TCP port.
     << "display_library: term\n"
     << "ata0-master: type=disk, path=" << (dir / "disk.img").string() << ", mode=flat, " << kGeometry << "\n"
     << "boot: disk\n"
     // Reproducible: the TSC counts instructions, so two runs are byte-identical.
     << "clock: sync=none, time0=1\n"
     << "com1: enabled=1, mode=file, dev=" << (dir / "com1.out").string() << "\n"
     // The image ends with `xchg %bx,%bx`; the debugger script answers `quit`.
     << "magic_break: enabled=1\n"
     << "panic: action=fatal\n"
     << "error: action=report\n"
     << "log: " << (dir / "bochs.log").string() << "\n"
     << "speaker: enabled=0\n"
     << "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n";
  return rc.str();
}

// Bochs prints why it stopped after "Bochs is exiting with the following message:".
std::string last_words(const std::string& output) {
  const std::string marker = "Bochs is exiting with the following message:";
  const size_t at = output.find(marker);
  if (at == std::string::npos) return "";
  std::istringstream in(output.substr(at + marker.size()));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '=') return line;
  return "";
}

}  // namespace

ImageRun run_boot_image(const BochsOptions& o) {
  EmulatorJob job;
  job.name = "Bochs";
  job.install_hint = "install Bochs with tools/setup (Debian packages bochs, bochsbios, bochs-term)";
  job.image_path = o.image_path;
  job.plan = o.plan;
  job.timeout = o.timeout;
  job.last_words = last_words;
  job.command = [&o](const std::string& dir) {
    std::ofstream(fs::path(dir) / "bochsrc") << bochsrc(o, dir);
    std::ofstream(fs::path(dir) / "debugger.rc") << "c\nquit\n";
    return std::vector<std::string>{o.bochs_binary, "-q", "-f", dir + "/bochsrc", "-rc", dir + "/debugger.rc"};
  };
  return run_emulator(job);
}

std::vector<std::string> bochs_cpu_models(const std::string& bochs_binary) {
  std::vector<std::string> models;
  const std::string cmd = bochs_binary + " --help cpu 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return models;
  char buf[256];
  bool in_list = false;
  while (fgets(buf, sizeof(buf), pipe) != nullptr) {
    std::string line(buf);
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    if (line.find("Supported CPU models") != std::string::npos) {
      in_list = true;
      continue;
    }
    // Model names are identifiers; Bochs follows the list with a rule of '='.
    if (in_list && !line.empty() && line.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos)
      models.push_back(line);
  }
  pclose(pipe);
  return models;
}

}  // namespace vmxb::harness
