// VMX capability MSRs as data (SDM Vol. 3C, Appendix A "VMX Capability
// Reporting Facility", and Vol. 4 for IA32_FEATURE_CONTROL).
//
// One table per MSR names every documented bit and multi-bit field. The
// harness gates operations on these bits; diag decodes, prints and checks
// them; the tests compare them with values Bochs reports. Nothing else in the
// project spells a capability bit number.
#pragma once

#include "primitives/types.h"

namespace vmxb {

namespace msr {
inline constexpr u32 kFeatureControl = 0x3A;
inline constexpr u32 kVmxBasic = 0x480;
inline constexpr u32 kVmxPinbasedCtls = 0x481;
inline constexpr u32 kVmxProcbasedCtls = 0x482;
inline constexpr u32 kVmxExitCtls = 0x483;
inline constexpr u32 kVmxEntryCtls = 0x484;
inline constexpr u32 kVmxMisc = 0x485;
inline constexpr u32 kVmxCr0Fixed0 = 0x486;
inline constexpr u32 kVmxCr0Fixed1 = 0x487;
inline constexpr u32 kVmxCr4Fixed0 = 0x488;
inline constexpr u32 kVmxCr4Fixed1 = 0x489;
inline constexpr u32 kVmxVmcsEnum = 0x48A;
inline constexpr u32 kVmxProcbasedCtls2 = 0x48B;
inline constexpr u32 kVmxEptVpidCap = 0x48C;
inline constexpr u32 kVmxTruePinbasedCtls = 0x48D;
inline constexpr u32 kVmxTrueProcbasedCtls = 0x48E;
inline constexpr u32 kVmxTrueExitCtls = 0x48F;
inline constexpr u32 kVmxTrueEntryCtls = 0x490;
inline constexpr u32 kVmxVmfunc = 0x491;
inline constexpr u32 kVmxProcbasedCtls3 = 0x492;
inline constexpr u32 kVmxExitCtls2 = 0x493;
}  // namespace msr

struct BitName {
  u8 bit;
  const char* name;
};

struct FieldName {
  u8 hi;
  u8 lo;
  const char* name;
};

struct BitTable {
  const BitName* data = nullptr;
  usize size = 0;
  constexpr const BitName* begin() const { return data; }
  constexpr const BitName* end() const { return data + size; }
};

struct FieldTable {
  const FieldName* data = nullptr;
  usize size = 0;
  constexpr const FieldName* begin() const { return data; }
  constexpr const FieldName* end() const { return data + size; }
};

template <usize N>
constexpr BitTable table(const BitName (&bits)[N]) { return {bits, N}; }
template <usize N>
constexpr FieldTable table(const FieldName (&fields)[N]) { return {fields, N}; }

// IA32_FEATURE_CONTROL (Vol. 4, Table 2-2).
namespace feature_control {
inline constexpr u64 kLock = bit(0);
inline constexpr u64 kVmxInsideSmx = bit(1);
inline constexpr u64 kVmxOutsideSmx = bit(2);
}  // namespace feature_control

inline constexpr BitName kFeatureControlBits[] = {
    {0, "Lock bit"},
    {1, "Enable VMX inside SMX operation"},
    {2, "Enable VMX outside SMX operation"},
    {15, "SENTER global enable"},
    {17, "SGX launch control enable"},
    {18, "SGX global enable"},
    {20, "LMCE on"},
};
inline constexpr FieldName kFeatureControlFields[] = {
    {14, 8, "SENTER local function enables"},
};

// IA32_VMX_BASIC (A.1).
namespace basic {
inline constexpr u64 kRevisionIdMask = bit_range(30, 0);
inline constexpr u64 kReservedBit31 = bit(31);
constexpr u32 vmcs_size(u64 basic) { return static_cast<u32>((basic >> 32) & 0x1FFF); }
constexpr u32 memory_type(u64 basic) { return static_cast<u32>((basic >> 50) & 0xF); }
inline constexpr u64 kTrueControls = bit(55);
}  // namespace basic

inline constexpr BitName kBasicBits[] = {
    {48, "Physical addresses limited to 32 bits"},
    {49, "Dual-monitor treatment of SMIs and SMM"},
    {54, "INS/OUTS exit information"},
    {55, "TRUE capability MSRs (default1 controls may be 0)"},
    {56, "Exception injection without error code"},
};
inline constexpr FieldName kBasicFields[] = {
    {30, 0, "VMCS revision identifier"},
    {44, 32, "VMCS region size"},
    {53, 50, "VMCS memory type"},
};

// Pin-based VM-execution controls (Table 25-5).
inline constexpr BitName kPinBasedBits[] = {
    {0, "External-interrupt exiting"},
    {3, "NMI exiting"},
    {5, "Virtual NMIs"},
    {6, "Activate VMX-preemption timer"},
    {7, "Process posted interrupts"},
};

// Primary processor-based VM-execution controls (Table 25-6).
inline constexpr BitName kPrimaryProcBasedBits[] = {
    {2, "Interrupt-window exiting"},  {3, "Use TSC offsetting"},
    {7, "HLT exiting"},               {9, "INVLPG exiting"},
    {10, "MWAIT exiting"},            {11, "RDPMC exiting"},
    {12, "RDTSC exiting"},            {15, "CR3-load exiting"},
    {16, "CR3-store exiting"},        {17, "Activate tertiary controls"},
    {19, "CR8-load exiting"},         {20, "CR8-store exiting"},
    {21, "Use TPR shadow"},           {22, "NMI-window exiting"},
    {23, "MOV-DR exiting"},           {24, "Unconditional I/O exiting"},
    {25, "Use I/O bitmaps"},          {27, "Monitor trap flag"},
    {28, "Use MSR bitmaps"},          {29, "MONITOR exiting"},
    {30, "PAUSE exiting"},            {31, "Activate secondary controls"},
};

// Secondary processor-based VM-execution controls (Table 25-7).
namespace secondary {
inline constexpr u32 kEnableEpt = 1;
inline constexpr u32 kEnableVpid = 5;
inline constexpr u32 kUnrestrictedGuest = 7;
inline constexpr u32 kEnableVmFunctions = 13;
}  // namespace secondary

inline constexpr BitName kSecondaryProcBasedBits[] = {
    {0, "Virtualize APIC accesses"},
    {1, "Enable EPT"},
    {2, "Descriptor-table exiting"},
    {3, "Enable RDTSCP"},
    {4, "Virtualize x2APIC mode"},
    {5, "Enable VPID"},
    {6, "WBINVD exiting"},
    {7, "Unrestricted guest"},
    {8, "APIC-register virtualization"},
    {9, "Virtual-interrupt delivery"},
    {10, "PAUSE-loop exiting"},
    {11, "RDRAND exiting"},
    {12, "Enable INVPCID"},
    {13, "Enable VM functions"},
    {14, "VMCS shadowing"},
    {15, "Enable ENCLS exiting"},
    {16, "RDSEED exiting"},
    {17, "Enable PML"},
    {18, "EPT-violation #VE"},
    {19, "Conceal VMX from PT"},
    {20, "Enable XSAVES/XRSTORS"},
    {22, "Mode-based execute control for EPT"},
    {23, "Sub-page write permissions for EPT"},
    {24, "Intel PT uses guest physical addresses"},
    {25, "Use TSC scaling"},
    {26, "Enable user wait and pause"},
    {27, "Enable PCONFIG"},
    {28, "Enable ENCLV exiting"},
    {30, "VMM bus-lock detection"},
    {31, "Instruction timeout"},
};

// Tertiary processor-based VM-execution controls (Table 25-8); IA32_VMX_PROCBASED_CTLS3
// reports 64 allowed-1 bits and no allowed-0 half (A.3.4).
inline constexpr BitName kTertiaryProcBasedBits[] = {
    {0, "LOADIWKEY exiting"},
    {1, "Enable HLAT"},
    {2, "EPT paging-write control"},
    {3, "Guest-paging verification"},
    {4, "IPI virtualization"},
    {7, "Virtualize IA32_SPEC_CTRL"},
};

// Primary VM-exit controls (Table 25-13).
inline constexpr BitName kExitBits[] = {
    {2, "Save debug controls"},
    {9, "Host address-space size"},
    {12, "Load IA32_PERF_GLOBAL_CTRL"},
    {15, "Acknowledge interrupt on exit"},
    {18, "Save IA32_PAT"},
    {19, "Load IA32_PAT"},
    {20, "Save IA32_EFER"},
    {21, "Load IA32_EFER"},
    {22, "Save VMX-preemption timer value"},
    {23, "Clear IA32_BNDCFGS"},
    {24, "Conceal VMX from PT"},
    {25, "Clear IA32_RTIT_CTL"},
    {26, "Clear IA32_LBR_CTL"},
    {27, "Clear UINV"},
    {28, "Load CET state"},
    {29, "Load PKRS"},
    {30, "Save IA32_PERF_GLOBAL_CTL"},
    {31, "Activate secondary controls"},
};

// VM-entry controls (Table 25-15).
inline constexpr BitName kEntryBits[] = {
    {2, "Load debug controls"},
    {9, "IA-32e mode guest"},
    {10, "Entry to SMM"},
    {11, "Deactivate dual-monitor treatment"},
    {13, "Load IA32_PERF_GLOBAL_CTRL"},
    {14, "Load IA32_PAT"},
    {15, "Load IA32_EFER"},
    {16, "Load IA32_BNDCFGS"},
    {17, "Conceal VMX from PT"},
    {18, "Load IA32_RTIT_CTL"},
    {19, "Load UINV"},
    {20, "Load CET state"},
    {21, "Load guest IA32_LBR_CTL"},
    {22, "Load PKRS"},
};

// Default1 controls (A.2): reserved bits that the legacy capability MSRs report
// as fixed to 1 and that the TRUE MSRs may allow to be 0.
inline constexpr u32 kPinBasedDefault1 = 0x00000016;
inline constexpr u32 kProcBasedDefault1 = 0x0401E172;
inline constexpr u32 kExitDefault1 = 0x00036DFF;
inline constexpr u32 kEntryDefault1 = 0x000011FF;

// IA32_VMX_MISC (A.6).
namespace misc {
inline constexpr u64 kVmwriteAnyField = bit(29);
}  // namespace misc

inline constexpr BitName kMiscBits[] = {
    {5, "Store EFER.LMA into IA-32e mode guest control"},
    {6, "HLT activity state"},
    {7, "Shutdown activity state"},
    {8, "Wait-for-SIPI activity state"},
    {14, "Intel PT in VMX operation"},
    {15, "IA32_SMBASE readable in SMM"},
    {28, "IA32_SMM_MONITOR_CTL bit 2 can be set"},
    {29, "VMWRITE to any supported field"},
    {30, "Injection of zero-length events"},
};
inline constexpr FieldName kMiscFields[] = {
    {4, 0, "TSC to VMX-preemption timer ratio (log2)"},
    {24, 16, "Number of CR3-target values"},
    {27, 25, "MSR-list maximum size (512 * (N + 1))"},
    {63, 32, "MSEG revision identifier"},
};

// IA32_VMX_VMCS_ENUM (A.9).
inline constexpr FieldName kVmcsEnumFields[] = {
    {9, 1, "Highest index value in VMCS field encodings"},
};

// IA32_VMX_EPT_VPID_CAP (A.10).
namespace ept_vpid_cap {
inline constexpr u64 kExecuteOnly = bit(0);
inline constexpr u64 kPageWalkLength4 = bit(6);
inline constexpr u64 kPageWalkLength5 = bit(7);
inline constexpr u64 kMemoryTypeUc = bit(8);
inline constexpr u64 kMemoryTypeWb = bit(14);
inline constexpr u64 kPde2MbPages = bit(16);
inline constexpr u64 kPdpte1GbPages = bit(17);
inline constexpr u64 kInvept = bit(20);
inline constexpr u64 kAccessedDirtyFlags = bit(21);
inline constexpr u64 kAdvancedExitInfo = bit(22);
inline constexpr u64 kSupervisorShadowStack = bit(23);
inline constexpr u64 kInveptSingleContext = bit(25);
inline constexpr u64 kInveptAllContext = bit(26);
inline constexpr u64 kInvvpid = bit(32);
inline constexpr u64 kInvvpidIndividualAddress = bit(40);
inline constexpr u64 kInvvpidSingleContext = bit(41);
inline constexpr u64 kInvvpidAllContext = bit(42);
inline constexpr u64 kInvvpidSingleContextRetainingGlobals = bit(43);
}  // namespace ept_vpid_cap

inline constexpr BitName kEptVpidCapBits[] = {
    {0, "Execute-only EPT translations"},
    {6, "Page-walk length 4"},
    {7, "Page-walk length 5"},
    {8, "EPT paging-structure memory type UC"},
    {14, "EPT paging-structure memory type WB"},
    {16, "2-MByte EPT pages"},
    {17, "1-GByte EPT pages"},
    {20, "INVEPT supported"},
    {21, "EPT accessed and dirty flags"},
    {22, "Advanced VM-exit information for EPT violations"},
    {23, "Supervisor shadow-stack control"},
    {25, "Single-context INVEPT"},
    {26, "All-context INVEPT"},
    {32, "INVVPID supported"},
    {40, "Individual-address INVVPID"},
    {41, "Single-context INVVPID"},
    {42, "All-context INVVPID"},
    {43, "Single-context-retaining-globals INVVPID"},
};
inline constexpr FieldName kEptVpidCapFields[] = {
    {53, 48, "Maximum HLAT prefix size"},
};

// IA32_VMX_VMFUNC (A.11): a plain bitmap of allowed VM functions.
inline constexpr BitName kVmfuncBits[] = {
    {0, "EPTP switching"},
};

// CR0/CR4 bits named for the fixed-bit MSRs (A.7, A.8).
inline constexpr BitName kCr0Bits[] = {
    {0, "PE"}, {1, "MP"}, {2, "EM"}, {3, "TS"}, {4, "ET"}, {5, "NE"},
    {16, "WP"}, {18, "AM"}, {29, "NW"}, {30, "CD"}, {31, "PG"},
};
inline constexpr BitName kCr4Bits[] = {
    {0, "VME"},         {1, "PVI"},       {2, "TSD"},  {3, "DE"},   {4, "PSE"},
    {5, "PAE"},         {6, "MCE"},       {7, "PGE"},  {8, "PCE"},  {9, "OSFXSR"},
    {10, "OSXMMEXCPT"}, {11, "UMIP"},     {12, "LA57"}, {13, "VMXE"}, {14, "SMXE"},
    {16, "FSGSBASE"},   {17, "PCIDE"},    {18, "OSXSAVE"}, {19, "KL"}, {20, "SMEP"},
    {21, "SMAP"},       {22, "PKE"},      {23, "CET"}, {24, "PKS"}, {25, "UINTR"},
};

// How an MSR's 64 bits are laid out.
enum class MsrLayout : u8 {
  kFeatureControl,
  kBasic,
  kControls,         // allowed-0 settings in bits 31:0, allowed-1 settings in 63:32 (A.3)
  kAllowed1Only,     // 64 allowed-1 bits, no allowed-0 half (PROCBASED_CTLS3, EXIT_CTLS2)
  kBitmap,           // a plain bitmap (VMFUNC)
  kMisc,
  kFixed0,           // CRx bits that must be 1 in VMX operation
  kFixed1,           // CRx bits that may be 1 in VMX operation
  kVmcsEnum,
  kEptVpidCap,
};

struct VmxMsrInfo {
  u32 index;
  const char* name;
  MsrLayout layout;
  BitTable bits;
  FieldTable fields = {};
  u32 default1 = 0;           // kControls: the default1 class (A.2)
  u32 true_counterpart = 0;   // legacy control MSR -> its TRUE MSR
  // The capability that makes the MSR exist (SDM A.1-A.11): an MSR index whose
  // allowed-1 bit or BASIC bit must be set, 0 = always present with VMX.
  u32 present_if_msr = 0;
  u64 present_if_mask = 0;
};

// Allowed-1 bits are the high half of a kControls MSR.
inline constexpr u64 kAllowed1Shift = 32;

inline constexpr VmxMsrInfo kVmxMsrs[] = {
    {msr::kFeatureControl, "IA32_FEATURE_CONTROL", MsrLayout::kFeatureControl,
     table(kFeatureControlBits), table(kFeatureControlFields)},
    {msr::kVmxBasic, "IA32_VMX_BASIC", MsrLayout::kBasic, table(kBasicBits), table(kBasicFields)},
    {msr::kVmxPinbasedCtls, "IA32_VMX_PINBASED_CTLS", MsrLayout::kControls, table(kPinBasedBits), {},
     kPinBasedDefault1, msr::kVmxTruePinbasedCtls},
    {msr::kVmxProcbasedCtls, "IA32_VMX_PROCBASED_CTLS", MsrLayout::kControls,
     table(kPrimaryProcBasedBits), {}, kProcBasedDefault1, msr::kVmxTrueProcbasedCtls},
    {msr::kVmxExitCtls, "IA32_VMX_EXIT_CTLS", MsrLayout::kControls, table(kExitBits), {},
     kExitDefault1, msr::kVmxTrueExitCtls},
    {msr::kVmxEntryCtls, "IA32_VMX_ENTRY_CTLS", MsrLayout::kControls, table(kEntryBits), {},
     kEntryDefault1, msr::kVmxTrueEntryCtls},
    {msr::kVmxMisc, "IA32_VMX_MISC", MsrLayout::kMisc, table(kMiscBits), table(kMiscFields)},
    {msr::kVmxCr0Fixed0, "IA32_VMX_CR0_FIXED0", MsrLayout::kFixed0, table(kCr0Bits)},
    {msr::kVmxCr0Fixed1, "IA32_VMX_CR0_FIXED1", MsrLayout::kFixed1, table(kCr0Bits)},
    {msr::kVmxCr4Fixed0, "IA32_VMX_CR4_FIXED0", MsrLayout::kFixed0, table(kCr4Bits)},
    {msr::kVmxCr4Fixed1, "IA32_VMX_CR4_FIXED1", MsrLayout::kFixed1, table(kCr4Bits)},
    {msr::kVmxVmcsEnum, "IA32_VMX_VMCS_ENUM", MsrLayout::kVmcsEnum, {}, table(kVmcsEnumFields)},
    {msr::kVmxProcbasedCtls2, "IA32_VMX_PROCBASED_CTLS2", MsrLayout::kControls,
     table(kSecondaryProcBasedBits), {}, 0, 0, msr::kVmxProcbasedCtls, bit(31 + kAllowed1Shift)},
    {msr::kVmxEptVpidCap, "IA32_VMX_EPT_VPID_CAP", MsrLayout::kEptVpidCap, table(kEptVpidCapBits),
     table(kEptVpidCapFields), 0, 0, msr::kVmxProcbasedCtls2,
     bit(secondary::kEnableEpt + kAllowed1Shift) | bit(secondary::kEnableVpid + kAllowed1Shift)},
    {msr::kVmxTruePinbasedCtls, "IA32_VMX_TRUE_PINBASED_CTLS", MsrLayout::kControls,
     table(kPinBasedBits), {}, 0, 0, msr::kVmxBasic, basic::kTrueControls},
    {msr::kVmxTrueProcbasedCtls, "IA32_VMX_TRUE_PROCBASED_CTLS", MsrLayout::kControls,
     table(kPrimaryProcBasedBits), {}, 0, 0, msr::kVmxBasic, basic::kTrueControls},
    {msr::kVmxTrueExitCtls, "IA32_VMX_TRUE_EXIT_CTLS", MsrLayout::kControls, table(kExitBits), {}, 0,
     0, msr::kVmxBasic, basic::kTrueControls},
    {msr::kVmxTrueEntryCtls, "IA32_VMX_TRUE_ENTRY_CTLS", MsrLayout::kControls, table(kEntryBits),
     {}, 0, 0, msr::kVmxBasic, basic::kTrueControls},
    {msr::kVmxVmfunc, "IA32_VMX_VMFUNC", MsrLayout::kBitmap, table(kVmfuncBits), {}, 0, 0,
     msr::kVmxProcbasedCtls2, bit(secondary::kEnableVmFunctions + kAllowed1Shift)},
    {msr::kVmxProcbasedCtls3, "IA32_VMX_PROCBASED_CTLS3", MsrLayout::kAllowed1Only,
     table(kTertiaryProcBasedBits), {}, 0, 0, msr::kVmxProcbasedCtls, bit(17 + kAllowed1Shift)},
    {msr::kVmxExitCtls2, "IA32_VMX_EXIT_CTLS2", MsrLayout::kAllowed1Only, {}, {}, 0, 0,
     msr::kVmxExitCtls, bit(31 + kAllowed1Shift)},
};

constexpr const VmxMsrInfo* find_vmx_msr(u32 index) {
  for (const auto& info : kVmxMsrs)
    if (info.index == index) return &info;
  return nullptr;
}

// A control MSR allows a control to be 1 when its allowed-1 bit is set (A.3).
constexpr bool control_allowed1(u64 msr_value, unsigned control_bit) {
  return (msr_value >> (kAllowed1Shift + control_bit)) & 1;
}

static_assert(array_size(kVmxMsrs) == 21, "0x3A plus 0x480..0x493");
static_assert([] {
  for (usize i = 1; i < array_size(kVmxMsrs); ++i)
    if (kVmxMsrs[i].index != msr::kVmxBasic + (i - 1)) return false;
  return true;
}(), "kVmxMsrs lists 0x480..0x493 in order after IA32_FEATURE_CONTROL");

}  // namespace vmxb
