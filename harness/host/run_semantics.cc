// bazel run //harness:semantics -- [--bochs_model=MODEL | --qemu[=kvm|tcg]] [--timeout=SECONDS]
//
// Runs the semantics suite in the boot image and prints its lines (PASS:,
// FAIL:, SKIP:, KNOWN:, OBSERVED:, SUMMARY:) as the image wrote them.
// Exit: 0 no failures; 1 a case failed; 2 usage; 3 the emulator is missing;
// 7 the run did not finish (the reason on stderr, e.g. no long mode).
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "harness/host/bochs.h"
#include "harness/host/image_output.h"
#include "harness/host/qemu.h"
#include "tools/cli/conventions.h"

namespace {

constexpr int kExitFailures = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNoEmulator = 3;
constexpr int kExitRunFailed = 7;

int usage(const std::string& why) {
  std::fprintf(stderr, "semantics: %s (see semantics --help)\n", why.c_str());
  return kExitUsage;
}

bool is_test_line(const std::string& l) {
  for (const char* p : {"PASS: ", "FAIL: ", "SKIP: ", "KNOWN: ", "OBSERVED: ", "SUMMARY: "})
    if (l.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vmxb::harness;
  std::string model = "corei7_skylake_x";
  std::string qemu;  // "", "kvm" or "tcg"
  unsigned long timeout = 120;
  CLI::App app("semantics: runs the semantics suite in the boot image and prints its lines", "semantics");
  vmxb::cli::repeated_options_take_the_last(app);
  app.footer("\nexit status: 0 no failures, 1 a case failed, 2 usage, 3 the emulator is missing,\n"
             "             7 the run did not finish (the reason on stderr, e.g. no long mode)");
  app.add_option("--bochs_model", model, "Bochs CPU model (default corei7_skylake_x; `bochs --help cpu` lists them)")
      ->type_name("MODEL");
  app.add_flag("--qemu{kvm}", qemu, "run under QEMU instead: kvm (the default) or tcg")
      ->type_name("[=kvm|tcg]")
      ->check(CLI::IsMember({"kvm", "tcg"}).description(""));
  app.add_option("--timeout", timeout, "run time limit (default 120)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1ul, 3600ul).description("1..3600"));
  vmxb::cli::add_version_flags(app);
  if (const auto status =
          vmxb::cli::parse(app, std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr, kExitUsage))
    return *status;
  ImageRun run;
  if (qemu.empty()) {
    const auto models = bochs_cpu_models();
    if (models.empty()) {
      std::fprintf(stderr, "semantics: bochs not found: install it (apt-get install bochs bochsbios bochs-term)\n");
      return kExitNoEmulator;
    }
    bool known = false;
    for (const auto& m : models) known = known || m == model;
    if (!known) return usage("unknown Bochs CPU model '" + model + "' (`bochs --help cpu` lists them)");
    BochsOptions o;
    o.cpu_model = model;
    o.plan = make_plan(PlanMode::kSemantics);  // with "emulator bochs": the suite avoids what Bochs cannot survive
    o.timeout = std::chrono::seconds(timeout);
    run = run_boot_image(o);
  } else {
    QemuOptions o;
    o.plan = make_plan(PlanMode::kSemantics, {}, "");
    o.kvm = qemu == "kvm";
    o.timeout = std::chrono::seconds(timeout);
    run = run_boot_image_qemu(o);
  }
  const ImageReport report = parse_image_output(run.lines);
  for (const auto& line : run.lines)
    if (is_test_line(line)) std::printf("%s\n", line.c_str());
  if (!run.completed || !report.summary.has_value()) {
    // The image's own reason first (e.g. "no long mode: CPUID.80000001H:EDX[29]=0").
    const std::string why = !report.end_reason.empty() ? report.end_reason
                            : !run.error.empty()       ? run.error
                                                       : "the image printed no SUMMARY line";
    std::fprintf(stderr, "semantics: the suite did not finish: %s\n", why.c_str());
    return kExitRunFailed;
  }
  return report.summary->failures == 0 ? 0 : kExitFailures;
}
