// The module backend without a module: a fake device answers INFO and RUN,
// and the tests check the errno -> exit status mapping, the ABI check and
// the translation of RUN replies into OpRuns.
#include "bench/module_backend.h"

#include <errno.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>

#include "bench/exit_codes.h"
#include "core/guest/guest_run.h"
#include "core/operations.h"
#include "vmxbench_op_table.h"

namespace vmxb::bench {
namespace {

vmxb_info good_info() {
  vmxb_info info{};
  info.size = sizeof info;
  info.abi_version = VMXB_ABI_VERSION;
  info.op_count = static_cast<uint32_t>(core::OpId::kCount);
  info.op_table_hash = op_table_hash();
  info.tsc_khz = 2'000'000;
  info.family = 6;
  info.model = 85;
  info.stepping = 4;
  info.microcode = 0x2006e05;
  std::strcpy(info.module_version, "1.0");
  std::strcpy(info.kernel_release, "6.1.0-56-amd64");
  std::strcpy(info.cpu_vendor, "GenuineIntel");
  return info;
}

struct FakeDevice : ModuleDevice {
  int info_errno = 0;
  vmxb_info reply = good_info();
  std::function<int(vmxb_run*)> on_run = [](vmxb_run* r) {
    auto* samples = reinterpret_cast<uint64_t*>(static_cast<uintptr_t>(r->samples_ptr));
    for (uint32_t i = 0; i < r->iterations; ++i) samples[i] = 100 + i;
    r->status = VMXB_STATUS_OK;
    r->samples_written = r->iterations;
    r->cr4_before = r->cr4_after = 0x3706f0;
    return 0;
  };
  std::vector<vmxb_run> runs;  // what the backend sent
  int info(vmxb_info* info) override {
    EXPECT_EQ(info->size, sizeof(vmxb_info));
    if (info_errno) return info_errno;
    *info = reply;
    return 0;
  }
  int run(vmxb_run* r) override {
    runs.push_back(*r);
    return on_run(r);
  }
};

std::unique_ptr<Backend> connect(std::unique_ptr<FakeDevice> dev, std::string* error, int* code,
                                 ModuleBackendOptions options = {}) {
  options.cpuinfo_path = "/nonexistent";
  return connect_module_backend(std::move(dev), options, error, code);
}

TEST(MapDeviceErrno, PermissionMeansRunAsRoot) {
  for (int err : {EACCES, EPERM})
    for (auto phase : {DevicePhase::kOpen, DevicePhase::kInfo, DevicePhase::kRun}) {
      const DeviceError e = map_device_errno(phase, err, 0);
      EXPECT_EQ(e.exit_code, kExitNoPrivilege);
      EXPECT_NE(e.message.find("run as root"), std::string::npos) << e.message;
    }
}

TEST(MapDeviceErrno, MissingDeviceIsUnavailableAndNamesTheFix) {
  for (int err : {ENOENT, ENXIO, ENODEV}) {
    const DeviceError e = map_device_errno(DevicePhase::kOpen, err, 0);
    EXPECT_EQ(e.exit_code, kExitBackendUnavailable);
    EXPECT_NE(e.message.find("kernel/load.sh"), std::string::npos) << e.message;
  }
}

TEST(MapDeviceErrno, BusyGivesTheKvmAdvice) {
  const DeviceError e = map_device_errno(DevicePhase::kRun, EBUSY, 3);
  EXPECT_EQ(e.exit_code, kExitVmxBusy);
  EXPECT_NE(e.message.find("CPU 3"), std::string::npos);
  EXPECT_NE(e.message.find("kvm.enable_virt_at_load=0"), std::string::npos);
  EXPECT_NE(e.message.find("kvm_intel"), std::string::npos);
  EXPECT_NE(e.message.find("close the VMs"), std::string::npos);
}

TEST(MapDeviceErrno, DistinctCausesDistinctStatuses) {
  EXPECT_EQ(map_device_errno(DevicePhase::kInfo, ENOTTY, 0).exit_code, kExitAbiMismatch);
  EXPECT_EQ(map_device_errno(DevicePhase::kRun, ENOTTY, 0).exit_code, kExitAbiMismatch);
  EXPECT_EQ(map_device_errno(DevicePhase::kRun, ENODEV, 5).exit_code, kExitBackendUnavailable);
  EXPECT_NE(map_device_errno(DevicePhase::kRun, ENODEV, 5).message.find("CPU 5 is offline"), std::string::npos);
  EXPECT_EQ(map_device_errno(DevicePhase::kRun, EINVAL, 0).exit_code, kExitBackendFailed);
  EXPECT_EQ(map_device_errno(DevicePhase::kRun, EFAULT, 0).exit_code, kExitBackendFailed);
  EXPECT_EQ(map_device_errno(DevicePhase::kRun, ENOMEM, 0).exit_code, kExitBackendFailed);
  EXPECT_EQ(map_device_errno(DevicePhase::kOpen, EIO, 0).exit_code, kExitBackendFailed);
}

TEST(MapDeviceErrno, MessagesAreOneLine) {
  for (int err : {EACCES, ENOENT, EBUSY, ENOTTY, EINVAL, EFAULT, ENODEV, ENOMEM, EIO})
    for (auto phase : {DevicePhase::kOpen, DevicePhase::kInfo, DevicePhase::kRun}) {
      const std::string m = map_device_errno(phase, err, 0).message;
      EXPECT_FALSE(m.empty());
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
}

TEST(AbiMismatch, AcceptsOwnBuildRejectsOthers) {
  EXPECT_EQ(abi_mismatch(good_info()), "");
  vmxb_info v = good_info();
  v.abi_version = VMXB_ABI_VERSION + 1;
  EXPECT_NE(abi_mismatch(v).find("ABI"), std::string::npos);
  v = good_info();
  v.op_count += 1;
  EXPECT_NE(abi_mismatch(v), "");
  v = good_info();
  v.op_table_hash ^= 1;
  EXPECT_NE(abi_mismatch(v).find("reload the module"), std::string::npos);
}

TEST(Connect, AbiMismatchExitsWithItsOwnStatus) {
  auto dev = std::make_unique<FakeDevice>();
  dev->reply.op_table_hash ^= 0x80;
  std::string error;
  int code = 0;
  EXPECT_EQ(connect(std::move(dev), &error, &code), nullptr);
  EXPECT_EQ(code, kExitAbiMismatch);
  EXPECT_NE(error.find("kernel/load.sh"), std::string::npos);
}

TEST(Connect, OldModuleWithoutInfoIsAbiMismatch) {
  auto dev = std::make_unique<FakeDevice>();
  dev->info_errno = ENOTTY;
  std::string error;
  int code = 0;
  EXPECT_EQ(connect(std::move(dev), &error, &code), nullptr);
  EXPECT_EQ(code, kExitAbiMismatch);
}

TEST(MakeModuleBackend, AbsentDeviceReturnsNullWithUnavailable) {
  ModuleBackendOptions o;
  o.device = "/nonexistent/vmxbench";
  std::string error;
  int code = 0;
  EXPECT_EQ(make_module_backend(o, &error, &code), nullptr);
  EXPECT_EQ(code, kExitBackendUnavailable);
  EXPECT_NE(error.find("load the module"), std::string::npos);
}

TEST(ModuleBackend, InfoDescribesRealCycles) {
  std::string error;
  int code = 0;
  auto backend = connect(std::make_unique<FakeDevice>(), &error, &code);
  ASSERT_NE(backend, nullptr) << error;
  const BackendInfo bi = backend->info();
  EXPECT_EQ(bi.name, "module");
  EXPECT_FALSE(bi.emulated);
  EXPECT_EQ(bi.tick_unit, "cycles");
  EXPECT_EQ(bi.row_label, "module: TSC cycles in VMX root operation on CPU 0");
  ASSERT_TRUE(bi.tsc_hz.has_value());
  EXPECT_DOUBLE_EQ(*bi.tsc_hz, 2e9);
  EXPECT_EQ(bi.context.at("vmxbench_module_kernel"), "6.1.0-56-amd64");
  EXPECT_EQ(bi.context.at("vmxbench_module_microcode"), "0x2006e05");
  EXPECT_EQ(bi.context.at("vmxbench_module_cpu_vendor"), "GenuineIntel");
  EXPECT_EQ(bi.context.at("vmxbench_module_cpu_signature"), "family 6 model 85 stepping 4");
}

TEST(ModuleBackend, RunsEachRequestWithTheAbiFields) {
  auto dev = std::make_unique<FakeDevice>();
  FakeDevice* fake = dev.get();
  std::string error;
  int code = 0;
  ModuleBackendOptions options;
  options.cpu = 2;
  auto backend = connect(std::move(dev), &error, &code, options);
  ASSERT_NE(backend, nullptr) << error;
  const BatchResult b = backend->run({{"invept_global", 5, 2}, {"vmread", 3, 0}});
  ASSERT_TRUE(b.ok) << b.error;
  ASSERT_EQ(b.runs.size(), 2u);
  EXPECT_EQ(b.runs[0].op, "invept_global");
  EXPECT_EQ(b.runs[0].status, "ok");
  EXPECT_EQ(b.runs[0].samples, (std::vector<uint64_t>{100, 101, 102, 103, 104}));
  EXPECT_EQ(b.runs[1].samples.size(), 3u);
  ASSERT_EQ(fake->runs.size(), 2u);
  EXPECT_EQ(fake->runs[0].size, sizeof(vmxb_run));
  EXPECT_EQ(fake->runs[0].op, static_cast<uint16_t>(core::OpId::kInveptGlobal));
  EXPECT_EQ(fake->runs[0].cpu, 2u);
  EXPECT_EQ(fake->runs[0].iterations, 5u);
  EXPECT_EQ(fake->runs[0].warmup, 2u);
  EXPECT_EQ(fake->runs[0].samples_capacity, 5u);
  EXPECT_EQ(fake->runs[0].flags, 0);
  EXPECT_EQ(fake->runs[1].op, static_cast<uint16_t>(core::OpId::kVmread));
}

// The touch rows (core::kWritesTouchSeries) go to the module with their page
// count and a buffer for all four series (series k at entry k x iterations,
// vmxbench_abi.h); the first comes back as the samples, the others as the
// counters the image backend also reports. Every other row asks for one
// series and no pages.
TEST(ModuleBackend, TouchRowsSendPagesAndGetTheirFourSeriesBack) {
  auto dev = std::make_unique<FakeDevice>();
  FakeDevice* fake = dev.get();
  dev->on_run = [](vmxb_run* r) {
    auto* samples = reinterpret_cast<uint64_t*>(static_cast<uintptr_t>(r->samples_ptr));
    const uint32_t series = r->samples_capacity / r->iterations;
    for (uint32_t k = 0; k < series; ++k)
      for (uint32_t i = 0; i < r->iterations; ++i) samples[k * r->iterations + i] = 1000 * (k + 1) + i;
    r->status = VMXB_STATUS_OK;
    r->samples_written = r->iterations;
    return 0;
  };
  std::string error;
  int code = 0;
  auto backend = connect(std::move(dev), &error, &code);
  ASSERT_NE(backend, nullptr) << error;
  const BatchResult b = backend->run({{"invept_global_live", 3, 1, 512}, {"invvpid_single_context_live", 2, 0, 0},
                                      {"vmcall", 2, 0, 64}});
  ASSERT_TRUE(b.ok) << b.error;
  ASSERT_EQ(fake->runs.size(), 3u);
  EXPECT_EQ(fake->runs[0].pages, 512u);
  EXPECT_EQ(fake->runs[0].samples_capacity, 3u * VMXB_TOUCH_SERIES);
  EXPECT_EQ(fake->runs[1].pages, 0u) << "0: the core's default";
  EXPECT_EQ(fake->runs[2].pages, 0u) << "rows that touch nothing send no page count";
  EXPECT_EQ(fake->runs[2].samples_capacity, 2u);
  const OpRun& live = b.runs[0];
  EXPECT_EQ(live.samples, (std::vector<uint64_t>{1000, 1001, 1002}));
  EXPECT_EQ(live.pages, 512u);
  ASSERT_EQ(live.counters.size(), core::kTouchSeries - 1);
  EXPECT_EQ(live.counters.at("warm"), (std::vector<uint64_t>{2000, 2001, 2002}));
  EXPECT_EQ(live.counters.at("refill"), (std::vector<uint64_t>{3000, 3001, 3002}));
  EXPECT_EQ(live.counters.at("collateral"), (std::vector<uint64_t>{4000, 4001, 4002}));
  EXPECT_EQ(b.runs[1].pages, core::guest::kDefaultTouchPages);
  EXPECT_EQ(b.runs[1].counters.at("collateral"), (std::vector<uint64_t>{4000, 4001}));
  EXPECT_EQ(b.runs[2].pages, 0u);
  EXPECT_TRUE(b.runs[2].counters.empty());
  EXPECT_EQ(b.runs[2].samples, (std::vector<uint64_t>{1000, 1001}));
}

// A touch row that did not run (unsupported here) has no counters, and a page
// count beyond the ABI's never reaches the device.
TEST(ModuleBackend, TouchRowsWithoutAnOkRunHaveNoCountersAndBadPageCountsAreUsage) {
  auto dev = std::make_unique<FakeDevice>();
  FakeDevice* fake = dev.get();
  dev->on_run = [](vmxb_run* r) {
    r->status = VMXB_STATUS_UNSUPPORTED;
    std::strcpy(r->reason, "the VM-execution controls cannot enable EPT");
    return 0;
  };
  std::string error;
  int code = 0;
  auto backend = connect(std::move(dev), &error, &code);
  ASSERT_NE(backend, nullptr) << error;
  BatchResult b = backend->run({{"invept_single_context_live", 4, 0, 64}});
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_EQ(b.runs[0].status, "unsupported");
  EXPECT_TRUE(b.runs[0].samples.empty());
  EXPECT_TRUE(b.runs[0].counters.empty());
  b = backend->run({{"invept_single_context_live", 4, 0, VMXB_MAX_PAGES + 1}});
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.exit_code, kExitUsage);
  EXPECT_EQ(fake->runs.size(), 1u);
}

// A guest row whose VM entry failed is a status of its own, not garbage.
TEST(ModuleBackend, GuestFailedIsAStatus) {
  auto dev = std::make_unique<FakeDevice>();
  dev->on_run = [](vmxb_run* r) {
    r->status = VMXB_STATUS_GUEST_FAILED;
    std::strcpy(r->reason, "VM entry failed");
    return 0;
  };
  std::string error;
  int code = 0;
  auto backend = connect(std::move(dev), &error, &code);
  ASSERT_NE(backend, nullptr);
  const BatchResult b = backend->run({{"vmcall", 4, 0}});
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_EQ(b.runs[0].status, "guest-failed");
}

// The clock counters come through from the core's tables; a state the core
// does not name is a bad reply, not a guess.
TEST(ModuleBackend, ChunkTotalsComeThroughAndBadStatesAreRefused) {
  for (const int bad : {0, 1}) {
    auto dev = std::make_unique<FakeDevice>();
    dev->on_run = [bad](vmxb_run* r) {
      r->status = VMXB_STATUS_OK;
      r->samples_written = r->iterations;
      r->chunk_totals[static_cast<int>(core::ChunkField::kSmiDiscarded)] = 2;
      r->counter_states[static_cast<int>(core::CounterSource::kSmi)] = bad ? 200 : 0;
      return 0;
    };
    std::string error;
    int code = 0;
    auto backend = connect(std::move(dev), &error, &code);
    ASSERT_NE(backend, nullptr);
    const BatchResult b = backend->run({{"vmread", 4, 0}});
    if (bad) {
      EXPECT_FALSE(b.ok);
      EXPECT_EQ(b.exit_code, kExitBackendFailed);
      EXPECT_NE(b.error.find("counter state 200"), std::string::npos) << b.error;
    } else {
      ASSERT_TRUE(b.ok) << b.error;
      ASSERT_TRUE(b.runs[0].chunks.has_value());
      EXPECT_EQ((*b.runs[0].chunks)[core::ChunkField::kSmiDiscarded], 2u);
      EXPECT_EQ((*b.runs[0].chunks)[core::CounterSource::kSmi], core::CounterState::kCounted);
    }
  }
}

TEST(ModuleBackend, OperationOutcomesBecomeStatusNames) {
  auto dev = std::make_unique<FakeDevice>();
  dev->on_run = [](vmxb_run* r) {
    r->status = VMXB_STATUS_VMFAIL_VALID;
    r->vm_error = 28;
    r->samples_written = 1;
    std::strcpy(r->reason, "Invalid operand to INVEPT/INVVPID");
    return 0;
  };
  std::string error;
  int code = 0;
  auto backend = connect(std::move(dev), &error, &code);
  ASSERT_NE(backend, nullptr);
  const BatchResult b = backend->run({{"invept_single_context", 4, 0}});
  ASSERT_TRUE(b.ok);
  EXPECT_EQ(b.runs[0].status, "vmfail-valid");
  EXPECT_EQ(b.runs[0].vm_error, 28u);
  EXPECT_EQ(b.runs[0].reason, "Invalid operand to INVEPT/INVVPID");
  EXPECT_EQ(b.runs[0].samples.size(), 1u);
}

TEST(ModuleBackend, BusyStopsTheBatchWithKvmAdvice) {
  auto dev = std::make_unique<FakeDevice>();
  dev->on_run = [](vmxb_run*) { return EBUSY; };
  std::string error;
  int code = 0;
  auto backend = connect(std::move(dev), &error, &code);
  ASSERT_NE(backend, nullptr);
  const BatchResult b = backend->run({{"vmread", 4, 0}, {"vmwrite", 4, 0}});
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.exit_code, kExitVmxBusy);
  EXPECT_NE(b.error.find("enable_virt_at_load=0"), std::string::npos);
}

TEST(ModuleBackend, BadRequestsNeverReachTheDevice) {
  auto dev = std::make_unique<FakeDevice>();
  FakeDevice* fake = dev.get();
  std::string error;
  int code = 0;
  auto backend = connect(std::move(dev), &error, &code);
  ASSERT_NE(backend, nullptr);
  BatchResult b = backend->run({{"no_such_op", 4, 0}});
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.exit_code, kExitUsage);
  b = backend->run({{"vmread", 0, 0}});
  EXPECT_EQ(b.exit_code, kExitUsage);
  b = backend->run({{"vmread", VMXB_MAX_ITERATIONS + 1, 0}});
  EXPECT_EQ(b.exit_code, kExitUsage);
  b = backend->run({{"vmread", 1, VMXB_MAX_ITERATIONS + 1}});
  EXPECT_EQ(b.exit_code, kExitUsage);
  EXPECT_TRUE(fake->runs.empty());
}

TEST(ModuleBackend, GarbageRepliesAreBackendFailures) {
  // 77: no status at all; aborted: a RUN never returns it (a stopped RUN is an errno).
  for (const uint32_t status : {77u, static_cast<uint32_t>(VMXB_STATUS_ABORTED)}) {
    auto dev = std::make_unique<FakeDevice>();
    dev->on_run = [status](vmxb_run* r) {
      r->status = status;
      return 0;
    };
    std::string error;
    int code = 0;
    auto backend = connect(std::move(dev), &error, &code);
    ASSERT_NE(backend, nullptr);
    const BatchResult b = backend->run({{"vmread", 2, 0}});
    EXPECT_FALSE(b.ok) << status;
    EXPECT_EQ(b.exit_code, kExitBackendFailed);
  }
}

TEST(ModuleBackend, Cr4DifferenceIsReported) {
  auto dev = std::make_unique<FakeDevice>();
  dev->on_run = [](vmxb_run* r) {
    r->status = VMXB_STATUS_OK;
    r->samples_written = r->iterations;
    r->cr4_before = 0x3706f0;
    r->cr4_after = 0x3726f0;
    return 0;
  };
  std::string error;
  int code = 0;
  auto backend = connect(std::move(dev), &error, &code);
  ASSERT_NE(backend, nullptr);
  const BatchResult b = backend->run({{"vmread", 2, 0}});
  ASSERT_TRUE(b.ok);
  EXPECT_NE(b.runs[0].reason.find("CR4 changed"), std::string::npos);
}

}  // namespace
}  // namespace vmxb::bench
