// `bazel run //diag -- [options]`: Intel VMX capability diagnostics.
// See diag/README.md for the options and the exit status.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "diag/bochs_source.h"
#include "diag/dump.h"
#include "diag/live.h"
#include "diag/message_text.h"
#include "diag/diagnosis.h"

namespace {

using vmxb::diag::ExitCode;

constexpr const char* kUsage =
    "usage: diag [--format text|json] [--from FILE | --bochs MODEL] [--dump FILE [--force]]\n"
    "  (default)      diagnose this machine: libcpuid identification, capability MSRs of every\n"
    "                 online CPU through the msr driver, /proc/cpuinfo \"vmx flags\" if unreadable\n"
    "  --from FILE    diagnose a dump (or a JSON report) taken elsewhere\n"
    "  --bochs MODEL  run the ring-0 boot image under Bochs with CPU model MODEL\n"
    "                 (e.g. corei7_skylake_x, core2_penryn_t9600, tigerlake)\n"
    "  --dump FILE    also write the raw snapshot to FILE (never replaces FILE unless --force)\n"
    "  --format F     text (default) or json (diag/SCHEMA.md)\n"
    "exit status: 0 VMX usable, 2 usage, 3 no VMX, 4 disabled by firmware, 5 no MSR access,\n"
    "             6 bad input (incl. over 64 MiB or nested over 128 levels), 7 inconsistent\n"
    "             capabilities, 8 Bochs run or dump write failed,\n"
    "             9 IA32_FEATURE_CONTROL unreadable (VMX enablement unknown)\n";

// Every error is one line: whatever it quotes (a path, the image's output) is escaped and cut.
void print_error(const std::string& message) {
  std::fprintf(stderr, "diag: %s\n", vmxb::input::printable(message).c_str());
}

int usage_error(const std::string& message) {
  print_error(message);
  std::fputs(kUsage, stderr);
  return static_cast<int>(ExitCode::kUsage);
}

// Under `bazel run` the working directory is the runfiles tree; paths the
// user typed are relative to where they typed them.
std::string user_path(const std::string& p) {
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (p.empty() || p[0] == '/' || wd == nullptr || *wd == '\0') return p;
  return std::string(wd) + "/" + p;
}

int run(int argc, char** argv) {
  std::string format = "text", from, bochs, dump;
  bool force = false, from_given = false, dump_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--format") {
      if (!value(format)) return usage_error("--format needs a value");
    } else if (a.rfind("--format=", 0) == 0) {
      format = a.substr(9);
    } else if (a == "--from") {
      if (!value(from)) return usage_error("--from needs a file");
      from_given = true;
    } else if (a == "--bochs") {
      if (!value(bochs)) return usage_error("--bochs needs a CPU model");
    } else if (a == "--dump") {
      if (!value(dump)) return usage_error("--dump needs a file");
      dump_given = true;
    } else if (a == "--force") {
      force = true;
    } else {
      return usage_error("unknown argument '" + a + "'");
    }
  }
  // An empty path is a mistake (an unset shell variable), never "no file": without
  // this, --from "" would diagnose the live host and --dump "" would write nothing.
  if (from_given && from.empty()) return usage_error("--from needs a file name, not an empty string");
  if (dump_given && dump.empty()) return usage_error("--dump needs a file name, not an empty string");
  if (format != "text" && format != "json") return usage_error("--format must be text or json");
  if (!from.empty() && !bochs.empty()) return usage_error("--from and --bochs exclude each other");
  if (force && dump.empty()) return usage_error("--force only applies to --dump");

  vmxb::diag::Snapshot snapshot;
  if (!from.empty()) {
    std::string error;
    if (!vmxb::diag::read_snapshot_file(user_path(from), snapshot, error)) {
      print_error(error);
      return static_cast<int>(ExitCode::kBadInput);
    }
    snapshot.from_file = from;
  } else if (!bochs.empty()) {
    std::string error;
    const auto result = vmxb::diag::collect_bochs(bochs, snapshot, error);
    if (result == vmxb::diag::BochsResult::kUnknownModel) return usage_error(error);
    if (result != vmxb::diag::BochsResult::kOk) {
      print_error(error);
      return static_cast<int>(ExitCode::kSourceFailed);
    }
  } else {
    snapshot = vmxb::diag::collect_live();
  }

  if (!dump.empty()) {
    std::string error;
    const std::string text = vmxb::diag::snapshot_json(snapshot).dump(2) + "\n";
    if (!vmxb::diag::write_file_safely(user_path(dump), text, force, error)) {
      print_error(error);
      return static_cast<int>(ExitCode::kSourceFailed);
    }
  }

  const vmxb::diag::Diagnosis report = vmxb::diag::diagnose(std::move(snapshot));
  if (format == "json")
    std::cout << vmxb::diag::diagnosis_json(report).dump(2) << "\n";
  else
    std::cout << vmxb::diag::diagnosis_text(report);
  std::cout.flush();
  return static_cast<int>(report.exit);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return static_cast<int>(ExitCode::kInternal);
  }
}
