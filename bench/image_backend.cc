#include "bench/image_backend.h"

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <sstream>

#include "bench/clock_counters.h"
#include "bench/exit_codes.h"
#include "core/operations.h"
#include "harness/host/bochs.h"
#include "harness/host/image_output.h"
#include "harness/host/qemu.h"

namespace vmxb::bench {
namespace {

using RunImage = std::function<harness::ImageRun(const std::vector<harness::PlanOp>&)>;

// Every sample crosses the emulated serial port as text: Bochs needs about
// 0.25 ms of wall time per sample on a 2-core machine (100000 samples: 24 s
// under load), so a plan gets this much time per sample on top of the
// --vmxbench_timeout, and the documented maximum of 1048576 iterations can
// finish instead of being called a hang.
constexpr double kSecondsPerSample = 0.0005;

}  // namespace

std::chrono::seconds image_plan_timeout(const std::vector<harness::PlanOp>& ops, unsigned base_seconds) {
  double samples = 0;
  for (const auto& op : ops) {
    const core::OperationInfo* info = core::find_operation(op.name.c_str());
    samples += static_cast<double>(op.iterations) * (info != nullptr ? core::sample_series(*info) : 1);
  }
  return std::chrono::seconds(base_seconds + static_cast<unsigned>(samples * kSecondsPerSample));
}

namespace {

// A touch row that ran reports each guest-side series (the names after
// "flush", which is SAMPLES) once per iteration; "" when it did.
std::string missing_series(const harness::OpResult& op) {
  const core::OperationInfo* info = core::find_operation(op.name.c_str());
  if (op.status != "ok" || info == nullptr || (info->needs & core::kWritesTouchSeries) == 0) return "";
  for (uint32_t k = 1; k < core::kTouchSeries; ++k) {
    const auto it = op.counters.find(core::kTouchSeriesNames[k]);
    const size_t got = it == op.counters.end() ? 0 : it->second.size();
    if (got != op.iterations)
      return "reported " + std::to_string(got) + " of " + std::to_string(op.iterations) + " " +
             core::kTouchSeriesNames[k] + " samples";
  }
  return "";
}

// One boot runs a whole batch; the image reports one OP line per request.
class ImageBackend : public Backend {
 public:
  ImageBackend(BackendInfo info, std::string emulator_label, RunImage run_image)
      : info_(std::move(info)), label_(std::move(emulator_label)), run_image_(std::move(run_image)) {}

  BackendInfo info() const override {
    BackendInfo info = info_;
    if (!emulated_cpu_.empty()) info.context["emulated_cpu"] = emulated_cpu_;
    for (const auto& [key, value] : measurement_) info.context[key] = value;
    // QEMU/KVM and bare metal: their ticks are TSC ticks, so ns need the
    // TSC's rate (Bochs' ticks are instructions: no rate makes them time).
    std::string source;
    if (!info.emulated && !info.tsc_hz && (info.tsc_hz = tsc_hz_from_facts(measurement_, &source)))
      info.context["vmxbench_tsc_hz_source"] = source;
    return info;
  }

  // A plan holds at most kPlanOps operations in kPlanBytes (harness/PROTOCOL.md):
  // a longer batch boots the image once per slice that fits.
  BatchResult run(const std::vector<OpRequest>& requests) override {
    BatchResult all;
    std::vector<OpRequest> slice;
    const auto flush = [&]() {
      if (slice.empty()) return true;
      BatchResult part = run_one_boot(slice);
      slice.clear();
      if (!part.ok) {
        all = std::move(part);
        return false;
      }
      for (auto& r : part.runs) all.runs.push_back(std::move(r));
      return true;
    };
    for (const auto& r : requests) {
      std::vector<harness::PlanOp> ops;
      for (const auto& q : slice) ops.push_back({q.op, q.iterations, q.warmup, q.pages});
      ops.push_back({r.op, r.iterations, r.warmup, r.pages});
      if (ops.size() > kPlanOps || harness::make_plan(harness::PlanMode::kBench, ops, "bochs").size() >= harness::kPlanBytes) {
        if (!flush()) return all;
      }
      slice.push_back(r);
    }
    if (!flush()) return all;
    all.ok = true;
    return all;
  }

 private:
  static constexpr size_t kPlanOps = 64;  // harness/image/plan.h Plan::ops

  BatchResult run_one_boot(const std::vector<OpRequest>& requests) {
    BatchResult result;
    std::vector<harness::PlanOp> ops;
    uint64_t most = 0;
    for (const auto& r : requests) {
      ops.push_back({r.op, r.iterations, r.warmup, r.pages});
      most = std::max<uint64_t>(most, r.iterations);
    }
    if (most > (1u << 20)) {  // the image's sample buffer: 8 MiB
      result.error = "at most 1048576 iterations per operation in the boot image";
      result.exit_code = kExitUsage;
      return result;
    }
    const harness::ImageRun run = run_image_(ops);
    if (!run.completed) {
      result.error = info_.name + " backend: " + run.error;
      result.exit_code = run.exit_status == 127 ? kExitBackendUnavailable : kExitBackendFailed;
      return result;
    }
    const harness::ImageReport report = harness::parse_image_output(run.lines);
    if (report.ops.empty() && report.end_seen && !report.end_ok && !report.end_reason.empty()) {
      // The image stopped before the plan with a reason of its own (the boot
      // sector's "no long mode: ..."): that reason is the error.
      result.error = info_.name + " backend: the image stopped: " + report.end_reason;
      result.exit_code = kExitBackendFailed;
      return result;
    }
    if (!report.plan_error.empty() || !report.malformed.empty() || report.ops.size() != requests.size()) {
      result.error = info_.name + " backend: the image's output does not match the plan (" +
                     (report.plan_error.empty() ? std::to_string(report.ops.size()) + " results for " +
                                                      std::to_string(requests.size()) + " operations"
                                                : report.plan_error) +
                     ")";
      result.exit_code = kExitBackendFailed;
      return result;
    }
    // The run's clock facts, as values or "unavailable: reason".
    for (const auto& [fact, value] : report.measurement) measurement_["vmxbench_" + fact] = value;
    if (report.cpu) {
      std::ostringstream cpu;
      cpu << report.cpu->vendor << " family " << report.cpu->family << " model " << report.cpu->model
          << " stepping " << report.cpu->stepping << " (" << label_ << ")";
      emulated_cpu_ = cpu.str();
    }
    for (const auto& op : report.ops) {
      if (op.status == "ok" && op.samples.size() != op.iterations) {
        result.error = info_.name + " backend: " + op.name + " reported " + std::to_string(op.samples.size()) +
                       " of " + std::to_string(op.iterations) + " samples";
        result.exit_code = kExitBackendFailed;
        return result;
      }
      if (const std::string missing = missing_series(op); !missing.empty()) {
        result.error = info_.name + " backend: " + op.name + " " + missing;
        result.exit_code = kExitBackendFailed;
        return result;
      }
      OpRun out;
      out.op = op.name;
      out.status = op.status;
      out.vm_error = op.vm_error;
      out.reason = op.reason;
      out.samples = op.samples;
      out.pages = op.pages;
      out.counters = op.counters;
      if (op.status == "ok") {
        out.chunks = chunk_totals_from(op.chunks);
        if (!out.chunks) {
          result.error = info_.name + " backend: " + op.name + " reported no complete CHUNKS line";
          result.exit_code = kExitBackendFailed;
          return result;
        }
      }
      result.runs.push_back(std::move(out));
    }
    result.ok = true;
    return result;
  }

  BackendInfo info_;
  std::string label_;
  RunImage run_image_;
  std::string emulated_cpu_;
  std::map<std::string, std::string> measurement_;
};

bool image_present(std::string* error, int* exit_code) {
  if (!harness::locate_image().empty()) return true;
  *error = "boot image not found; run through `bazel run //bench` or set VMXBENCH_IMAGE";
  *exit_code = kExitBackendUnavailable;
  return false;
}

}  // namespace

std::unique_ptr<Backend> make_bochs_backend(const BochsBackendOptions& options, std::string* error, int* exit_code) {
  if (!image_present(error, exit_code)) return nullptr;
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
  BackendInfo info;
  info.name = "bochs";
  info.emulated = true;
  info.tick_unit = "instructions";
  info.row_label = "emulated (Bochs " + options.cpu_model + "): ticks are instruction counts, not latency";
  info.context["vmxbench_bochs_model"] = options.cpu_model;
  info.context["vmxbench_note"] =
      "emulated: Bochs advances the TSC by one per instruction, so ticks are instruction counts, not latency";
  return std::make_unique<ImageBackend>(info, "Bochs " + options.cpu_model,
                                        [options](const std::vector<harness::PlanOp>& ops) {
                                          harness::BochsOptions o;
                                          o.cpu_model = options.cpu_model;
                                          o.plan = harness::make_plan(harness::PlanMode::kBench, ops, "bochs");
                                          o.timeout = image_plan_timeout(ops, options.timeout_seconds);
                                          return harness::run_boot_image(o);
                                        });
}

std::unique_ptr<Backend> make_qemu_backend(const QemuBackendOptions& options, std::string* error, int* exit_code) {
  if (!image_present(error, exit_code)) return nullptr;
  if (options.kvm && access("/dev/kvm", R_OK | W_OK) != 0) {
    *error = "QEMU backend: /dev/kvm is missing or not accessible: load kvm_intel (with nested=1 for VMX inside the "
             "guest) or use --qemu_accel=tcg";
    *exit_code = kExitBackendUnavailable;
    return nullptr;
  }
  BackendInfo info;
  info.name = "qemu";
  // Under KVM the TSC runs at the host's rate: real cycles of a nested
  // hypervisor. Under TCG they are emulation artefacts.
  info.emulated = !options.kvm;
  info.tick_unit = options.kvm ? "cycles" : "tcg-ticks";
  info.context["vmxbench_qemu_accel"] = options.kvm ? "kvm" : "tcg";
  info.row_label = options.kvm ? "nested (QEMU/KVM): TSC cycles inside a guest" : "emulated (QEMU TCG): not latency";
  info.context["vmxbench_note"] = options.kvm ? "nested: the image runs as a guest of KVM (-cpu host); its VMX "
                                                "instructions are emulated by the host hypervisor"
                                              : "emulated: QEMU TCG ticks are not latency (and TCG has no VMX)";
  return std::make_unique<ImageBackend>(info, options.kvm ? "QEMU/KVM -cpu host" : "QEMU TCG",
                                        [options](const std::vector<harness::PlanOp>& ops) {
                                          harness::QemuOptions o;
                                          o.kvm = options.kvm;
                                          o.plan = harness::make_plan(harness::PlanMode::kBench, ops, "");
                                          o.timeout = image_plan_timeout(ops, options.timeout_seconds);
                                          return harness::run_boot_image_qemu(o);
                                        });
}

}  // namespace vmxb::bench
