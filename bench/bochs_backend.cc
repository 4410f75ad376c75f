#include "bench/bochs_backend.h"

#include <algorithm>
#include <sstream>

#include "bench/exit_codes.h"
#include "harness/host/bochs.h"
#include "harness/host/image_output.h"

namespace vmxb::bench {
namespace {

class BochsBackend : public Backend {
 public:
  explicit BochsBackend(BochsBackendOptions options) : options_(std::move(options)) {}

  BackendInfo info() const override {
    BackendInfo info;
    info.name = "bochs";
    info.emulated = true;
    info.tick_unit = "instructions";
    info.context["vmxbench_bochs_model"] = options_.cpu_model;
    info.context["vmxbench_note"] =
        "emulated: Bochs advances the TSC by one per instruction, so ticks are instruction counts, not latency";
    if (!emulated_cpu_.empty()) info.context["emulated_cpu"] = emulated_cpu_;
    return info;
  }

  BatchResult run(const std::vector<OpRequest>& requests) override {
    BatchResult result;
    std::vector<harness::PlanOp> ops;
    for (const auto& r : requests) ops.push_back({r.op, r.iterations, r.warmup});
    harness::BochsOptions o;
    o.cpu_model = options_.cpu_model;
    o.plan = harness::make_plan(harness::PlanMode::kBench, ops);
    o.timeout = std::chrono::seconds(options_.timeout_seconds);
    // 8 bytes per sample must fit the image's buffer and the guest memory.
    uint64_t most = 0;
    for (const auto& r : requests) most = std::max<uint64_t>(most, r.iterations);
    if (most > (1u << 20)) {
      result.error = "at most 1048576 iterations per operation under Bochs";
      result.exit_code = kExitUsage;
      return result;
    }
    const harness::ImageRun run = harness::run_boot_image(o);
    if (!run.completed) {
      result.error = "Bochs backend: " + run.error;
      result.exit_code = run.exit_status == 127 ? kExitBackendUnavailable : kExitBackendFailed;
      return result;
    }
    const harness::ImageReport report = harness::parse_image_output(run.lines);
    if (!report.plan_error.empty() || !report.malformed.empty() || report.ops.size() != requests.size()) {
      result.error = "Bochs backend: the image's output does not match the plan (" +
                     (report.plan_error.empty() ? std::to_string(report.ops.size()) + " results for " +
                                                      std::to_string(requests.size()) + " operations"
                                                : report.plan_error) + ")";
      result.exit_code = kExitBackendFailed;
      return result;
    }
    if (report.cpu) {
      std::ostringstream cpu;
      cpu << report.cpu->vendor << " family " << report.cpu->family << " model " << report.cpu->model << " stepping "
          << report.cpu->stepping << " (Bochs " << options_.cpu_model << ")";
      emulated_cpu_ = cpu.str();
    }
    for (const auto& op : report.ops) {
      OpRun r;
      r.op = op.name;
      r.status = op.status;
      r.vm_error = op.vm_error;
      r.reason = op.reason;
      r.samples = op.samples;
      if (r.status == "ok" && r.samples.size() != op.iterations) {
        result.error = "Bochs backend: " + op.name + " reported " + std::to_string(r.samples.size()) + " of " +
                       std::to_string(op.iterations) + " samples";
        result.exit_code = kExitBackendFailed;
        return result;
      }
      result.runs.push_back(std::move(r));
    }
    result.ok = true;
    return result;
  }

 private:
  BochsBackendOptions options_;
  std::string emulated_cpu_;
};

}  // namespace

std::unique_ptr<Backend> make_bochs_backend(const BochsBackendOptions& options, std::string* error, int* exit_code) {
  if (harness::locate_image().empty()) {
    *error = "Bochs backend: boot image not found; run through `bazel run //bench` or set VMXBENCH_IMAGE";
    *exit_code = kExitBackendUnavailable;
    return nullptr;
  }
  const auto models = harness::bochs_cpu_models();
  if (models.empty()) {
    *error = "Bochs backend: `bochs` is not installed; run tools/setup (Debian packages bochs bochsbios bochs-term)";
    *exit_code = kExitBackendUnavailable;
    return nullptr;
  }
  if (std::find(models.begin(), models.end(), options.cpu_model) == models.end()) {
    std::string list;
    for (const auto& m : models) list += (list.empty() ? "" : " ") + m;
    *error = "unknown Bochs CPU model '" + options.cpu_model + "'; choose one of: " + list;
    *exit_code = kExitUsage;
    return nullptr;
  }
  return std::make_unique<BochsBackend>(options);
}

}  // namespace vmxb::bench
