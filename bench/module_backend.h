// The kernel-module backend: ring-0 operations run by /dev/vmxbench
// (kernel/, ioctl ABI kernel/include/vmxbench_abi.h) on a VT-x host. Samples
// are TSC cycles measured in VMX root operation on one CPU.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/backend.h"
#include "vmxbench_abi.h"

namespace vmxb::bench {

// The device as the backend uses it: the real one wraps open/ioctl/close,
// tests substitute a fake. Each call returns 0 or an errno value.
class ModuleDevice {
 public:
  virtual ~ModuleDevice() = default;
  virtual int info(vmxb_info* info) = 0;
  virtual int run(vmxb_run* run) = 0;
};

// Opens `path` read-write; nullptr and *err = errno when that fails.
std::unique_ptr<ModuleDevice> open_module_device(const std::string& path, int* err);

// Where a device errno came from.
enum class DevicePhase { kOpen, kInfo, kRun };

struct DeviceError {
  int exit_code;        // bench/exit_codes.h
  std::string message;  // one line: cause and fix
};

// errno of open/INFO/RUN -> exit status and message (EACCES -> kExitNoPrivilege
// "run as root", EBUSY -> kExitVmxBusy with what to do about KVM, ...).
DeviceError map_device_errno(DevicePhase phase, int err, uint32_t cpu);

// Empty if the module's INFO matches this binary (ABI version, operation
// table), else one line saying what differs and how to fix it.
std::string abi_mismatch(const vmxb_info& info);

struct ModuleBackendOptions {
  std::string device = VMXB_DEVICE_PATH;
  uint32_t cpu = 0;    // every operation runs on this CPU
  uint32_t chunk = 0;  // samples per interrupts-off section, 0 = the module's default
  std::string cpuinfo_path = "/proc/cpuinfo";  // for the CPU's model name
};

class ModuleBackend : public Backend {
 public:
  // `device` answered INFO with `info`, and abi_mismatch(info) was empty.
  ModuleBackend(std::unique_ptr<ModuleDevice> device, const vmxb_info& info, ModuleBackendOptions options);
  BackendInfo info() const override;
  BatchResult run(const std::vector<OpRequest>& requests) override;

 private:
  std::unique_ptr<ModuleDevice> device_;
  vmxb_info info_;
  ModuleBackendOptions options_;
  std::string model_name_;
};

// INFO + ABI check on an open device. nullptr with *error and *exit_code set on failure.
std::unique_ptr<Backend> connect_module_backend(std::unique_ptr<ModuleDevice> device, const ModuleBackendOptions& options,
                                                std::string* error, int* exit_code);

// Opens options.device and connects. nullptr when the device is absent
// (kExitBackendUnavailable) or unusable (exit code and message say why).
std::unique_ptr<Backend> make_module_backend(const ModuleBackendOptions& options, std::string* error, int* exit_code);
std::unique_ptr<Backend> make_module_backend(std::string* error, int* exit_code);

}  // namespace vmxb::bench
