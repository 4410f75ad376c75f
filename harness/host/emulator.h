// Runs an emulator on a private copy of the boot image and collects COM1.
// Shared by the Bochs and QEMU runners: they only differ in their command line.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace vmxb::harness {

struct ImageRun {
  bool completed = false;  // the END line arrived
  bool end_ok = false;     // END status=ok
  bool timed_out = false;
  int exit_status = -1;    // the emulator's own exit status
  std::vector<std::string> lines;  // COM1 output, one entry per line
  std::string error;  // when !completed: one line naming the cause and the fix
  std::string emulator_message;  // the emulator's last words, if any
};

struct EmulatorJob {
  std::string name;  // "Bochs", "QEMU": used in messages
  std::string install_hint;
  std::string image_path;  // empty: locate_image()
  std::string plan;        // written into the private copy at LBA 1..8
  // Builds argv and extra files, given the run directory holding disk.img;
  // COM1 must go to <dir>/com1.out.
  std::function<std::vector<std::string>(const std::string& dir)> command;
  std::function<std::string(const std::string& output)> last_words;  // from stdout+stderr
  std::chrono::seconds timeout{120};
};

ImageRun run_emulator(const EmulatorJob& job);

}  // namespace vmxb::harness
