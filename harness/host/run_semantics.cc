// bazel run //harness:semantics -- [--bochs_model=MODEL | --qemu[=kvm|tcg]] [--timeout=SECONDS]
//
// Runs the semantics suite in the boot image and prints its lines (PASS:,
// FAIL:, SKIP:, KNOWN:, OBSERVED:, SUMMARY:) as the image wrote them.
// Exit: 0 no failures; 1 a case failed; 2 usage; 3 the emulator is missing;
// 7 the run did not finish (the reason on stderr, e.g. no long mode).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "harness/host/bochs.h"
#include "harness/host/image_output.h"
#include "harness/host/qemu.h"

namespace {

constexpr int kExitFailures = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNoEmulator = 3;
constexpr int kExitRunFailed = 7;

int usage(const std::string& why) {
  std::fprintf(stderr,
               "semantics: %s\nusage: semantics [--bochs_model=MODEL | --qemu[=kvm|tcg]] [--timeout=SECONDS]\n",
               why.c_str());
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
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--bochs_model=", 0) == 0) {
      model = a.substr(14);
    } else if (a == "--qemu" || a == "--qemu=kvm") {
      qemu = "kvm";
    } else if (a == "--qemu=tcg") {
      qemu = "tcg";
    } else if (a.rfind("--timeout=", 0) == 0) {
      char* end = nullptr;
      timeout = std::strtoul(a.c_str() + 10, &end, 10);
      if (end == a.c_str() + 10 || *end != '\0' || timeout == 0 || timeout > 3600)
        return usage("--timeout needs 1..3600 seconds, not '" + a.substr(10) + "'");
    } else if (a == "--help" || a == "-h") {
      usage("runs the semantics suite in the boot image");
      return 0;
    } else {
      return usage("unknown argument '" + a + "'");
    }
  }
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
