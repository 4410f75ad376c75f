// vmxb_fuzz: a bounded random-ioctl loop against /dev/vmxbench.
//
//   vmxb_fuzz [CALLS [SEED [bochs]]]      default 10000 calls, seed 1
//
// Each call is INFO, RUN or SEMANTICS with every field drawn from a mix of good values,
// edge values and garbage (sizes, operation ids, counts, CPUs, reserved
// fields, page counts, user pointers that are NULL, unmapped, read-only,
// kernel addresses, sample buffers too small for the touch rows' 4 series),
// or an ioctl number near or far from ours. Deterministic for a seed. After
// the loop the device must still answer INFO and a valid RUN, and no CPU may
// be left with CR4.VMXE set. dmesg is checked by the caller. `bochs`: every
// SEMANTICS request carries VMXB_SEMANTICS_EMULATOR_BOCHS, without which the
// suite's VMCALL in VMX root operation stops Bochs 2.7.
// Prints "FUZZ calls=N ok=N einval=N ..." and exits 0 when the device survived.
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "core/operations.h"
#include "vmxbench_abi.h"
#include "vmxbench_abi_core.h"

namespace {

uint64_t g_state = 1;
uint64_t rnd() {  // xorshift64*
  g_state ^= g_state >> 12;
  g_state ^= g_state << 25;
  g_state ^= g_state >> 27;
  return g_state * 0x2545F4914F6CDD1DULL;
}
uint64_t pick(std::initializer_list<uint64_t> v) { return v.begin()[rnd() % v.size()]; }
bool chance(unsigned percent) { return rnd() % 100 < percent; }

constexpr size_t kSampleBytes = size_t{VMXB_MAX_ITERATIONS} * VMXB_TOUCH_SERIES * 8;  // any valid count fits
uint8_t* g_samples;   // read-write, kSampleBytes
uint8_t* g_readonly;  // one read-only page
uint8_t* g_unmapped;  // a page that was unmapped

uint64_t user_pointer(void* good) {
  switch (rnd() % 10) {
    case 0: return 0;
    case 1: return reinterpret_cast<uintptr_t>(g_readonly);
    case 2: return reinterpret_cast<uintptr_t>(g_unmapped);
    case 3: return 0xffff888000000000ULL;   // the direct map: a kernel address
    case 4: return 0x0000800000000000ULL;   // just past user space
    case 5: return reinterpret_cast<uintptr_t>(good) + 1 + rnd() % 7;  // misaligned
    case 6: return rnd();
    default: return reinterpret_cast<uintptr_t>(good);
  }
}

uint32_t count_value() { return static_cast<uint32_t>(pick({0, 1, 2, 3, 16, 64, VMXB_MAX_ITERATIONS + 1ULL, rnd()})); }

void fuzz_run(vmxb_run* r) {
  std::memset(r, 0, sizeof(*r));
  r->size = chance(90) ? sizeof(*r) : static_cast<uint32_t>(pick({0, sizeof(*r) - 8, sizeof(*r) + 8, rnd()}));
  const unsigned n_ops = static_cast<unsigned>(vmxb::core::OpId::kCount);
  r->op = static_cast<uint16_t>(chance(80) ? rnd() % n_ops : pick({n_ops, n_ops + 1, 0xFFFF, rnd()}));
  r->flags = chance(95) ? 0 : static_cast<uint16_t>(rnd());
  r->cpu = chance(85) ? 0 : static_cast<uint32_t>(pick({1, 2, 63, 4096, rnd()}));
  r->iterations = chance(85) ? static_cast<uint32_t>(1 + rnd() % 32) : count_value();
  // A guest row builds an EPT and zeroes its touch buffers per RUN: keep its
  // valid RUNs short, so the loop stays within the e2e test's time.
  const bool guest_row = r->op < n_ops && (vmxb::core::kOperations[r->op].needs & vmxb::core::kNeedsGuest);
  if (guest_row && chance(90)) r->iterations = static_cast<uint32_t>(1 + rnd() % 4);
  // The touch rows write 4 series: a buffer of `iterations` entries is too small for them.
  const uint32_t series = r->op < n_ops ? vmxb::core::sample_series(vmxb::core::kOperations[r->op]) : 1;
  r->warmup = chance(85) ? static_cast<uint32_t>(rnd() % 8) : count_value();
  r->chunk = chance(80) ? static_cast<uint32_t>(pick({0, 1, 7, 256})) : static_cast<uint32_t>(pick({VMXB_MAX_CHUNK, VMXB_MAX_CHUNK + 1ULL, rnd()}));
  r->samples_capacity = chance(85) ? r->iterations * (chance(90) ? series : 1) : count_value();
  r->pages = chance(85) ? static_cast<uint16_t>(rnd() % (VMXB_MAX_PAGES + 1))
                        : static_cast<uint16_t>(pick({VMXB_MAX_PAGES + 1ULL, 0xFFFF, rnd()}));
  r->vpid = chance(80) ? 0 : static_cast<uint16_t>(rnd());
  r->samples_ptr = user_pointer(g_samples);
  r->linear_address = chance(80) ? 0 : pick({0x00007fffffffffffULL, 0x0000800000000000ULL, 0xffff800000000000ULL, rnd()});
  if (chance(3)) r->reserved_in[rnd() % 4] = rnd() | 1;
  if (chance(5)) r->status = static_cast<uint32_t>(rnd());  // output fields are ignored on input
}

void fuzz_info(vmxb_info* info, vmxb_cpu_state* cpus, uint32_t cpus_room) {
  std::memset(info, 0, sizeof(*info));
  info->size = chance(90) ? sizeof(*info) : static_cast<uint32_t>(pick({0, sizeof(*info) - 8, rnd()}));
  info->msr_cpu = chance(85) ? 0 : static_cast<uint32_t>(pick({1, 4096, rnd()}));
  info->cpus_capacity = chance(80) ? static_cast<uint32_t>(rnd() % (cpus_room + 1))
                                   : static_cast<uint32_t>(pick({VMXB_MAX_CPUS_REQUEST, VMXB_MAX_CPUS_REQUEST + 1ULL, rnd()}));
  info->cpus_ptr = user_pointer(cpus);
  info->reserved_in = chance(97) ? 0 : static_cast<uint32_t>(rnd() | 1);
}

bool g_bochs = false;
uint8_t* g_output;  // read-write, VMXB_SEMANTICS_MAX_OUTPUT bytes

void fuzz_semantics(vmxb_semantics* s) {
  std::memset(s, 0, sizeof(*s));
  s->size = chance(90) ? sizeof(*s) : static_cast<uint32_t>(pick({0, sizeof(*s) - 8, sizeof(*s) + 8, rnd()}));
  s->version = chance(90) ? VMXB_SEMANTICS_VERSION : static_cast<uint32_t>(pick({0, VMXB_SEMANTICS_VERSION + 1, rnd()}));
  s->cpu = chance(85) ? 0 : static_cast<uint32_t>(pick({1, 63, 4096, rnd()}));
  s->flags = chance(95) ? 0 : static_cast<uint32_t>(rnd());
  if (g_bochs) s->flags |= VMXB_SEMANTICS_EMULATOR_BOCHS;
  // Mostly too small or invalid: a whole suite run per valid request is slow under Bochs.
  s->output_capacity = static_cast<uint32_t>(
      pick({0, 1, 16, 200, 4096, 65536, VMXB_SEMANTICS_MAX_OUTPUT, VMXB_SEMANTICS_MAX_OUTPUT + 1ULL, rnd()}));
  s->output_ptr = user_pointer(g_output);
  s->reserved_in0 = chance(97) ? 0 : static_cast<uint32_t>(rnd() | 1);
  if (chance(3)) s->reserved_in[rnd() % 2] = rnd() | 1;
  if (chance(5)) s->output_written = static_cast<uint32_t>(rnd());  // output fields are ignored on input
}

unsigned long other_cmd() {
  switch (rnd() % 5) {
    case 0: return _IOC(rnd() % 4, VMXB_IOC_MAGIC, rnd() % 8, rnd() % 1024);   // our magic, wrong nr/size/dir
    case 1: return _IOWR(VMXB_IOC_MAGIC, 0x02, struct vmxb_info);              // RUN number, INFO size
    case 2: return _IOWR(VMXB_IOC_MAGIC, 0x01, struct vmxb_run);               // INFO number, RUN size
    case 3: return _IOWR(VMXB_IOC_MAGIC, 0x03, struct vmxb_run);               // SEMANTICS number, RUN size
    default: return static_cast<unsigned long>(rnd());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned long calls = argc > 1 ? std::strtoul(argv[1], nullptr, 0) : 10000;
  g_state = (argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 1) | 1;
  g_bochs = argc > 3 && std::strcmp(argv[3], "bochs") == 0;
  const int fd = open(VMXB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    std::printf("FUZZ error: open %s: %s\n", VMXB_DEVICE_PATH, std::strerror(errno));
    return 1;
  }
  g_samples = static_cast<uint8_t*>(mmap(nullptr, kSampleBytes, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
  g_readonly = static_cast<uint8_t*>(mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  g_unmapped = static_cast<uint8_t*>(mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  g_output = static_cast<uint8_t*>(mmap(nullptr, VMXB_SEMANTICS_MAX_OUTPUT, PROT_READ | PROT_WRITE,
                                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
  if (g_samples == MAP_FAILED || g_readonly == MAP_FAILED || g_unmapped == MAP_FAILED || g_output == MAP_FAILED) {
    std::printf("FUZZ error: mmap failed\n");
    return 1;
  }
  munmap(g_unmapped, 4096);

  static vmxb_cpu_state cpus[64];
  std::map<int, unsigned long> by_errno;  // 0 = success
  for (unsigned long i = 0; i < calls; ++i) {
    vmxb_run run;
    vmxb_info info;
    vmxb_semantics sem;
    unsigned long cmd;
    uint64_t arg;
    // 3 in 100 calls are SEMANTICS requests (a valid one runs the whole suite).
    if (chance(3)) {
      fuzz_semantics(&sem);
      cmd = chance(95) ? VMXB_IOC_SEMANTICS : other_cmd();
      arg = chance(90) ? reinterpret_cast<uintptr_t>(&sem) : user_pointer(&sem);
    } else switch (rnd() % 10) {
      case 0: case 1: case 2: case 3: case 4:
        fuzz_run(&run);
        cmd = chance(95) ? VMXB_IOC_RUN : other_cmd();
        arg = chance(90) ? reinterpret_cast<uintptr_t>(&run) : user_pointer(&run);
        break;
      case 5: case 6: case 7:
        fuzz_info(&info, cpus, 64);
        cmd = chance(95) ? VMXB_IOC_INFO : other_cmd();
        arg = chance(90) ? reinterpret_cast<uintptr_t>(&info) : user_pointer(&info);
        break;
      default:
        fuzz_run(&run);
        cmd = other_cmd();
        arg = chance(50) ? reinterpret_cast<uintptr_t>(&run) : rnd();
        break;
    }
    const int rc = ioctl(fd, cmd, arg);
    by_errno[rc == 0 ? 0 : errno]++;
    if (i % 1000 == 999) {
      std::printf("FUZZ progress %lu/%lu\n", i + 1, calls);
      std::fflush(stdout);
    }
  }

  std::printf("FUZZ calls=%lu", calls);
  for (const auto& [err, n] : by_errno) std::printf(" %s=%lu", err == 0 ? "ok" : strerrorname_np(err), n);
  std::printf("\n");

  // The device still works, and no CPU kept VMX on.
  int bad = 0;
  vmxb_info info{};
  info.size = sizeof(info);
  info.cpus_capacity = 64;
  info.cpus_ptr = reinterpret_cast<uintptr_t>(cpus);
  if (ioctl(fd, VMXB_IOC_INFO, &info) != 0) {
    std::printf("FUZZ error: INFO after the loop: %s\n", std::strerror(errno));
    bad = 1;
  } else {
    for (unsigned c = 0; c < info.cpus_written; ++c)
      if (cpus[c].flags & VMXB_CPU_VMXE) {
        std::printf("FUZZ error: CPU %u left with CR4.VMXE set\n", c);
        bad = 1;
      }
  }
  vmxb_run run{};
  run.size = sizeof(run);
  run.op = static_cast<uint16_t>(vmxb::core::OpId::kVmread);
  run.iterations = 4;
  run.samples_capacity = 4;
  run.samples_ptr = reinterpret_cast<uintptr_t>(g_samples);
  if (ioctl(fd, VMXB_IOC_RUN, &run) != 0 || run.status != VMXB_STATUS_OK || run.cr4_before != run.cr4_after) {
    std::printf("FUZZ error: valid RUN after the loop failed: errno=%d status=%u reason=%s\n", errno, run.status,
                run.reason);
    bad = 1;
  }
  // A buffer too small for the suite's lines: whole lines only, the rest
  // reported, not a byte past output_capacity.
  constexpr uint32_t kSmall = 200;
  std::memset(g_output, 0xA5, kSmall + 64);
  vmxb_semantics sem{};
  sem.size = sizeof(sem);
  sem.version = VMXB_SEMANTICS_VERSION;
  sem.flags = g_bochs ? VMXB_SEMANTICS_EMULATOR_BOCHS : 0;
  sem.output_ptr = reinterpret_cast<uintptr_t>(g_output);
  sem.output_capacity = kSmall;
  bool overflow = false;
  if (ioctl(fd, VMXB_IOC_SEMANTICS, &sem) != 0) {
    std::printf("FUZZ error: SEMANTICS with a %u-byte buffer: %s\n", kSmall, std::strerror(errno));
    bad = 1;
  } else {
    for (uint32_t i = kSmall; i < kSmall + 64; ++i) overflow = overflow || g_output[i] != 0xA5;
    const bool whole_lines = sem.output_written == 0 || g_output[sem.output_written - 1] == '\n';
    if (overflow || !(sem.result_flags & VMXB_SEMANTICS_TRUNCATED) || sem.output_written > kSmall ||
        sem.output_needed <= kSmall || !whole_lines || sem.cr4_before != sem.cr4_after) {
      std::printf("FUZZ error: SEMANTICS with a %u-byte buffer: written=%u needed=%u flags=%#x overflow=%d\n", kSmall,
                  sem.output_written, sem.output_needed, sem.result_flags, overflow);
      bad = 1;
    } else {
      std::printf("FUZZ semantics truncated: written=%u of needed=%u\n", sem.output_written, sem.output_needed);
    }
  }
  std::printf("FUZZ %s\n", bad ? "device damaged" : "device intact");
  return bad;
}
