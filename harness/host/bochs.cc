#include "harness/host/bochs.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace vmxb::harness {
namespace fs = std::filesystem;
namespace {

constexpr size_t kSectorSize = 512;
constexpr size_t kPlanBytes = 4096;  // LBA 1..8, see harness/image/boot.S
// vmxbench.img is padded to 2 cylinders x 16 heads x 63 sectors.
constexpr const char* kGeometry = "cylinders=2, heads=16, spt=63";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// Bochs prints the reason it stopped between two rows of '=' after
// "Bochs is exiting with the following message:".
std::string emulator_message(const std::string& output) {
  const std::string marker = "Bochs is exiting with the following message:";
  const size_t at = output.find(marker);
  if (at == std::string::npos) return "";
  std::istringstream in(output.substr(at + marker.size()));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '=') return line;
  return "";
}

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
     << "magic_break: enabled=1\n"
     << "panic: action=fatal\n"
     << "error: action=report\n"
     << "log: " << (dir / "bochs.log").string() << "\n"
     << "speaker: enabled=0\n"
     << "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n";
  return rc.str();
}

}  // namespace

std::string make_plan(PlanMode mode, const std::vector<PlanOp>& ops, bool bochs) {
  std::ostringstream p;
  p << "vmxbench-plan 1\nmode "
    << (mode == PlanMode::kProbe ? "probe" : mode == PlanMode::kSemantics ? "semantics" : "bench") << "\n";
  if (bochs) p << "emulator bochs\n";
  for (const auto& op : ops) p << "op " << op.name << " " << op.iterations << " " << op.warmup << "\n";
  p << "end\n";
  return p.str();
}

std::string locate_image() {
  // An explicit override is honoured even when wrong: a missing file is reported, not replaced.
  if (const char* env = getenv("VMXBENCH_IMAGE"); env != nullptr) return fs::exists(env) ? env : "";
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (const char* rf = getenv("RUNFILES_DIR")) candidates.push_back(fs::path(rf) / "vmxbench/harness/image/vmxbench.img");
  if (const char* sd = getenv("TEST_SRCDIR")) candidates.push_back(fs::path(sd) / "vmxbench/harness/image/vmxbench.img");
  if (!ec) candidates.push_back(fs::path(self.string() + ".runfiles") / "vmxbench/harness/image/vmxbench.img");
  candidates.push_back("harness/image/vmxbench.img");
  candidates.push_back("bazel-bin/harness/image/vmxbench.img");
  for (const auto& c : candidates)
    if (fs::exists(c)) return fs::absolute(c).string();
  return "";
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
    if (in_list && !line.empty() && line.find(' ') == std::string::npos && line.find('[') == std::string::npos)
      models.push_back(line);
  }
  pclose(pipe);
  return models;
}

ImageRun run_boot_image(const BochsOptions& o) {
  ImageRun run;
  const std::string image = o.image_path.empty() ? locate_image() : o.image_path;
  if (image.empty() || !fs::exists(image)) {
    run.error = "boot image not found: build it with `bazel build //harness/image` or set VMXBENCH_IMAGE";
    return run;
  }
  if (o.plan.size() >= kPlanBytes) {
    run.error = "run plan is " + std::to_string(o.plan.size()) + " bytes; the image reads at most 4095";
    return run;
  }
  char tmpl[] = "/tmp/vmxbench-bochs.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    run.error = "cannot create a temporary directory under /tmp";
    return run;
  }
  const fs::path dir(tmpl);
  std::string disk = read_file(image);
  if (disk.size() < kSectorSize + kPlanBytes) {
    run.error = "boot image " + image + " is truncated (" + std::to_string(disk.size()) + " bytes)";
    fs::remove_all(dir);
    return run;
  }
  std::string plan = o.plan;
  plan.resize(kPlanBytes, '\0');
  disk.replace(kSectorSize, kPlanBytes, plan);
  if (!write_file(dir / "disk.img", disk) || !write_file(dir / "bochsrc", bochsrc(o, dir)) ||
      !write_file(dir / "debugger.rc", "c\nquit\n")) {
    run.error = "cannot write the Bochs run files under " + dir.string();
    fs::remove_all(dir);
    return run;
  }

  const std::string output_path = (dir / "bochs.out").string();
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (getenv("TERM") == nullptr) setenv("TERM", "dumb", 1);
    const std::string rc = (dir / "bochsrc").string(), dbg = (dir / "debugger.rc").string();
    execlp(o.bochs_binary.c_str(), o.bochs_binary.c_str(), "-q", "-f", rc.c_str(), "-rc", dbg.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) {
    run.error = "fork failed";
    fs::remove_all(dir);
    return run;
  }
  const auto deadline = std::chrono::steady_clock::now() + o.timeout;
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      run.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.lines = split_lines(read_file(dir / "com1.out"));
  const std::string output = read_file(output_path);
  run.emulator_message = emulator_message(output);
  fs::remove_all(dir);

  for (const auto& line : run.lines) {
    if (line.rfind("END status=", 0) == 0) {
      run.completed = true;
      run.end_ok = line.rfind("END status=ok", 0) == 0;
    }
  }
  if (run.completed) return run;
  if (run.exit_status == 127) {
    run.error = "cannot run '" + o.bochs_binary + "': install Bochs with tools/setup (Debian packages bochs, bochsbios, bochs-term)";
  } else if (run.timed_out) {
    run.error = "Bochs did not finish within " + std::to_string(o.timeout.count()) + " s (model " + o.cpu_model +
                "); the image hung or the host is overloaded";
  } else if (!run.emulator_message.empty()) {
    run.error = "Bochs stopped before the image finished: " + run.emulator_message;
  } else {
    run.error = "Bochs exited with status " + std::to_string(run.exit_status) +
                " before the image reported END (crash or bad configuration)";
  }
  return run;
}

}  // namespace vmxb::harness
