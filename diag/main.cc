// `bazel run //diag -- [options]`: Intel VMX capability diagnostics.
// See diag/README.md for the options and the exit status.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>

#include "diag/bochs_source.h"
#include "diag/capability_diff.h"
#include "diag/dump.h"
#include "diag/live.h"
#include "diag/message_text.h"
#include "diag/diagnosis.h"
#include "tools/cli/conventions.h"

namespace {

using vmxb::diag::ExitCode;

constexpr const char* kFooter =
    "\nWithout --from or --bochs: diagnose this machine: libcpuid identification, capability MSRs of\n"
    "every online CPU through the msr driver, /proc/cpuinfo \"vmx flags\" if unreadable.\n"
    "exit status: 0 VMX usable, 1 internal error, 2 usage, 3 no VMX, 4 disabled by firmware,\n"
    "             5 no MSR access, 6 bad input (incl. over 64 MiB or nested over 128 levels),\n"
    "             7 inconsistent capabilities, 8 Bochs run or dump write failed,\n"
    "             9 IA32_FEATURE_CONTROL unreadable (VMX enablement unknown),\n"
    "             10 --diff: a capability of OLD is gone in NEW\n";

// Every error is one line: whatever it quotes (a path, the image's output) is escaped and cut.
void print_error(const std::string& message) {
  std::fprintf(stderr, "diag: %s\n", vmxb::input::printable(message).c_str());
}

int usage_error(const std::string& message) {
  print_error(message + " (see diag --help)");
  return static_cast<int>(ExitCode::kUsage);
}

// Under `bazel run` the working directory is the runfiles tree; paths the
// user typed are relative to where they typed them.
std::string user_path(const std::string& p) {
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (p.empty() || p[0] == '/' || wd == nullptr || *wd == '\0') return p;
  return std::string(wd) + "/" + p;
}

// --diff OLD NEW: both files read exactly as --from reads one.
int run_diff(const std::string& old_path, const std::string& new_path, const std::string& format) {
  vmxb::diag::Snapshot sides[2];
  const std::string paths[2] = {old_path, new_path};
  for (int i = 0; i < 2; ++i) {
    if (paths[i].empty()) return usage_error("--diff needs two file names, not an empty string");
    std::string error;
    if (!vmxb::diag::read_snapshot_file(user_path(paths[i]), sides[i], error)) {
      print_error(error);
      return static_cast<int>(ExitCode::kBadInput);
    }
  }
  const auto changes = vmxb::diag::diff_capabilities(vmxb::diag::decode(sides[0]), vmxb::diag::decode(sides[1]));
  const bool lost = vmxb::diag::any_lost(changes);
  if (format == "json") {
    std::cout << nlohmann::json({{"old", old_path},
                                 {"new", new_path},
                                 {"changes", vmxb::diag::capability_diff_json(changes)},
                                 {"capabilities_lost", lost}})
                     .dump(2)
              << "\n";
  } else {
    std::cout << "OLD " << old_path << "\nNEW " << new_path << "\n";
    std::cout << (changes.empty() ? "VMX capabilities: identical\n" : vmxb::diag::capability_diff_text(changes));
  }
  std::cout.flush();
  return static_cast<int>(lost ? ExitCode::kCapabilityLost : ExitCode::kVmxUsable);
}

int run(int argc, char** argv) {
  std::string format = "text", from, bochs, dump;
  bool force = false;
  CLI::App app("diag: Intel VMX capability diagnostics (diag/README.md)", "diag");
  vmxb::cli::repeated_options_take_the_last(app);
  app.footer(kFooter);
  CLI::Option* from_given = app.add_option("--from", from, "diagnose a dump (or a JSON report) taken elsewhere")
                                ->type_name("FILE");
  app.add_option("--bochs", bochs,
                 "run the ring-0 boot image under Bochs with CPU model MODEL\n"
                 "(e.g. corei7_skylake_x, core2_penryn_t9600, tigerlake)")
      ->type_name("MODEL");
  CLI::Option* dump_given =
      app.add_option("--dump", dump, "also write the raw snapshot to FILE (never replaces FILE unless --force)")
          ->type_name("FILE");
  app.add_flag("--force", force, "replace an existing --dump file");
  app.add_option("--format", format, "text (default) or json (diag/SCHEMA.md)")->type_name("F");
  std::vector<std::string> diff;
  CLI::Option* diff_given =
      app.add_option("--diff", diff,
                     "list every capability item that differs between two dumps (or JSON reports): lost,\n"
                     "gained or changed, decoded from the same tables; exit 10 if one was lost")
          ->expected(2)
          ->type_name("OLD NEW");
  vmxb::cli::add_version_flags(app);
  std::ostringstream out, err;
  const std::optional<int> status =
      vmxb::cli::parse(app, std::vector<std::string>(argv + 1, argv + argc), out, err, static_cast<int>(ExitCode::kUsage));
  std::fputs(out.str().c_str(), stdout);
  std::fputs(err.str().c_str(), stderr);
  if (status) return *status;
  // An empty path is a mistake (an unset shell variable), never "no file": without
  // this, --from "" would diagnose the live host and --dump "" would write nothing.
  if (from_given->count() > 0 && from.empty()) return usage_error("--from needs a file name, not an empty string");
  if (dump_given->count() > 0 && dump.empty()) return usage_error("--dump needs a file name, not an empty string");
  if (format != "text" && format != "json") return usage_error("--format must be text or json");
  if (!from.empty() && !bochs.empty()) return usage_error("--from and --bochs exclude each other");
  if (force && dump.empty()) return usage_error("--force only applies to --dump");
  if (diff_given->count() > 0 && diff.size() != 2) return usage_error("--diff needs two files: OLD NEW");
  if (diff_given->count() > 0) {
    if (!from.empty() || !bochs.empty() || !dump.empty()) return usage_error("--diff excludes --from, --bochs and --dump");
    return run_diff(diff[0], diff[1], format);
  }

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
