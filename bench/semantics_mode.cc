#include "bench/semantics_mode.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>

#include "bench/exit_codes.h"
#include "bench/module_backend.h"
#include "harness/host/bochs.h"
#include "harness/host/image_file.h"
#include "kernel/tools/semantics_client.h"
#include "vmxbench_abi.h"

namespace vmxb::bench {
namespace {

constexpr const char* kVerdictPrefixes[] = {"PASS: ", "FAIL: ", "SKIP: ", "KNOWN: ", "OBSERVED: ", "SUMMARY: "};

bool is_suite_line(const std::string& line) {
  for (const char* p : kVerdictPrefixes)
    if (line.rfind(p, 0) == 0) return true;
  return false;
}

// kExitOk when the lines end in a SUMMARY with 0 failures.
int verdict(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  const semantics_client::Summary s = semantics_client::parse_summary(all);
  if (!s.found) {
    std::fprintf(stderr, "bench: the semantics suite printed no SUMMARY line\n");
    return kExitBackendFailed;
  }
  return s.failures == 0 ? kExitOk : kExitSemanticsFailed;
}

int print_and_judge(const std::vector<std::string>& lines) {
  for (const auto& l : lines) std::printf("%s\n", l.c_str());
  std::fflush(stdout);
  return verdict(lines);
}

int run_on_module(const SemanticsOptions& o) {
  const int fd = open(VMXB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const DeviceError e = map_device_errno(DevicePhase::kOpen, errno, o.cpu);
    std::fprintf(stderr, "bench: %s\n", e.message.c_str());
    return e.exit_code;
  }
  const semantics_client::Outcome r = semantics_client::run(fd, o.cpu, o.module_under_bochs);
  close(fd);
  if (r.err == ENOTTY) {
    std::fprintf(stderr,
                 "bench: the loaded vmxbench module has no SEMANTICS request (ENOTTY): it predates this checkout; "
                 "reload it (sudo kernel/unload.sh && sudo kernel/load.sh)\n");
    return kExitAbiMismatch;
  }
  if (r.err == EINVAL) {
    std::fprintf(stderr, "bench: the module rejected the SEMANTICS request (EINVAL; dmesg names the field): "
                         "a module from another checkout? reload it (sudo kernel/unload.sh && sudo kernel/load.sh)\n");
    return kExitAbiMismatch;
  }
  if (r.err != 0) {
    const DeviceError e = map_device_errno(DevicePhase::kRun, r.err, o.cpu);
    std::fprintf(stderr, "bench: semantics suite: %s\n", e.message.c_str());
    return e.exit_code;
  }
  if (r.truncated) {
    std::fprintf(stderr, "bench: the suite's lines (%u bytes) did not fit the module's largest buffer\n", r.needed);
    return kExitBackendFailed;
  }
  std::vector<std::string> lines;
  std::istringstream in(r.lines);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return print_and_judge(lines);
}

int run_on_bochs(const SemanticsOptions& o) {
  harness::BochsOptions b;
  b.cpu_model = o.bochs_model;
  b.plan = harness::make_plan(harness::PlanMode::kSemantics);
  b.timeout = std::chrono::seconds(o.timeout_seconds);
  const harness::ImageRun run = harness::run_boot_image(b);
  if (!run.completed) {
    std::fprintf(stderr, "bench: the boot image did not finish its semantics run under Bochs: %s\n",
                 run.error.c_str());
    return kExitBackendFailed;
  }
  return print_and_judge(suite_lines(run.lines));
}

}  // namespace

std::vector<std::string> suite_lines(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines)
    if (is_suite_line(l)) out.push_back(l);
  return out;
}

int run_semantics(const SemanticsOptions& options) {
  switch (options.backend) {
    case BackendKind::kModule: return run_on_module(options);
    case BackendKind::kBochs: return run_on_bochs(options);
    case BackendKind::kQemu: break;
  }
  std::fprintf(stderr, "bench: --semantics runs on --backend=module or --backend=bochs, not qemu "
                       "(harness/host:write_image --mode=semantics makes an image QEMU or a USB stick boots)\n");
  return kExitUsage;
}

}  // namespace vmxb::bench
