// The VM-execution, VM-exit and VM-entry controls as capability bits (SDM
// Vol. 3C 25.6.1, 25.6.2, 25.7.1, 25.8.1; their capability MSRs in A.3-A.5).
// One handle per control; each control MSR's table lists the handles, and the
// bits no control uses are listed as reserved with the reason.
#pragma once

#include "primitives/msr_index.h"
#include "primitives/named_bits.h"

namespace vmxb {

// Pin-based VM-execution controls (Table 25-5).
namespace pinbased {
inline constexpr CapBit kExternalInterruptExiting = control_bit(msr::kVmxPinbasedCtls, 0, "External-interrupt exiting");
inline constexpr CapBit kNmiExiting = control_bit(msr::kVmxPinbasedCtls, 3, "NMI exiting");
inline constexpr CapBit kVirtualNmis = control_bit(msr::kVmxPinbasedCtls, 5, "Virtual NMIs");
inline constexpr CapBit kPreemptionTimer = control_bit(msr::kVmxPinbasedCtls, 6, "Activate VMX-preemption timer");
inline constexpr CapBit kPostedInterrupts = control_bit(msr::kVmxPinbasedCtls, 7, "Process posted interrupts");
}  // namespace pinbased

inline constexpr CapBit kPinBasedBits[] = {pinbased::kExternalInterruptExiting, pinbased::kNmiExiting,
                                           pinbased::kVirtualNmis, pinbased::kPreemptionTimer,
                                           pinbased::kPostedInterrupts};
inline constexpr ReservedBits kPinBasedReserved[] = {
    {2, 1, ReservedKind::kDefault1}, {4, 4, ReservedKind::kDefault1}, {31, 8}};

// Primary processor-based VM-execution controls (Table 25-6).
namespace primary {
constexpr CapBit ctl(u8 bit, const char* name) { return control_bit(msr::kVmxProcbasedCtls, bit, name); }
inline constexpr CapBit kInterruptWindowExiting = ctl(2, "Interrupt-window exiting");
inline constexpr CapBit kTscOffsetting = ctl(3, "Use TSC offsetting");
inline constexpr CapBit kHltExiting = ctl(7, "HLT exiting");
inline constexpr CapBit kInvlpgExiting = ctl(9, "INVLPG exiting");
inline constexpr CapBit kMwaitExiting = ctl(10, "MWAIT exiting");
inline constexpr CapBit kRdpmcExiting = ctl(11, "RDPMC exiting");
inline constexpr CapBit kRdtscExiting = ctl(12, "RDTSC exiting");
inline constexpr CapBit kCr3LoadExiting = ctl(15, "CR3-load exiting");
inline constexpr CapBit kCr3StoreExiting = ctl(16, "CR3-store exiting");
inline constexpr CapBit kActivateTertiaryControls = ctl(17, "Activate tertiary controls");
inline constexpr CapBit kCr8LoadExiting = ctl(19, "CR8-load exiting");
inline constexpr CapBit kCr8StoreExiting = ctl(20, "CR8-store exiting");
inline constexpr CapBit kUseTprShadow = ctl(21, "Use TPR shadow");
inline constexpr CapBit kNmiWindowExiting = ctl(22, "NMI-window exiting");
inline constexpr CapBit kMovDrExiting = ctl(23, "MOV-DR exiting");
inline constexpr CapBit kUnconditionalIoExiting = ctl(24, "Unconditional I/O exiting");
inline constexpr CapBit kUseIoBitmaps = ctl(25, "Use I/O bitmaps");
inline constexpr CapBit kMonitorTrapFlag = ctl(27, "Monitor trap flag");
inline constexpr CapBit kUseMsrBitmaps = ctl(28, "Use MSR bitmaps");
inline constexpr CapBit kMonitorExiting = ctl(29, "MONITOR exiting");
inline constexpr CapBit kPauseExiting = ctl(30, "PAUSE exiting");
inline constexpr CapBit kActivateSecondaryControls = ctl(31, "Activate secondary controls");
}  // namespace primary

inline constexpr CapBit kPrimaryProcBasedBits[] = {
    primary::kInterruptWindowExiting, primary::kTscOffsetting,   primary::kHltExiting,
    primary::kInvlpgExiting,          primary::kMwaitExiting,    primary::kRdpmcExiting,
    primary::kRdtscExiting,           primary::kCr3LoadExiting,  primary::kCr3StoreExiting,
    primary::kActivateTertiaryControls, primary::kCr8LoadExiting, primary::kCr8StoreExiting,
    primary::kUseTprShadow,           primary::kNmiWindowExiting, primary::kMovDrExiting,
    primary::kUnconditionalIoExiting, primary::kUseIoBitmaps,    primary::kMonitorTrapFlag,
    primary::kUseMsrBitmaps,          primary::kMonitorExiting,  primary::kPauseExiting,
    primary::kActivateSecondaryControls,
};
inline constexpr ReservedBits kPrimaryProcBasedReserved[] = {
    {0, 0},  {1, 1, ReservedKind::kDefault1},   {6, 4, ReservedKind::kDefault1},
    {8, 8, ReservedKind::kDefault1}, {14, 13, ReservedKind::kDefault1}, {18, 18},
    {26, 26, ReservedKind::kDefault1},
};

// Secondary processor-based VM-execution controls (Table 25-7).
namespace secondary {
constexpr CapBit ctl(u8 bit, const char* name) { return control_bit(msr::kVmxProcbasedCtls2, bit, name); }
inline constexpr CapBit kVirtualizeApicAccesses = ctl(0, "Virtualize APIC accesses");
inline constexpr CapBit kEnableEpt = ctl(1, "Enable EPT");
inline constexpr CapBit kDescriptorTableExiting = ctl(2, "Descriptor-table exiting");
inline constexpr CapBit kEnableRdtscp = ctl(3, "Enable RDTSCP");
inline constexpr CapBit kVirtualizeX2apic = ctl(4, "Virtualize x2APIC mode");
inline constexpr CapBit kEnableVpid = ctl(5, "Enable VPID");
inline constexpr CapBit kWbinvdExiting = ctl(6, "WBINVD exiting");
inline constexpr CapBit kUnrestrictedGuest = ctl(7, "Unrestricted guest");
inline constexpr CapBit kApicRegisterVirtualization = ctl(8, "APIC-register virtualization");
inline constexpr CapBit kVirtualInterruptDelivery = ctl(9, "Virtual-interrupt delivery");
inline constexpr CapBit kPauseLoopExiting = ctl(10, "PAUSE-loop exiting");
inline constexpr CapBit kRdrandExiting = ctl(11, "RDRAND exiting");
inline constexpr CapBit kEnableInvpcid = ctl(12, "Enable INVPCID");
inline constexpr CapBit kEnableVmFunctions = ctl(13, "Enable VM functions");
inline constexpr CapBit kVmcsShadowing = ctl(14, "VMCS shadowing");
inline constexpr CapBit kEnclsExiting = ctl(15, "Enable ENCLS exiting");
inline constexpr CapBit kRdseedExiting = ctl(16, "RDSEED exiting");
inline constexpr CapBit kEnablePml = ctl(17, "Enable PML");
inline constexpr CapBit kEptViolationVe = ctl(18, "EPT-violation #VE");
inline constexpr CapBit kConcealVmxFromPt = ctl(19, "Conceal VMX from PT");
inline constexpr CapBit kEnableXsaves = ctl(20, "Enable XSAVES/XRSTORS");
inline constexpr CapBit kModeBasedExecute = ctl(22, "Mode-based execute control for EPT");
inline constexpr CapBit kSubPageWritePermissions = ctl(23, "Sub-page write permissions for EPT");
inline constexpr CapBit kPtUsesGuestPhysical = ctl(24, "Intel PT uses guest physical addresses");
inline constexpr CapBit kUseTscScaling = ctl(25, "Use TSC scaling");
inline constexpr CapBit kUserWaitAndPause = ctl(26, "Enable user wait and pause");
inline constexpr CapBit kEnablePconfig = ctl(27, "Enable PCONFIG");
inline constexpr CapBit kEnclvExiting = ctl(28, "Enable ENCLV exiting");
inline constexpr CapBit kBusLockDetection = ctl(30, "VMM bus-lock detection");
inline constexpr CapBit kInstructionTimeout = ctl(31, "Instruction timeout");
}  // namespace secondary

inline constexpr CapBit kSecondaryProcBasedBits[] = {
    secondary::kVirtualizeApicAccesses, secondary::kEnableEpt,          secondary::kDescriptorTableExiting,
    secondary::kEnableRdtscp,           secondary::kVirtualizeX2apic,   secondary::kEnableVpid,
    secondary::kWbinvdExiting,          secondary::kUnrestrictedGuest,  secondary::kApicRegisterVirtualization,
    secondary::kVirtualInterruptDelivery, secondary::kPauseLoopExiting, secondary::kRdrandExiting,
    secondary::kEnableInvpcid,          secondary::kEnableVmFunctions,  secondary::kVmcsShadowing,
    secondary::kEnclsExiting,           secondary::kRdseedExiting,      secondary::kEnablePml,
    secondary::kEptViolationVe,         secondary::kConcealVmxFromPt,   secondary::kEnableXsaves,
    secondary::kModeBasedExecute,       secondary::kSubPageWritePermissions, secondary::kPtUsesGuestPhysical,
    secondary::kUseTscScaling,          secondary::kUserWaitAndPause,   secondary::kEnablePconfig,
    secondary::kEnclvExiting,           secondary::kBusLockDetection,   secondary::kInstructionTimeout,
};
inline constexpr ReservedBits kSecondaryProcBasedReserved[] = {{21, 21}, {29, 29}};

// Tertiary processor-based VM-execution controls (Table 25-8).
// IA32_VMX_PROCBASED_CTLS3 reports 64 allowed-1 bits and no allowed-0 half (A.3.4).
namespace tertiary {
inline constexpr CapBit kLoadiwkeyExiting{msr::kVmxProcbasedCtls3, 0, "LOADIWKEY exiting"};
inline constexpr CapBit kEnableHlat{msr::kVmxProcbasedCtls3, 1, "Enable HLAT"};
inline constexpr CapBit kEptPagingWrite{msr::kVmxProcbasedCtls3, 2, "EPT paging-write control"};
inline constexpr CapBit kGuestPagingVerification{msr::kVmxProcbasedCtls3, 3, "Guest-paging verification"};
inline constexpr CapBit kIpiVirtualization{msr::kVmxProcbasedCtls3, 4, "IPI virtualization"};
inline constexpr CapBit kVirtualizeSpecCtrl{msr::kVmxProcbasedCtls3, 7, "Virtualize IA32_SPEC_CTRL"};
}  // namespace tertiary

inline constexpr CapBit kTertiaryProcBasedBits[] = {
    tertiary::kLoadiwkeyExiting,        tertiary::kEnableHlat,         tertiary::kEptPagingWrite,
    tertiary::kGuestPagingVerification, tertiary::kIpiVirtualization,  tertiary::kVirtualizeSpecCtrl,
};
inline constexpr ReservedBits kTertiaryProcBasedReserved[] = {{6, 5}, {63, 8}};

// Primary VM-exit controls (Table 25-13).
namespace exit_ctls {
constexpr CapBit ctl(u8 bit, const char* name) { return control_bit(msr::kVmxExitCtls, bit, name); }
inline constexpr CapBit kSaveDebugControls = ctl(2, "Save debug controls");
inline constexpr CapBit kHostAddressSpaceSize = ctl(9, "Host address-space size");
inline constexpr CapBit kLoadPerfGlobalCtrl = ctl(12, "Load IA32_PERF_GLOBAL_CTRL");
inline constexpr CapBit kAcknowledgeInterrupt = ctl(15, "Acknowledge interrupt on exit");
inline constexpr CapBit kSavePat = ctl(18, "Save IA32_PAT");
inline constexpr CapBit kLoadPat = ctl(19, "Load IA32_PAT");
inline constexpr CapBit kSaveEfer = ctl(20, "Save IA32_EFER");
inline constexpr CapBit kLoadEfer = ctl(21, "Load IA32_EFER");
inline constexpr CapBit kSavePreemptionTimer = ctl(22, "Save VMX-preemption timer value");
inline constexpr CapBit kClearBndcfgs = ctl(23, "Clear IA32_BNDCFGS");
inline constexpr CapBit kConcealVmxFromPt = ctl(24, "Conceal VMX from PT");
inline constexpr CapBit kClearRtitCtl = ctl(25, "Clear IA32_RTIT_CTL");
inline constexpr CapBit kClearLbrCtl = ctl(26, "Clear IA32_LBR_CTL");
inline constexpr CapBit kClearUinv = ctl(27, "Clear UINV");
inline constexpr CapBit kLoadCetState = ctl(28, "Load CET state");
inline constexpr CapBit kLoadPkrs = ctl(29, "Load PKRS");
inline constexpr CapBit kSavePerfGlobalCtl = ctl(30, "Save IA32_PERF_GLOBAL_CTL");
inline constexpr CapBit kActivateSecondaryControls = ctl(31, "Activate secondary controls");
}  // namespace exit_ctls

inline constexpr CapBit kExitBits[] = {
    exit_ctls::kSaveDebugControls, exit_ctls::kHostAddressSpaceSize, exit_ctls::kLoadPerfGlobalCtrl,
    exit_ctls::kAcknowledgeInterrupt, exit_ctls::kSavePat,        exit_ctls::kLoadPat,
    exit_ctls::kSaveEfer,          exit_ctls::kLoadEfer,             exit_ctls::kSavePreemptionTimer,
    exit_ctls::kClearBndcfgs,      exit_ctls::kConcealVmxFromPt,     exit_ctls::kClearRtitCtl,
    exit_ctls::kClearLbrCtl,       exit_ctls::kClearUinv,            exit_ctls::kLoadCetState,
    exit_ctls::kLoadPkrs,          exit_ctls::kSavePerfGlobalCtl,    exit_ctls::kActivateSecondaryControls,
};
inline constexpr ReservedBits kExitReserved[] = {
    {1, 0, ReservedKind::kDefault1},   {8, 3, ReservedKind::kDefault1}, {11, 10, ReservedKind::kDefault1},
    {14, 13, ReservedKind::kDefault1}, {17, 16, ReservedKind::kDefault1},
};

// Secondary VM-exit controls (Table 25-14). IA32_VMX_EXIT_CTLS2 reports 64
// allowed-1 bits and no allowed-0 half, like IA32_VMX_PROCBASED_CTLS3. Bits 0
// and 1 come with FRED (Intel's FRED specification, VMX interactions; Linux's
// SECONDARY_VM_EXIT_SAVE/LOAD_IA32_FRED), bit 3 with CET supervisor shadow
// stacks; bit 2 and bits 63:4 are reserved.
namespace exit_ctls2 {
inline constexpr CapBit kSaveFred{msr::kVmxExitCtls2, 0, "Save IA32_FRED"};
inline constexpr CapBit kLoadFred{msr::kVmxExitCtls2, 1, "Load IA32_FRED"};
inline constexpr CapBit kPrematurelyBusyShadowStack{msr::kVmxExitCtls2, 3, "Prematurely busy shadow stack"};
}  // namespace exit_ctls2

inline constexpr CapBit kSecondaryExitBits[] = {exit_ctls2::kSaveFred, exit_ctls2::kLoadFred,
                                                exit_ctls2::kPrematurelyBusyShadowStack};
inline constexpr ReservedBits kSecondaryExitReserved[] = {{2, 2}, {63, 4}};

// VM-entry controls (Table 25-15).
namespace entry_ctls {
constexpr CapBit ctl(u8 bit, const char* name) { return control_bit(msr::kVmxEntryCtls, bit, name); }
inline constexpr CapBit kLoadDebugControls = ctl(2, "Load debug controls");
inline constexpr CapBit kIa32eModeGuest = ctl(9, "IA-32e mode guest");
inline constexpr CapBit kEntryToSmm = ctl(10, "Entry to SMM");
inline constexpr CapBit kDeactivateDualMonitor = ctl(11, "Deactivate dual-monitor treatment");
inline constexpr CapBit kLoadPerfGlobalCtrl = ctl(13, "Load IA32_PERF_GLOBAL_CTRL");
inline constexpr CapBit kLoadPat = ctl(14, "Load IA32_PAT");
inline constexpr CapBit kLoadEfer = ctl(15, "Load IA32_EFER");
inline constexpr CapBit kLoadBndcfgs = ctl(16, "Load IA32_BNDCFGS");
inline constexpr CapBit kConcealVmxFromPt = ctl(17, "Conceal VMX from PT");
inline constexpr CapBit kLoadRtitCtl = ctl(18, "Load IA32_RTIT_CTL");
inline constexpr CapBit kLoadUinv = ctl(19, "Load UINV");
inline constexpr CapBit kLoadCetState = ctl(20, "Load CET state");
inline constexpr CapBit kLoadLbrCtl = ctl(21, "Load guest IA32_LBR_CTL");
inline constexpr CapBit kLoadPkrs = ctl(22, "Load PKRS");
inline constexpr CapBit kLoadFred = ctl(23, "Load IA32_FRED");  // FRED specification (VM_ENTRY_LOAD_IA32_FRED)
}  // namespace entry_ctls

inline constexpr CapBit kEntryBits[] = {
    entry_ctls::kLoadDebugControls, entry_ctls::kIa32eModeGuest,   entry_ctls::kEntryToSmm,
    entry_ctls::kDeactivateDualMonitor, entry_ctls::kLoadPerfGlobalCtrl, entry_ctls::kLoadPat,
    entry_ctls::kLoadEfer,          entry_ctls::kLoadBndcfgs,      entry_ctls::kConcealVmxFromPt,
    entry_ctls::kLoadRtitCtl,       entry_ctls::kLoadUinv,         entry_ctls::kLoadCetState,
    entry_ctls::kLoadLbrCtl,        entry_ctls::kLoadPkrs,         entry_ctls::kLoadFred,
};
inline constexpr ReservedBits kEntryReserved[] = {
    {1, 0, ReservedKind::kDefault1}, {8, 3, ReservedKind::kDefault1}, {12, 12, ReservedKind::kDefault1}, {31, 24}};

// Default1 controls (A.2): the legacy capability MSRs report them as fixed to
// 1; the TRUE MSRs may allow them to be 0. Named controls belong to the class
// too (CR3-load/store exiting, save/load debug controls).
inline constexpr u32 kPinBasedDefault1 = 0x00000016;
inline constexpr u32 kProcBasedDefault1 = 0x0401E172;
inline constexpr u32 kExitDefault1 = 0x00036DFF;
inline constexpr u32 kEntryDefault1 = 0x000011FF;

}  // namespace vmxb
