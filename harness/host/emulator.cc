#include "harness/host/emulator.h"

#include "harness/host/image_file.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace vmxb::harness {
namespace fs = std::filesystem;
namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
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

}  // namespace

ImageRun run_emulator(const EmulatorJob& job) {
  ImageRun run;
  const auto disk = image_with_plan(job.image_path.empty() ? locate_image() : job.image_path, job.plan, &run.error);
  if (!disk) return run;
  char tmpl[] = "/tmp/vmxbench-run.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    run.error = "cannot create a temporary directory under /tmp";
    return run;
  }
  const fs::path dir(tmpl);
  {
    std::ofstream out(dir / "disk.img", std::ios::binary);
    out << *disk;
    if (!out) {
      run.error = "cannot write the disk image under " + dir.string();
      fs::remove_all(dir);
      return run;
    }
  }
  const std::vector<std::string> argv_strings = job.command(dir.string());
  const std::string output_path = (dir / "emulator.out").string();
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);  // one process group: the timeout kills helpers too
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    // Bochs' term display initializes curses even with no terminal attached:
    // without a TERM it has terminfo for, it exits ("Error opening terminal").
    // 'dumb' ships with ncurses-base (essential) and needs no tty.
    setenv("TERM", "dumb", 1);
    std::vector<char*> argv;
    for (const auto& a : argv_strings) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  if (pid < 0) {
    run.error = "fork failed";
    fs::remove_all(dir);
    return run;
  }
  const auto deadline = std::chrono::steady_clock::now() + job.timeout;
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
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
  if (job.last_words) run.emulator_message = job.last_words(read_file(output_path));
  fs::remove_all(dir);

  for (const auto& line : run.lines) {
    if (line.rfind("END status=", 0) == 0) {
      run.completed = true;
      run.end_ok = line.rfind("END status=ok", 0) == 0;
    }
  }
  if (run.completed) return run;
  if (run.exit_status == 127) {
    run.error = "cannot run '" + argv_strings.front() + "': " + job.install_hint;
  } else if (run.timed_out) {
    run.error = job.name + " did not finish within " + std::to_string(job.timeout.count()) +
                " s; the image hung or the host is overloaded";
  } else if (!run.emulator_message.empty()) {
    run.error = job.name + " stopped before the image finished: " + run.emulator_message;
  } else {
    run.error = job.name + " exited with status " + std::to_string(run.exit_status) +
                " before the image reported END (crash or bad configuration)";
  }
  return run;
}

}  // namespace vmxb::harness
