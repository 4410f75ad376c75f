// VMX capability MSRs as data (SDM Vol. 3C, Appendix A "VMX Capability
// Reporting Facility", and Vol. 4 Table 2-2 for IA32_FEATURE_CONTROL).
//
// Every bit of every MSR is either a named handle (a CapBit, a FieldName or,
// for the fixed-bit MSRs, a CrBit), or listed as reserved with the reason.
// The gating in core/, the image and the kernel module test the handles; diag
// decodes, prints and checks with the tables built from the same handles;
// //tools/ci:capability_bits_spelled_once_test fails if a capability bit
// number is spelled anywhere outside primitives/.
//
// Names follow the SDM's tables (order number 326019, Vol. 3C Tables 25-5 to
// 25-15 for the controls, Appendix A for the MSRs). Bits the SDM's tables
// leave out are reserved.
#pragma once

#include "primitives/control_registers.h"
#include "primitives/msr_index.h"
#include "primitives/named_bits.h"
#include "primitives/types.h"
#include "primitives/vmx_controls.h"

namespace vmxb {

using BitTable = Span<CapBit>;
using FieldTable = Span<FieldName>;

// IA32_FEATURE_CONTROL (Vol. 4, Table 2-2).
namespace feature_control {
inline constexpr CapBit kLock{msr::kFeatureControl, 0, "Lock bit"};
inline constexpr CapBit kVmxInsideSmx{msr::kFeatureControl, 1, "Enable VMX inside SMX operation"};
inline constexpr CapBit kVmxOutsideSmx{msr::kFeatureControl, 2, "Enable VMX outside SMX operation"};
inline constexpr FieldName kSenterLocalEnables{14, 8, "SENTER local function enables"};
inline constexpr CapBit kSenterGlobalEnable{msr::kFeatureControl, 15, "SENTER global enable"};
inline constexpr CapBit kSgxLaunchControl{msr::kFeatureControl, 17, "SGX launch control enable"};
inline constexpr CapBit kSgxGlobalEnable{msr::kFeatureControl, 18, "SGX global enable"};
inline constexpr CapBit kLmceOn{msr::kFeatureControl, 20, "LMCE on"};
}  // namespace feature_control

inline constexpr CapBit kFeatureControlBits[] = {
    feature_control::kLock,          feature_control::kVmxInsideSmx,     feature_control::kVmxOutsideSmx,
    feature_control::kSenterGlobalEnable, feature_control::kSgxLaunchControl, feature_control::kSgxGlobalEnable,
    feature_control::kLmceOn,
};
inline constexpr FieldName kFeatureControlFields[] = {feature_control::kSenterLocalEnables};
inline constexpr ReservedBits kFeatureControlReserved[] = {{7, 3}, {16, 16}, {19, 19}, {63, 21}};

// IA32_VMX_BASIC (A.1).
namespace basic {
inline constexpr FieldName kRevisionId{30, 0, "VMCS revision identifier"};
inline constexpr ReservedBits kBit31{31, 31, ReservedKind::kAlwaysZero};
inline constexpr FieldName kVmcsRegionSize{44, 32, "VMCS region size"};
inline constexpr CapBit kAddresses32{msr::kVmxBasic, 48, "Physical addresses limited to 32 bits"};
inline constexpr CapBit kDualMonitor{msr::kVmxBasic, 49, "Dual-monitor treatment of SMIs and SMM"};
inline constexpr FieldName kVmcsMemoryType{53, 50, "VMCS memory type"};
inline constexpr CapBit kInsOutsInfo{msr::kVmxBasic, 54, "INS/OUTS exit information"};
inline constexpr CapBit kTrueControls{msr::kVmxBasic, 55, "TRUE capability MSRs (default1 controls may be 0)"};
inline constexpr CapBit kNoErrorCodeInjection{msr::kVmxBasic, 56, "Exception injection without error code"};

inline constexpr u64 kRevisionIdMask = kRevisionId.mask();
inline constexpr u64 kReservedBit31 = kBit31.mask();
constexpr u32 vmcs_size(u64 basic) { return static_cast<u32>(kVmcsRegionSize.value(basic)); }
constexpr u32 memory_type(u64 basic) { return static_cast<u32>(kVmcsMemoryType.value(basic)); }
}  // namespace basic

inline constexpr CapBit kBasicBits[] = {basic::kAddresses32, basic::kDualMonitor, basic::kInsOutsInfo,
                                        basic::kTrueControls, basic::kNoErrorCodeInjection};
inline constexpr FieldName kBasicFields[] = {basic::kRevisionId, basic::kVmcsRegionSize, basic::kVmcsMemoryType};
namespace basic {
inline constexpr ReservedBits kReservedAboveRegionSize{47, 45};
inline constexpr ReservedBits kReservedTop{63, 57};
}  // namespace basic
inline constexpr ReservedBits kBasicReserved[] = {basic::kBit31, basic::kReservedAboveRegionSize,
                                                  basic::kReservedTop};

// IA32_VMX_MISC (A.6).
namespace misc {
inline constexpr FieldName kPreemptionTimerRatio{4, 0, "TSC to VMX-preemption timer ratio (log2)"};
inline constexpr CapBit kStoresLma{msr::kVmxMisc, 5, "Store EFER.LMA into IA-32e mode guest control"};
inline constexpr CapBit kHltActivity{msr::kVmxMisc, 6, "HLT activity state"};
inline constexpr CapBit kShutdownActivity{msr::kVmxMisc, 7, "Shutdown activity state"};
inline constexpr CapBit kWaitForSipiActivity{msr::kVmxMisc, 8, "Wait-for-SIPI activity state"};
inline constexpr CapBit kPtInVmx{msr::kVmxMisc, 14, "Intel PT in VMX operation"};
inline constexpr CapBit kSmbaseReadable{msr::kVmxMisc, 15, "IA32_SMBASE readable in SMM"};
inline constexpr FieldName kCr3TargetCount{24, 16, "Number of CR3-target values"};
inline constexpr FieldName kMsrListSize{27, 25, "MSR-list maximum size (512 * (N + 1))"};
inline constexpr CapBit kSmmMonitorCtlBit2{msr::kVmxMisc, 28, "IA32_SMM_MONITOR_CTL bit 2 can be set"};
inline constexpr CapBit kVmwriteAnyField{msr::kVmxMisc, 29, "VMWRITE to any supported field"};
inline constexpr CapBit kZeroLengthInjection{msr::kVmxMisc, 30, "Injection of zero-length events"};
inline constexpr FieldName kMsegRevision{63, 32, "MSEG revision identifier"};
}  // namespace misc

inline constexpr CapBit kMiscBits[] = {
    misc::kStoresLma, misc::kHltActivity,       misc::kShutdownActivity,     misc::kWaitForSipiActivity,
    misc::kPtInVmx,   misc::kSmbaseReadable,    misc::kSmmMonitorCtlBit2,    misc::kVmwriteAnyField,
    misc::kZeroLengthInjection,
};
inline constexpr FieldName kMiscFields[] = {misc::kPreemptionTimerRatio, misc::kCr3TargetCount, misc::kMsrListSize,
                                            misc::kMsegRevision};
namespace misc {
// Real Core 2 processors set the lowest bit of this range (a known deviation).
inline constexpr ReservedBits kReservedAboveActivityStates{13, 9};
inline constexpr ReservedBits kReservedBelowMseg{31, 31};
}  // namespace misc
inline constexpr ReservedBits kMiscReserved[] = {misc::kReservedAboveActivityStates, misc::kReservedBelowMseg};

// IA32_VMX_VMCS_ENUM (A.9).
namespace vmcs_enum {
inline constexpr FieldName kHighestIndex{9, 1, "Highest index value in VMCS field encodings"};
}  // namespace vmcs_enum

inline constexpr FieldName kVmcsEnumFields[] = {vmcs_enum::kHighestIndex};
namespace vmcs_enum {
inline constexpr ReservedBits kReservedBit0{0, 0};
inline constexpr ReservedBits kReservedTop{63, 10};
}  // namespace vmcs_enum
inline constexpr ReservedBits kVmcsEnumReserved[] = {vmcs_enum::kReservedBit0, vmcs_enum::kReservedTop};

// IA32_VMX_EPT_VPID_CAP (A.10).
namespace ept_vpid_cap {
constexpr CapBit cap(u8 bit, const char* name) { return {msr::kVmxEptVpidCap, bit, name}; }
inline constexpr CapBit kExecuteOnly = cap(0, "Execute-only EPT translations");
inline constexpr CapBit kPageWalkLength4 = cap(6, "Page-walk length 4");
inline constexpr CapBit kPageWalkLength5 = cap(7, "Page-walk length 5");
inline constexpr CapBit kMemoryTypeUc = cap(8, "EPT paging-structure memory type UC");
inline constexpr CapBit kMemoryTypeWb = cap(14, "EPT paging-structure memory type WB");
inline constexpr CapBit kPde2MbPages = cap(16, "2-MByte EPT pages");
inline constexpr CapBit kPdpte1GbPages = cap(17, "1-GByte EPT pages");
inline constexpr CapBit kInvept = cap(20, "INVEPT supported");
inline constexpr CapBit kAccessedDirtyFlags = cap(21, "EPT accessed and dirty flags");
inline constexpr CapBit kAdvancedExitInfo = cap(22, "Advanced VM-exit information for EPT violations");
inline constexpr CapBit kSupervisorShadowStack = cap(23, "Supervisor shadow-stack control");
inline constexpr CapBit kInveptSingleContext = cap(25, "Single-context INVEPT");
inline constexpr CapBit kInveptAllContext = cap(26, "All-context INVEPT");
inline constexpr CapBit kInvvpid = cap(32, "INVVPID supported");
inline constexpr CapBit kInvvpidIndividualAddress = cap(40, "Individual-address INVVPID");
inline constexpr CapBit kInvvpidSingleContext = cap(41, "Single-context INVVPID");
inline constexpr CapBit kInvvpidAllContext = cap(42, "All-context INVVPID");
inline constexpr CapBit kInvvpidSingleContextRetainingGlobals = cap(43, "Single-context-retaining-globals INVVPID");
inline constexpr FieldName kHlatPrefixSize{53, 48, "Maximum HLAT prefix size"};

// The EPT half and the VPID half of the MSR (A.10: bits 31:0 describe EPT,
// bits 63:32 VPID, except the HLAT prefix size).
inline constexpr u64 kEptHalf = bit_range(31, 0);
inline constexpr u64 kVpidHalf = bit_range(63, 32) & ~kHlatPrefixSize.mask();
}  // namespace ept_vpid_cap

inline constexpr CapBit kEptVpidCapBits[] = {
    ept_vpid_cap::kExecuteOnly,          ept_vpid_cap::kPageWalkLength4,
    ept_vpid_cap::kPageWalkLength5,      ept_vpid_cap::kMemoryTypeUc,
    ept_vpid_cap::kMemoryTypeWb,         ept_vpid_cap::kPde2MbPages,
    ept_vpid_cap::kPdpte1GbPages,        ept_vpid_cap::kInvept,
    ept_vpid_cap::kAccessedDirtyFlags,   ept_vpid_cap::kAdvancedExitInfo,
    ept_vpid_cap::kSupervisorShadowStack, ept_vpid_cap::kInveptSingleContext,
    ept_vpid_cap::kInveptAllContext,     ept_vpid_cap::kInvvpid,
    ept_vpid_cap::kInvvpidIndividualAddress, ept_vpid_cap::kInvvpidSingleContext,
    ept_vpid_cap::kInvvpidAllContext,    ept_vpid_cap::kInvvpidSingleContextRetainingGlobals,
};
inline constexpr FieldName kEptVpidCapFields[] = {ept_vpid_cap::kHlatPrefixSize};
inline constexpr ReservedBits kEptVpidCapReserved[] = {
    {5, 1}, {13, 9}, {15, 15}, {19, 18}, {24, 24}, {31, 27}, {39, 33}, {47, 44}, {63, 54}};

// IA32_VMX_VMFUNC (A.11): a plain bitmap of allowed VM functions (25.6.14).
namespace vmfunc {
inline constexpr CapBit kEptpSwitching{msr::kVmxVmfunc, 0, "EPTP switching"};
}  // namespace vmfunc

inline constexpr CapBit kVmfuncBits[] = {vmfunc::kEptpSwitching};
inline constexpr ReservedBits kVmfuncReserved[] = {{63, 1}};

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
  BitTable bits;               // kControls: control bits 0..31; otherwise bits of the value
  FieldTable fields = {};
  Span<ReservedBits> reserved = {};  // every bit neither named nor a field (kControls: control bits)
  Span<CrBit> cr_bits = {};    // kFixed0/kFixed1: the control register's bits
  u32 default1 = 0;            // legacy kControls MSRs: the default1 class (A.2)
  u32 true_counterpart = 0;    // legacy control MSR -> its TRUE MSR
  // The capability that makes the MSR exist (SDM A.1-A.11): any of these bits
  // set; empty = always present with VMX.
  Span<CapBit> present_if = {};
};

// Existence conditions (A.3.3, A.3.4, A.4.2, A.10, A.11; TRUE MSRs A.3.1).
inline constexpr CapBit kPresentIfTrueControls[] = {basic::kTrueControls};
inline constexpr CapBit kPresentIfSecondary[] = {primary::kActivateSecondaryControls};
inline constexpr CapBit kPresentIfTertiary[] = {primary::kActivateTertiaryControls};
inline constexpr CapBit kPresentIfSecondaryExit[] = {exit_ctls::kActivateSecondaryControls};
inline constexpr CapBit kPresentIfEptOrVpid[] = {secondary::kEnableEpt, secondary::kEnableVpid};
inline constexpr CapBit kPresentIfVmFunctions[] = {secondary::kEnableVmFunctions};

inline constexpr VmxMsrInfo kVmxMsrs[] = {
    {msr::kFeatureControl, "IA32_FEATURE_CONTROL", MsrLayout::kFeatureControl, table(kFeatureControlBits),
     table(kFeatureControlFields), table(kFeatureControlReserved)},
    {msr::kVmxBasic, "IA32_VMX_BASIC", MsrLayout::kBasic, table(kBasicBits), table(kBasicFields),
     table(kBasicReserved)},
    {msr::kVmxPinbasedCtls, "IA32_VMX_PINBASED_CTLS", MsrLayout::kControls, table(kPinBasedBits), {},
     table(kPinBasedReserved), {}, kPinBasedDefault1, msr::kVmxTruePinbasedCtls},
    {msr::kVmxProcbasedCtls, "IA32_VMX_PROCBASED_CTLS", MsrLayout::kControls, table(kPrimaryProcBasedBits), {},
     table(kPrimaryProcBasedReserved), {}, kProcBasedDefault1, msr::kVmxTrueProcbasedCtls},
    {msr::kVmxExitCtls, "IA32_VMX_EXIT_CTLS", MsrLayout::kControls, table(kExitBits), {}, table(kExitReserved),
     {}, kExitDefault1, msr::kVmxTrueExitCtls},
    {msr::kVmxEntryCtls, "IA32_VMX_ENTRY_CTLS", MsrLayout::kControls, table(kEntryBits), {},
     table(kEntryReserved), {}, kEntryDefault1, msr::kVmxTrueEntryCtls},
    {msr::kVmxMisc, "IA32_VMX_MISC", MsrLayout::kMisc, table(kMiscBits), table(kMiscFields),
     table(kMiscReserved)},
    {msr::kVmxCr0Fixed0, "IA32_VMX_CR0_FIXED0", MsrLayout::kFixed0, {}, {}, table(kCr0Reserved), table(kCr0Bits)},
    {msr::kVmxCr0Fixed1, "IA32_VMX_CR0_FIXED1", MsrLayout::kFixed1, {}, {}, table(kCr0Reserved), table(kCr0Bits)},
    {msr::kVmxCr4Fixed0, "IA32_VMX_CR4_FIXED0", MsrLayout::kFixed0, {}, {}, table(kCr4Reserved), table(kCr4Bits)},
    {msr::kVmxCr4Fixed1, "IA32_VMX_CR4_FIXED1", MsrLayout::kFixed1, {}, {}, table(kCr4Reserved), table(kCr4Bits)},
    {msr::kVmxVmcsEnum, "IA32_VMX_VMCS_ENUM", MsrLayout::kVmcsEnum, {}, table(kVmcsEnumFields),
     table(kVmcsEnumReserved)},
    {msr::kVmxProcbasedCtls2, "IA32_VMX_PROCBASED_CTLS2", MsrLayout::kControls, table(kSecondaryProcBasedBits), {},
     table(kSecondaryProcBasedReserved), {}, 0, 0, table(kPresentIfSecondary)},
    {msr::kVmxEptVpidCap, "IA32_VMX_EPT_VPID_CAP", MsrLayout::kEptVpidCap, table(kEptVpidCapBits),
     table(kEptVpidCapFields), table(kEptVpidCapReserved), {}, 0, 0, table(kPresentIfEptOrVpid)},
    {msr::kVmxTruePinbasedCtls, "IA32_VMX_TRUE_PINBASED_CTLS", MsrLayout::kControls, table(kPinBasedBits), {},
     table(kPinBasedReserved), {}, 0, 0, table(kPresentIfTrueControls)},
    {msr::kVmxTrueProcbasedCtls, "IA32_VMX_TRUE_PROCBASED_CTLS", MsrLayout::kControls,
     table(kPrimaryProcBasedBits), {}, table(kPrimaryProcBasedReserved), {}, 0, 0, table(kPresentIfTrueControls)},
    {msr::kVmxTrueExitCtls, "IA32_VMX_TRUE_EXIT_CTLS", MsrLayout::kControls, table(kExitBits), {},
     table(kExitReserved), {}, 0, 0, table(kPresentIfTrueControls)},
    {msr::kVmxTrueEntryCtls, "IA32_VMX_TRUE_ENTRY_CTLS", MsrLayout::kControls, table(kEntryBits), {},
     table(kEntryReserved), {}, 0, 0, table(kPresentIfTrueControls)},
    {msr::kVmxVmfunc, "IA32_VMX_VMFUNC", MsrLayout::kBitmap, table(kVmfuncBits), {}, table(kVmfuncReserved), {}, 0,
     0, table(kPresentIfVmFunctions)},
    {msr::kVmxProcbasedCtls3, "IA32_VMX_PROCBASED_CTLS3", MsrLayout::kAllowed1Only, table(kTertiaryProcBasedBits),
     {}, table(kTertiaryProcBasedReserved), {}, 0, 0, table(kPresentIfTertiary)},
    {msr::kVmxExitCtls2, "IA32_VMX_EXIT_CTLS2", MsrLayout::kAllowed1Only, table(kSecondaryExitBits), {},
     table(kSecondaryExitReserved), {}, 0, 0, table(kPresentIfSecondaryExit)},
};

constexpr const VmxMsrInfo* find_vmx_msr(u32 index) {
  for (const auto& info : kVmxMsrs)
    if (info.index == index) return &info;
  return nullptr;
}

// The name of an MSR, for messages ("IA32_VMX_EPT_VPID_CAP"). No pointer is
// compared with nullptr here: with the kernel's -fno-delete-null-pointer-checks
// GCC does not fold that comparison in a constant expression.
constexpr const char* vmx_msr_name(u32 index) {
  for (const auto& info : kVmxMsrs)
    if (info.index == index) return info.name;
  return "?";
}
constexpr const char* msr_name_of(const CapBit& b) { return vmx_msr_name(b.msr); }

// The mask of the MSR bits that advertise any of `bits` (the existence conditions).
constexpr u64 mask_of(Span<CapBit> bits) {
  u64 m = 0;
  for (const auto& b : bits) m |= b.mask();
  return m;
}

static_assert(array_size(kVmxMsrs) == 21, "0x3A plus 0x480..0x493");
static_assert([] {
  for (usize i = 1; i < array_size(kVmxMsrs); ++i)
    if (kVmxMsrs[i].index != msr::kVmxBasic + (i - 1)) return false;
  return true;
}(), "kVmxMsrs lists 0x480..0x493 in order after IA32_FEATURE_CONTROL");

}  // namespace vmxb
