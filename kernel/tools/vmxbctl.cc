// vmxbctl: a minimal client of /dev/vmxbench for scripts and the end-to-end
// test: INFO and RUN through the raw ABI (kernel/include/vmxbench_abi.h),
// one result line per command, errno as the exit status's cause.
//
//   vmxbctl list                                  one line per operation of the core's table
//                    (core/operation_rows.h): "NAME id=N vmx_root=0|1 guest=0|1 what=TEXT";
//                    needs no device, so the host can ask the same binary
//   vmxbctl info                                  prints INFO fields, "INFO ok ..."
//   vmxbctl run OP ITERATIONS [WARMUP [CPU [PAGES]]]
//                    prints "RUN op=... status=... samples=... min=... max=..." (the
//                    first series); the touch rows (*_live: PAGES guest pages per
//                    context, 0 = the core's default) add "pages=P" and the
//                    minimum of each other series, "warm_min=... refill_min=...
//                    collateral_min=..." (core::kTouchSeriesNames)
//   vmxbctl fault-test OP ITERATIONS [WARMUP [CPU [PAGES]]]
//                    the same RUN without VMXON (VMXB_RUN_FAULT_TEST): OP's VMX
//                    instructions raise #UD, which their fixups must turn into
//                    status=fault
//   vmxbctl semantics [CPU [bochs]]               the semantics suite through SEMANTICS: its
//                    PASS:/FAIL:/SKIP:/KNOWN:/OBSERVED:/SUMMARY: lines as the boot image
//                    prints them, then "SEMANTICS passed=0|1 ..."; `bochs` sets
//                    VMXB_SEMANTICS_EMULATOR_BOCHS (what stops Bochs 2.7 is not run)
//
// SIGINT and SIGTERM are caught (without SA_RESTART), so a signal during a RUN
// shows as the module's EINTR instead of killing the process.
//
// Exit: 0 ok; 2 usage; 10 + errno-class: 11 EACCES/EPERM, 12 ENOENT (no
// device), 13 EBUSY, 14 EINVAL, 15 EFAULT, 16 ENODEV, 17 other errno,
// 18 ABI mismatch, 21 EINTR, 22 ETIME, 23 ESHUTDOWN; 20 RUN executed but
// status != ok (fault-test: != fault), or a semantics case failed (or the
// lines did not fit the module's largest buffer).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/operations.h"
#include "core/run_operation.h"
#include "vmxbench_abi.h"
#include "vmxbench_abi_core.h"
#include "vmxbench_op_table.h"
#include "semantics_client.h"

namespace {

int errno_exit(int err) {
  switch (err) {
    case EACCES: case EPERM: return 11;
    case ENOENT: return 12;
    case EBUSY: return 13;
    case EINVAL: return 14;
    case EFAULT: return 15;
    case ENODEV: return 16;
    case EINTR: return 21;
    case ETIME: return 22;
    case ESHUTDOWN: return 23;
    default: return 17;
  }
}

int fail(const char* what, int err) {
  std::printf("ERROR %s errno=%d (%s)\n", what, err, std::strerror(err));
  return errno_exit(err);
}

int cmd_list() {
  for (const auto& op : vmxb::core::kOperations)
    std::printf("%s id=%u vmx_root=%d guest=%d what=%s\n", op.name, static_cast<unsigned>(op.id),
                (op.needs & vmxb::core::kNeedsVmxRoot) != 0, (op.needs & vmxb::core::kNeedsGuest) != 0, op.what);
  return 0;
}

int cmd_info(int fd) {
  std::vector<vmxb_cpu_state> cpus(256);
  vmxb_info info{};
  info.size = sizeof(info);
  info.cpus_capacity = static_cast<__u32>(cpus.size());
  info.cpus_ptr = reinterpret_cast<uintptr_t>(cpus.data());
  if (ioctl(fd, VMXB_IOC_INFO, &info) != 0) return fail("INFO", errno);
  std::printf("INFO abi=%u module=%s kernel=%s vendor=%s family=%u model=%u stepping=%u microcode=%#x "
              "tsc_khz=%u cpus=%u online=%u cpuid_flags=%#x op_count=%u op_hash=%#x\n",
              info.abi_version, info.module_version, info.kernel_release, info.cpu_vendor, info.family,
              info.model, info.stepping, info.microcode, info.tsc_khz, info.nr_cpu_ids, info.nr_online,
              info.cpuid_flags, info.op_count, info.op_table_hash);
  for (unsigned i = 0; i < VMXB_NUM_MSRS; ++i) {
    if (info.msr_valid & (1u << i))
      std::printf("MSR %#x %#018llx\n", VMXB_MSR_INDEX(i), static_cast<unsigned long long>(info.msrs[i]));
    else
      std::printf("MSR %#x gp\n", VMXB_MSR_INDEX(i));
  }
  for (unsigned f = 0; f < VMXB_MEASUREMENT_FACTS; ++f)
    std::printf("MEASUREMENT %s %.*s\n", vmxb::core::kFactNames[f], VMXB_FACT_LEN, info.measurement[f]);
  for (unsigned i = 0; i < info.cpus_written; ++i)
    std::printf("CPU %u online=%d vmxe=%d cr4=%#llx feature_control=%#llx\n", cpus[i].cpu,
                !!(cpus[i].flags & VMXB_CPU_ONLINE), !!(cpus[i].flags & VMXB_CPU_VMXE),
                static_cast<unsigned long long>(cpus[i].cr4),
                static_cast<unsigned long long>(cpus[i].feature_control));
  if (info.abi_version != VMXB_ABI_VERSION || info.op_count != static_cast<__u32>(vmxb::core::OpId::kCount) ||
      info.op_table_hash != vmxb::op_table_hash()) {
    std::printf("ERROR ABI mismatch: module abi=%u ops=%u hash=%#x, vmxbctl abi=%d ops=%u hash=%#x\n",
                info.abi_version, info.op_count, info.op_table_hash, VMXB_ABI_VERSION,
                static_cast<unsigned>(vmxb::core::OpId::kCount), vmxb::op_table_hash());
    return 18;
  }
  return 0;
}

// The minimum of one series of a RUN's samples (0 when none was written).
unsigned long long series_min(const std::vector<__u64>& samples, unsigned series, unsigned iterations, unsigned written) {
  __u64 min = ~__u64{0};
  for (unsigned i = 0; i < written; ++i) min = samples[series * iterations + i] < min ? samples[series * iterations + i] : min;
  return written ? static_cast<unsigned long long>(min) : 0ULL;
}

int cmd_run(int fd, const char* op_name, unsigned iterations, unsigned warmup, unsigned cpu, unsigned pages,
            bool fault_test) {
  const auto* op = vmxb::core::find_operation(op_name);
  if (op == nullptr) {
    std::printf("ERROR unknown operation %s\n", op_name);
    return 2;
  }
  const unsigned series = vmxb::core::sample_series(*op);  // 4 for the touch rows: flush, warm, refill, collateral
  std::vector<__u64> samples(iterations ? static_cast<size_t>(iterations) * series : 1);
  vmxb_run run{};
  run.size = sizeof(run);
  run.op = static_cast<__u16>(op->id);
  run.cpu = cpu;
  run.iterations = iterations;
  run.warmup = warmup;
  run.pages = static_cast<__u16>(pages);
  run.flags = fault_test ? VMXB_RUN_FAULT_TEST : 0;
  run.samples_capacity = static_cast<__u32>(samples.size());
  run.samples_ptr = reinterpret_cast<uintptr_t>(samples.data());
  if (ioctl(fd, VMXB_IOC_RUN, &run) != 0) return fail("RUN", errno);
  __u64 min = ~__u64{0}, max = 0;
  for (unsigned i = 0; i < run.samples_written; ++i) {
    min = samples[i] < min ? samples[i] : min;
    max = samples[i] > max ? samples[i] : max;
  }
  std::printf("RUN op=%s status=%s vm_error=%u samples=%u min=%llu max=%llu overhead_min=%u vmx_entered=%u "
              "eptp=%#llx cr4_before=%#llx cr4_after=%#llx reason=%s\n",
              op_name,
              run.status < vmxb::array_size(vmxb::core::kOpStatusNames)
                  ? vmxb::core::op_status_name(static_cast<vmxb::core::OpStatus>(run.status))
                  : "?",
              run.vm_error, run.samples_written,
              run.samples_written ? static_cast<unsigned long long>(min) : 0ULL, static_cast<unsigned long long>(max),
              run.overhead_min, run.vmx_entered, static_cast<unsigned long long>(run.eptp),
              static_cast<unsigned long long>(run.cr4_before), static_cast<unsigned long long>(run.cr4_after),
              run.reason);
  // The image's CHUNKS line (harness/PROTOCOL.md), from the same tables.
  if (run.status == VMXB_STATUS_OK) {
    std::printf("CHUNKS %s", op_name);
    for (unsigned i = 0; i < VMXB_CHUNK_FIELDS; ++i)
      std::printf(" %s=%llu", vmxb::core::kChunkFieldNames[i], static_cast<unsigned long long>(run.chunk_totals[i]));
    for (unsigned i = 0; i < VMXB_COUNTER_SOURCES; ++i)
      std::printf(" %s=%s", vmxb::core::kCounterSourceNames[i],
                  run.counter_states[i] < vmxb::array_size(vmxb::core::kCounterStateNames)
                      ? vmxb::core::kCounterStateNames[run.counter_states[i]]
                      : "?");
    std::printf("\n");
  }
  if (series > 1) {
    std::printf("RUN-SERIES op=%s pages=%u", op_name, pages);
    for (unsigned k = 1; k < series; ++k)
      std::printf(" %s_min=%llu", vmxb::core::kTouchSeriesNames[k],
                  series_min(samples, k, iterations, run.samples_written));
    std::printf("\n");
  }
  return run.status == (fault_test ? VMXB_STATUS_FAULT : VMXB_STATUS_OK) ? 0 : 20;
}

int cmd_semantics(int fd, unsigned cpu, bool emulator_bochs) {
  const vmxb::semantics_client::Outcome o = vmxb::semantics_client::run(fd, cpu, emulator_bochs);
  if (o.err != 0) return fail("SEMANTICS", o.err);
  std::fputs(o.lines.c_str(), stdout);
  std::printf("SEMANTICS passed=%d truncated=%d bytes=%zu needed=%u vmx_entered=%d cr4_before=%#llx cr4_after=%#llx\n",
              o.passed, o.truncated, o.lines.size(), o.needed, o.vmx_entered,
              static_cast<unsigned long long>(o.cr4_before), static_cast<unsigned long long>(o.cr4_after));
  return o.passed && !o.truncated ? 0 : 20;
}

}  // namespace

void on_signal(int) {}  // only interrupts the ioctl

int main(int argc, char** argv) {
  const char* usage =
      "usage: vmxbctl list | info | run OP ITERATIONS [WARMUP [CPU [PAGES]]] | "
      "fault-test OP ITERATIONS [WARMUP [CPU [PAGES]]] | semantics [CPU [bochs]]\n";
  if (argc < 2) {
    std::fputs(usage, stderr);
    return 2;
  }
  if (std::strcmp(argv[1], "list") == 0 && argc == 2) return cmd_list();
  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: the RUN ioctl returns EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  const int fd = open(VMXB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
  if (fd < 0) return fail("open " VMXB_DEVICE_PATH, errno);
  const std::string cmd = argv[1];
  if (cmd == "info") return cmd_info(fd);
  if ((cmd == "run" || cmd == "fault-test") && argc >= 4)
    return cmd_run(fd, argv[2], static_cast<unsigned>(std::strtoul(argv[3], nullptr, 0)),
                   argc > 4 ? static_cast<unsigned>(std::strtoul(argv[4], nullptr, 0)) : 10,
                   argc > 5 ? static_cast<unsigned>(std::strtoul(argv[5], nullptr, 0)) : 0,
                   argc > 6 ? static_cast<unsigned>(std::strtoul(argv[6], nullptr, 0)) : 0, cmd == "fault-test");
  if (cmd == "semantics" && argc <= 4 && (argc < 4 || std::strcmp(argv[3], "bochs") == 0))
    return cmd_semantics(fd, argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 0)) : 0, argc == 4);
  std::fputs(usage, stderr);
  return 2;
}
