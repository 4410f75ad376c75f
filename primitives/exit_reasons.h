// VM-exit reasons and the exit qualifications vmxbench decodes: one table,
// from which names, checks and tests are derived.
//
// Exit-reason field (28.2.1 "Basic VM-Exit Information"): bits 15:0 the basic exit reason (Vol. 3D Appendix C), bit 27 exit
// from enclave mode, bit 28 pending MTF, bit 29 exit from VMX root operation,
// bit 31 VM-entry failure (27.8). Reasons are numbered up to 79 in this
// edition; numbers missing from the table below are not assigned.
#pragma once

#include "primitives/types.h"

namespace vmxb {

struct ExitReasonInfo {
  u16 number;
  const char* name;
};

// Vol. 3D Appendix C "VMX Basic Exit Reasons" (325462-084US), every assigned number.
inline constexpr ExitReasonInfo kExitReasons[] = {
    {0, "exception or NMI"},
    {1, "external interrupt"},
    {2, "triple fault"},
    {3, "INIT signal"},
    {4, "start-up IPI"},
    {5, "I/O SMI"},
    {6, "other SMI"},
    {7, "interrupt window"},
    {8, "NMI window"},
    {9, "task switch"},
    {10, "CPUID"},
    {11, "GETSEC"},
    {12, "HLT"},
    {13, "INVD"},
    {14, "INVLPG"},
    {15, "RDPMC"},
    {16, "RDTSC"},
    {17, "RSM"},
    {18, "VMCALL"},
    {19, "VMCLEAR"},
    {20, "VMLAUNCH"},
    {21, "VMPTRLD"},
    {22, "VMPTRST"},
    {23, "VMREAD"},
    {24, "VMRESUME"},
    {25, "VMWRITE"},
    {26, "VMXOFF"},
    {27, "VMXON"},
    {28, "control-register access"},
    {29, "MOV DR"},
    {30, "I/O instruction"},
    {31, "RDMSR"},
    {32, "WRMSR"},
    {33, "VM-entry failure due to invalid guest state"},
    {34, "VM-entry failure due to MSR loading"},
    {36, "MWAIT"},
    {37, "monitor trap flag"},
    {39, "MONITOR"},
    {40, "PAUSE"},
    {41, "VM-entry failure due to machine-check event"},
    {43, "TPR below threshold"},
    {44, "APIC access"},
    {45, "virtualized EOI"},
    {46, "access to GDTR or IDTR"},
    {47, "access to LDTR or TR"},
    {48, "EPT violation"},
    {49, "EPT misconfiguration"},
    {50, "INVEPT"},
    {51, "RDTSCP"},
    {52, "VMX-preemption timer expired"},
    {53, "INVVPID"},
    {54, "WBINVD or WBNOINVD"},
    {55, "XSETBV"},
    {56, "APIC write"},
    {57, "RDRAND"},
    {58, "INVPCID"},
    {59, "VMFUNC"},
    {60, "ENCLS"},
    {61, "RDSEED"},
    {62, "page-modification log full"},
    {63, "XSAVES"},
    {64, "XRSTORS"},
    {65, "PCONFIG"},
    {66, "SPP-related event"},
    {67, "UMWAIT"},
    {68, "TPAUSE"},
    {69, "LOADIWKEY"},
    {70, "ENCLV"},
    {72, "ENQCMD PASID translation failure"},
    {73, "ENQCMDS PASID translation failure"},
    {74, "bus lock"},
    {75, "instruction timeout"},
    {76, "SEAMCALL"},
    {77, "TDCALL"},
    {78, "RDMSRLIST"},
    {79, "WRMSRLIST"},
};

static_assert([] {
  for (usize i = 1; i < array_size(kExitReasons); ++i)
    if (kExitReasons[i].number <= kExitReasons[i - 1].number) return false;
  return true;
}(), "kExitReasons is sorted by number, each number once");

// The basic exit reasons vmxbench's handlers act on, each checked against the table.
namespace exit_reason {
inline constexpr u16 kExceptionOrNmi = 0;
inline constexpr u16 kTripleFault = 2;
inline constexpr u16 kCpuid = 10;
inline constexpr u16 kHlt = 12;
inline constexpr u16 kVmcall = 18;
inline constexpr u16 kInvalidGuestState = 33;
inline constexpr u16 kMsrLoading = 34;
inline constexpr u16 kEptViolation = 48;
inline constexpr u16 kEptMisconfiguration = 49;
inline constexpr u16 kVmfunc = 59;
}  // namespace exit_reason

// The name of `value` in a table of {number, name} rows, or nullptr.
template <typename Row, usize N, typename V>
constexpr const char* name_in(const Row (&table)[N], V value) {
  for (const Row& r : table)
    if (r.number == value) return r.name;
  return nullptr;
}

// nullptr for an unassigned number.
constexpr const char* exit_reason_name(u32 basic) { return name_in(kExitReasons, basic); }
static_assert(streq(exit_reason_name(exit_reason::kVmcall), "VMCALL") &&
              streq(exit_reason_name(exit_reason::kCpuid), "CPUID") &&
              streq(exit_reason_name(exit_reason::kHlt), "HLT") &&
              streq(exit_reason_name(exit_reason::kInvalidGuestState),
                    "VM-entry failure due to invalid guest state") &&
              streq(exit_reason_name(exit_reason::kMsrLoading), "VM-entry failure due to MSR loading") &&
              streq(exit_reason_name(exit_reason::kEptViolation), "EPT violation") &&
              streq(exit_reason_name(exit_reason::kEptMisconfiguration), "EPT misconfiguration") &&
              streq(exit_reason_name(exit_reason::kVmfunc), "VMFUNC") &&
              streq(exit_reason_name(exit_reason::kExceptionOrNmi), "exception or NMI") &&
              streq(exit_reason_name(exit_reason::kTripleFault), "triple fault") &&
              exit_reason_name(35) == nullptr);

// The exit-reason field, split (see the file comment).
struct ExitReason {
  u32 raw;
  constexpr u16 basic() const { return static_cast<u16>(raw & 0xFFFF); }
  constexpr bool entry_failure() const { return bit_set(raw, 31); }
};

// Exit qualification of a VM-entry failure (exit reasons 33 and 34, 27.8
// "VM-Entry Failures During or After Loading Guest State"): for reason 34 the
// number of the failing MSR-load entry; for reason 33 one of these.
struct EntryFailureQualification {
  u64 number;
  const char* name;
};
inline constexpr EntryFailureQualification kEntryFailureQualifications[] = {
    {0, "default (no further information)"},
    {2, "failure loading the PDPTEs"},
    {3, "NMI injection with blocking by NMI"},
    {4, "invalid VMCS link pointer"},
};
constexpr const char* entry_failure_qualification_name(u64 q) { return name_in(kEntryFailureQualifications, q); }
static_assert(streq(entry_failure_qualification_name(4), "invalid VMCS link pointer") &&
              entry_failure_qualification_name(1) == nullptr);

// Exit qualification of an EPT violation (28.2.1, Table 28-7 "Exit
// Qualification for EPT Violations"), the bits vmxbench checks.
namespace ept_violation {
inline constexpr u64 kDataRead = bit(0);
inline constexpr u64 kDataWrite = bit(1);
inline constexpr u64 kInstructionFetch = bit(2);
inline constexpr u64 kReadable = bit(3);    // the GPA was readable (AND of the walk's read bits)
inline constexpr u64 kWritable = bit(4);
inline constexpr u64 kExecutable = bit(5);
inline constexpr u64 kLinearAddressValid = bit(7);  // the guest-linear-address field is valid
inline constexpr u64 kTranslatedAccess = bit(8);    // (bit 7 set) the access was to the translated address
}  // namespace ept_violation

}  // namespace vmxb
