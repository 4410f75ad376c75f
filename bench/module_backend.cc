#include "bench/module_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>

#include "bench/exit_codes.h"
#include "core/operations.h"
#include "core/run_operation.h"
#include "primitives/control_registers.h"
#include "vmxbench_abi_core.h"
#include "vmxbench_op_table.h"

namespace vmxb::bench {
namespace {

class FdDevice : public ModuleDevice {
 public:
  explicit FdDevice(int fd) : fd_(fd) {}
  ~FdDevice() override { close(fd_); }
  int info(vmxb_info* info) override { return call(VMXB_IOC_INFO, info); }
  int run(vmxb_run* run) override { return call(VMXB_IOC_RUN, run); }

 private:
  int call(unsigned long cmd, void* arg) {
    // EINTR: a signal arrived while the module waited for another process's
    // RUN or ran ours (it stopped at a chunk boundary, VMX off); ask again.
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (ioctl(fd_, cmd, arg) == 0) return 0;
      if (errno != EINTR) return errno;
    }
    return EINTR;
  }
  int fd_;
};

std::string errno_text(int err) { return std::string(strerrorname_np(err) ? strerrorname_np(err) : "errno") + " (" + std::strerror(err) + ")"; }

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "model name" of the first processor in /proc/cpuinfo, or "".
std::string cpu_model_name(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}


constexpr const char* kKvmAdvice =
    "close the VMs, or unload kvm_intel (modprobe -r kvm_intel), or on Linux >= 6.12 keep KVM from "
    "taking VMX at load time (kvm.enable_virt_at_load=0 on the kernel command line, or "
    "modprobe kvm enable_virt_at_load=0)";

}  // namespace

std::unique_ptr<ModuleDevice> open_module_device(const std::string& path, int* err) {
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return nullptr;
  }
  *err = 0;
  return std::make_unique<FdDevice>(fd);
}

DeviceError map_device_errno(DevicePhase phase, int err, uint32_t cpu) {
  const std::string dev = VMXB_DEVICE_PATH;
  const std::string cpu_s = std::to_string(cpu);
  if (err == EACCES || err == EPERM)
    return {kExitNoPrivilege, "cannot use " + dev + ": " + errno_text(err) +
                                  ": run as root (the device is mode 0600 and needs CAP_SYS_ADMIN)"};
  switch (phase) {
    case DevicePhase::kOpen:
      if (err == ENOENT || err == ENXIO || err == ENODEV)
        return {kExitBackendUnavailable, dev + " not available (" + errno_text(err) +
                                             "): load the module (sudo kernel/load.sh) or use --backend=bochs"};
      return {kExitBackendFailed, "cannot open " + dev + ": " + errno_text(err)};
    case DevicePhase::kInfo:
      if (err == ENOTTY || err == EINVAL)
        return {kExitAbiMismatch, "the loaded vmxbench module does not understand this binary's INFO request (" +
                                      errno_text(err) + "): ABI mismatch; rebuild and reload it from this checkout "
                                                        "(sudo kernel/unload.sh && sudo kernel/load.sh)"};
      return {kExitBackendFailed, "INFO on " + dev + " failed: " + errno_text(err) + " (see dmesg)"};
    case DevicePhase::kRun:
      if (err == EBUSY)
        return {kExitVmxBusy, "VMX is already in use on CPU " + cpu_s +
                                  " (CR4.VMXE=1: KVM or another hypervisor holds it; vmxbench never shares it): " +
                                  kKvmAdvice};
      if (err == ENODEV)
        return {kExitBackendUnavailable, "CPU " + cpu_s + " is offline: bring it online or choose another CPU"};
      if (err == ENOTTY)
        return {kExitAbiMismatch, "the loaded vmxbench module does not know the RUN request (ENOTTY): ABI mismatch; "
                                  "reload the module from this checkout (sudo kernel/unload.sh && sudo kernel/load.sh)"};
      if (err == ETIME)
        return {kExitBackendFailed, "the RUN on CPU " + cpu_s + " exceeded the module's wall-time limit (ETIME): use "
                                    "fewer iterations or raise /sys/module/vmxbench/parameters/max_run_ms"};
      if (err == ESHUTDOWN)
        return {kExitBackendFailed, "the module stopped the RUN because the system is going down (ESHUTDOWN)"};
      if (err == ENOMEM)
        return {kExitBackendFailed, "the module could not allocate the sample buffer (ENOMEM): use fewer iterations"};
      if (err == EINVAL)
        return {kExitBackendFailed, "the module rejected a RUN request on CPU " + cpu_s +
                                        " (EINVAL; dmesg names the field): a bug or a module from another checkout"};
      return {kExitBackendFailed, "RUN on " + dev + " failed: " + errno_text(err) + " (see dmesg)"};
  }
  return {kExitBackendFailed, "unexpected error " + errno_text(err)};
}

std::string abi_mismatch(const vmxb_info& info) {
  const uint32_t ops = static_cast<uint32_t>(core::OpId::kCount);
  if (info.abi_version != VMXB_ABI_VERSION || info.op_count != ops || info.op_table_hash != op_table_hash())
    return "vmxbench module ABI " + std::to_string(info.abi_version) + " with " + std::to_string(info.op_count) +
           " operations (table " + hex(info.op_table_hash) + "), this binary expects ABI " +
           std::to_string(VMXB_ABI_VERSION) + " with " + std::to_string(ops) + " (table " + hex(op_table_hash()) +
           "): rebuild and reload the module from this checkout (sudo kernel/unload.sh && sudo kernel/load.sh)";
  return "";
}

ModuleBackend::ModuleBackend(std::unique_ptr<ModuleDevice> device, const vmxb_info& info, ModuleBackendOptions options)
    : device_(std::move(device)), info_(info), options_(std::move(options)),
      model_name_(cpu_model_name(options_.cpuinfo_path)) {}

BackendInfo ModuleBackend::info() const {
  BackendInfo bi;
  bi.name = "module";
  bi.emulated = false;
  bi.tick_unit = "cycles";
  bi.row_label = "module: TSC cycles in VMX root operation on CPU " + std::to_string(options_.cpu);
  if (info_.tsc_khz != 0) bi.tsc_hz = static_cast<double>(info_.tsc_khz) * 1000.0;
  // The module's view (ring 0, boot CPU), next to host_context()'s user-space one.
  const auto str = [](const char* s, size_t n) { return std::string(s, strnlen(s, n)); };
  bi.context["vmxbench_module_version"] = str(info_.module_version, sizeof info_.module_version);
  bi.context["vmxbench_module_abi"] = std::to_string(info_.abi_version);
  bi.context["vmxbench_module_kernel"] = str(info_.kernel_release, sizeof info_.kernel_release);
  bi.context["vmxbench_module_cpu"] = std::to_string(options_.cpu);
  bi.context["vmxbench_module_cpu_vendor"] = str(info_.cpu_vendor, sizeof info_.cpu_vendor);
  bi.context["vmxbench_module_cpu_signature"] = "family " + std::to_string(info_.family) + " model " +
                                                std::to_string(info_.model) + " stepping " +
                                                std::to_string(info_.stepping);
  if (!model_name_.empty()) bi.context["vmxbench_module_cpu_model_name"] = model_name_;
  bi.context["vmxbench_module_microcode"] = hex(info_.microcode);
  bi.context["vmxbench_module_tsc_khz"] = std::to_string(info_.tsc_khz);
  bi.context["vmxbench_module_cpuid_hypervisor"] = (info_.cpuid_flags & VMXB_CPUID_HYPERVISOR) ? "yes" : "no";
  // The clock facts of the RUN's CPU, as the image reports them (MEASUREMENT).
  for (size_t f = 0; f < VMXB_MEASUREMENT_FACTS; ++f)
    bi.context[std::string("vmxbench_") + core::kFactNames[f]] = str(info_.measurement[f], VMXB_FACT_LEN);
  return bi;
}

BatchResult ModuleBackend::run(const std::vector<OpRequest>& requests) {
  BatchResult batch;
  for (const auto& req : requests) {
    const core::OperationInfo* op = core::find_operation(req.op.c_str());
    if (op == nullptr) {
      batch.error = "unknown operation '" + req.op + "' (names: core/operations.h)";
      batch.exit_code = kExitUsage;
      return batch;
    }
    if (req.iterations == 0 || req.iterations > VMXB_MAX_ITERATIONS || req.warmup > VMXB_MAX_ITERATIONS) {
      batch.error = "iterations must be 1.." + std::to_string(VMXB_MAX_ITERATIONS) + " and warm-up 0.." +
                    std::to_string(VMXB_MAX_ITERATIONS) + " (got " + std::to_string(req.iterations) + "/" +
                    std::to_string(req.warmup) + ")";
      batch.exit_code = kExitUsage;
      return batch;
    }
    OpRun out;
    out.op = req.op;
    // The touch rows write core::kTouchSeries series into one buffer, series
    // k at entry k x iterations (vmxbench_abi.h): the first is `samples`, the
    // others become counters, as the image backend reports them.
    const uint32_t series = core::sample_series(*op);
    const bool touch = (op->needs & core::kWritesTouchSeries) != 0;
    if (req.pages > VMXB_MAX_PAGES) {
      batch.error = "pages must be 0.." + std::to_string(VMXB_MAX_PAGES) + " (got " + std::to_string(req.pages) + ")";
      batch.exit_code = kExitUsage;
      return batch;
    }
    std::vector<uint64_t> buffer(static_cast<size_t>(req.iterations) * series, 0);
    vmxb_run r{};
    r.size = sizeof r;
    r.op = static_cast<__u16>(op->id);
    r.cpu = options_.cpu;
    r.iterations = req.iterations;
    r.warmup = req.warmup;
    r.chunk = options_.chunk;
    r.pages = static_cast<__u16>(touch ? req.pages : 0);
    r.samples_capacity = static_cast<__u32>(buffer.size());
    r.samples_ptr = reinterpret_cast<uintptr_t>(buffer.data());
    if (const int err = device_->run(&r); err != 0) {
      const DeviceError e = map_device_errno(DevicePhase::kRun, err, options_.cpu);
      batch.error = e.message;
      batch.exit_code = e.exit_code;
      return batch;
    }
    // Every status the core names except kAborted, which a RUN never returns (a stopped RUN is an errno).
    if (r.status >= array_size(core::kOpStatusNames) || r.status == static_cast<uint32_t>(core::OpStatus::kAborted) ||
        r.samples_written > req.iterations) {
      batch.error = "the module returned an invalid RUN reply (status " + std::to_string(r.status) + ", " +
                    std::to_string(r.samples_written) + " samples for " + std::to_string(req.iterations) + ")";
      batch.exit_code = kExitBackendFailed;
      return batch;
    }
    out.status = core::op_status_name(static_cast<core::OpStatus>(r.status));
    out.vm_error = r.vm_error;
    out.reason = std::string(r.reason, strnlen(r.reason, sizeof r.reason));
    if ((r.cr4_before ^ r.cr4_after) & vmxb::cr4::kVmxe.mask())  // the only CR4 bit a RUN touches
      out.reason += (out.reason.empty() ? "" : "; ") + std::string("CR4 changed from ") + hex(r.cr4_before) + " to " +
                    hex(r.cr4_after) + " (module bug)";
    out.samples.assign(buffer.begin(), buffer.begin() + r.samples_written);
    if (r.status == VMXB_STATUS_OK) {
      core::ChunkTotals totals;
      for (size_t i = 0; i < VMXB_CHUNK_FIELDS; ++i) totals.value[i] = r.chunk_totals[i];
      for (size_t i = 0; i < VMXB_COUNTER_SOURCES; ++i) {
        if (r.counter_states[i] >= array_size(core::kCounterStateNames)) {
          batch.error = "the module returned an invalid RUN reply (counter state " +
                        std::to_string(r.counter_states[i]) + ")";
          batch.exit_code = kExitBackendFailed;
          return batch;
        }
        totals.state[i] = static_cast<core::CounterState>(r.counter_states[i]);
      }
      out.chunks = totals;
    }
    if (touch) {
      out.pages = req.pages != 0 ? req.pages : core::guest::kDefaultTouchPages;
      if (r.status == VMXB_STATUS_OK)
        for (uint32_t k = 1; k < series; ++k) {
          const auto first = buffer.begin() + static_cast<ptrdiff_t>(k) * req.iterations;
          out.counters[core::kTouchSeriesNames[k]].assign(first, first + r.samples_written);
        }
    }
    batch.runs.push_back(std::move(out));
  }
  batch.ok = true;
  return batch;
}

std::unique_ptr<Backend> connect_module_backend(std::unique_ptr<ModuleDevice> device, const ModuleBackendOptions& options,
                                                std::string* error, int* exit_code) {
  vmxb_info info{};
  info.size = sizeof info;
  info.msr_cpu = options.cpu;
  if (const int err = device->info(&info); err != 0) {
    const DeviceError e = map_device_errno(DevicePhase::kInfo, err, options.cpu);
    *error = e.message;
    *exit_code = e.exit_code;
    return nullptr;
  }
  if (std::string why = abi_mismatch(info); !why.empty()) {
    *error = why;
    *exit_code = kExitAbiMismatch;
    return nullptr;
  }
  return std::make_unique<ModuleBackend>(std::move(device), info, options);
}

std::unique_ptr<Backend> make_module_backend(const ModuleBackendOptions& options, std::string* error, int* exit_code) {
  int err = 0;
  auto device = open_module_device(options.device, &err);
  if (!device) {
    const DeviceError e = map_device_errno(DevicePhase::kOpen, err, options.cpu);
    *error = e.message;
    *exit_code = e.exit_code;
    return nullptr;
  }
  return connect_module_backend(std::move(device), options, error, exit_code);
}

std::unique_ptr<Backend> make_module_backend(std::string* error, int* exit_code) {
  return make_module_backend(ModuleBackendOptions{}, error, exit_code);
}

}  // namespace vmxb::bench
