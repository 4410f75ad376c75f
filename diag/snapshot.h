// What diag knows about one machine before any decoding: who the CPU is and
// the raw capability MSR values of every CPU it could read. Every source (live
// host, /proc/cpuinfo, dump file, Bochs boot image) produces a Snapshot; the
// decoder, the checks and the verdicts only ever look at a Snapshot, so a dump
// taken elsewhere is diagnosed exactly like the live machine.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "primitives/types.h"

namespace vmxb::diag {

// Version of the JSON documents diag writes and reads (dump and report);
// diag/SCHEMA.md describes it. Bump on any incompatible change.
inline constexpr int kSchemaVersion = 1;
inline constexpr const char* kSchemaName = "vmxbench-diag";

enum class SourceKind { kLive, kCpuinfo, kBochs };

const char* source_kind_name(SourceKind kind);
std::optional<SourceKind> source_kind_from_name(const std::string& name);

struct Identity {
  std::string vendor;  // CPUID.0 vendor string, e.g. "GenuineIntel"
  std::string brand;   // CPUID.80000002h-80000004h, may be empty
  int family = 0;      // display family (base + extended), as /proc/cpuinfo shows it
  int model = 0;       // display model (extended << 4 | base)
  int stepping = 0;
  std::optional<u32> microcode;  // IA32_BIOS_SIGN_ID[63:32] as the kernel reports it
  bool vmx = false;         // CPUID.1:ECX[5]  (SDM Vol. 3C 24.6 "Discovering support for VMX")
  bool smx = false;         // CPUID.1:ECX[6]  (IA32_FEATURE_CONTROL exists if VMX or SMX)
  bool hypervisor = false;  // CPUID.1:ECX[31] (reserved for hypervisor use; 0 on bare metal)
  std::string hypervisor_signature;  // CPUID.40000000h EBX:ECX:EDX, e.g. "KVMKVMKVM"
  std::string hypervisor_name;       // libcpuid's classification, e.g. "KVM"
  bool long_mode = false;  // CPUID.80000001h:EDX[29]: IA32_VMX_BASIC[48] must then be 0 (A.1)
  bool nx = false;         // CPUID.80000001h:EDX[20]: KVM needs it when EPT is off
  int maxphyaddr = 0;      // CPUID.80000008h:EAX[7:0], 0 if unknown
};

enum class MsrStatus {
  kOk,       // read, value valid
  kFault,    // RDMSR raised #GP (the MSR does not exist)
  kError,    // could not be read for another reason (driver error)
};

const char* msr_status_name(MsrStatus status);

struct MsrRead {
  u32 index = 0;
  MsrStatus status = MsrStatus::kOk;
  u64 value = 0;      // valid when status == kOk
  std::string error;  // kError: why
};

struct CpuState {
  int cpu = 0;                  // OS CPU number (Bochs: 0)
  std::vector<MsrRead> msrs;    // only MSRs that were attempted, in index order
  std::vector<std::string> vmx_flags;  // /proc/cpuinfo "vmx flags" (cpuinfo source)
  std::optional<u32> microcode;        // per-CPU microcode revision when known

  const MsrRead* find(u32 index) const;
  // The value when the MSR was read successfully.
  std::optional<u64> value(u32 index) const;
};

struct Snapshot {
  SourceKind source = SourceKind::kLive;
  std::string source_detail;  // Bochs model, host name, ...
  std::string from_file;      // set when read with --from (not serialized)
  Identity identity;
  bool msrs_available = false;  // capability MSRs could be read (ring 0 or msr driver)
  std::string msr_error;        // why not
  // /proc/cpuinfo "vmx" in "flags": Linux clears it when IA32_FEATURE_CONTROL
  // does not enable VMX (arch/x86/kernel/cpu/feat_ctl.c). Unknown elsewhere.
  std::optional<bool> os_vmx_flag;
  std::vector<CpuState> cpus;
  std::vector<std::string> notes;  // remarks of the source (e.g. Bochs deviations)
};

}  // namespace vmxb::diag
