// Parses the boot image's result lines (harness/PROTOCOL.md) into data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmxb::harness {

struct ImageCpu {
  std::string vendor;
  unsigned family = 0, model = 0, stepping = 0, maxphyaddr = 0;
  bool long_mode = false, vmx = false, hypervisor = false, rdtscp = false;
};

struct CpuidReading {
  uint32_t leaf, subleaf, eax, ebx, ecx, edx;
};

struct TestResult {
  std::string verdict;  // PASS, FAIL, SKIP, KNOWN, OBSERVED
  std::string name;
  std::string detail;
};

struct Summary {
  unsigned tests = 0, failures = 0, skipped = 0, known = 0;
};

struct OpResult {
  std::string name;
  std::string status;  // core::op_status_name() or "fault"
  uint32_t vm_error = 0;
  uint32_t iterations = 0, warmup = 0;
  std::string reason;
  unsigned pages = 0;  // the guest pages a touch row touched (0: not a touch row, or an older image)
  std::vector<uint64_t> samples;
  // The touch rows' other series (COUNTER lines): warm, refill, collateral.
  std::map<std::string, std::vector<uint64_t>> counters;
  // The CHUNKS line: core::kChunkFieldNames and kCounterSourceNames -> value.
  std::map<std::string, std::string> chunks;
};

struct ImageReport {
  int protocol_version = 0;
  std::optional<ImageCpu> cpu;
  std::vector<CpuidReading> cpuid;
  std::map<uint32_t, std::optional<uint64_t>> msrs;  // nullopt: RDMSR raised #GP
  std::map<int, uint64_t> control_registers;
  std::vector<TestResult> tests;
  std::optional<Summary> summary;
  std::vector<OpResult> ops;
  std::string timing_end;     // "rdtscp" or "lfence-rdtsc"
  std::string vmx_unusable;   // why VMX could not be entered, if it could not
  std::map<std::string, std::string> measurement;  // MEASUREMENT lines: fact -> value or "unavailable: ..."
  std::vector<std::string> exceptions;
  std::string plan_error;
  bool end_seen = false, end_ok = false;
  std::string end_reason;
  std::vector<std::string> malformed;  // lines that did not parse
};

ImageReport parse_image_output(const std::vector<std::string>& lines);

}  // namespace vmxb::harness
