// The host side of the guest rows: builds the EPT and the VMCSs from the
// capabilities, launches the guest program of a row (guest_programs.h), and
// answers its VM exits until it halts. Everything here runs in VMX root
// operation inside the chunk hooks, exactly like the root-mode rows, so the
// boot image and the kernel module differ only in GuestEnvironment.
//
// Two contexts exist for the invalidation rows: A (VmxContext::vmcs, EPTP A,
// VPID 1) and B (its own VMCS, EPTP and VPID 2). Each iteration:
//   B touches its pages and stops (ready)
//   A touches its pages, makes a no-op exit, re-touches them (warm), stops
//   the host times the flush (INVEPT / INVVPID of the row's type)    -> flush
//   A re-touches its pages (refill), B re-touches its pages (collateral)
#pragma once

#include "core/chunk_counters.h"
#include "core/guest/ept_tables.h"
#include "core/guest/guest_programs.h"
#include "core/guest/vmcs_setup.h"
#include "core/run_types.h"
#include "primitives/exit_reasons.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::core::guest {

static_assert(streq(exit_reason_name(kExitExternalInterrupt), "external interrupt"));

inline constexpr u32 kMaxTouchPages = 512;
inline constexpr u32 kDefaultTouchPages = 64;

struct IdentityRange {
  u64 base, size;  // physical memory the guest may reach (code, data, stacks, jobs, samples, page tables)
};

// The pages the EPT rows probe. The guest reaches each at its `va` (it runs
// on the host's page tables), which translates to its `pa`: the GPA the EPT
// of context A treats specially.
enum class ProbePage : u8 {
  kDemand,         // not present until the host maps it (ept_demand_paging)
  kUnmapped,       // never present (ept_violation)
  kMisconfigured,  // writable without read (ept_misconfig)
  kCount,
};

// Memory the platform owns and hands to the guest rows; all pages zeroed. The
// EPT maps the identity ranges GPA == HPA, so every page here (and the
// guest's code and data) must lie inside them.
struct GuestMemory {
  VmxPage vmcs_b;                    // context B's VMCS
  PagePool pool;                     // EPT tables, TSSs, jobs, stacks, EPTP list
  const VmxPage* touch[2] = {};      // kMaxTouchPages pages per context, virtually contiguous
  VmxPage probe[static_cast<u32>(ProbePage::kCount)];
  const IdentityRange* identity = nullptr;
  u32 identity_count = 0;
};

struct GuestEnvironment {
  GuestPlatform platform;
  GuestMemory memory;
  FixedText<192> message;  // a formatted failure reason (RunOutcome::reason points here)
};

// What a guest row's body in operation_rows.h evaluates to.
enum class Flush : u8 {
  kNone, kInveptSingleContext, kInveptGlobal, kInvvpidIndividualAddress, kInvvpidSingleContext,
  kInvvpidAllContext, kInvvpidSingleContextRetainingGlobals,
};
struct GuestRow {
  GuestProgram program;
  Flush flush = Flush::kNone;
};
constexpr GuestRow guest_row(GuestProgram p, Flush f = Flush::kNone) { return {p, f}; }

namespace detail {

struct Context {
  PhysAddr vmcs{0};
  GuestRegs regs{};
  bool launched = false;
  GuestJob* job = nullptr;
};

// Everything one guest run builds before its first entry.
struct GuestSetup {
  GuestControls controls;
  HostState host{};
  Eptp eptp[2] = {Eptp{0}, Eptp{0}};
  u64* demand_pte = nullptr;
  u64* eptp_list = nullptr;
  u64 eptp_list_pa = 0;
  u64 touch_base[2] = {0, 0};
  u64 probe = 0;      // guest-linear address of the row's probe page
  u64 probe_gpa = 0;  // ... and the GPA its exit must report
  u64 stack_top[2] = {0, 0};
  u64 tss[2] = {0, 0};
  GuestJob* job[2] = {nullptr, nullptr};
  TscEnd guest_tsc_end = TscEnd::kFencedRdtsc;
};

inline RunOutcome failure(GuestEnvironment& env, OpStatus status, u32 written) {
  return {status, 0, written, env.message.c_str()};
}

// Controls for the row: what the program needs is required, the rest wanted.
inline const char* build_controls(const VmxCapabilities& caps, const GuestRow& row, bool want_rdtscp,
                                  GuestControls& out) {
  const bool ept = ept_allowed(caps);
  const bool vpid = vpid_allowed(caps);
  const bool vmfunc = row.program == GuestProgram::kVmfuncSwitch || row.program == GuestProgram::kEptpSwitchByExit;
  const u32 secondary_wanted = (ept ? ctl(secondary::kEnableEpt) : 0) | (vpid ? ctl(secondary::kEnableVpid) : 0) |
                               (want_rdtscp ? ctl(secondary::kEnableRdtscp) : 0) |
                               (vmfunc ? ctl(secondary::kEnableVmFunctions) : 0);
  const bool need_secondary = secondary_wanted != 0 && caps.has(primary::kActivateSecondaryControls);
  // External interrupts and NMIs exit instead of vectoring through the host's
  // IDT inside the guest; HLT ends a guest program; I/O never reaches a device.
  const ControlValue pin = adjust_control(control_msr(caps, ControlField::kPinBased),
                                          ctl(pinbased::kExternalInterruptExiting) | ctl(pinbased::kNmiExiting), 0);
  const ControlValue primary = adjust_control(
      control_msr(caps, ControlField::kPrimaryProcBased),
      ctl(primary::kHltExiting) | (need_secondary ? ctl(primary::kActivateSecondaryControls) : 0),
      ctl(primary::kUnconditionalIoExiting));
  const ControlValue secondary =
      need_secondary ? adjust_control(control_msr(caps, ControlField::kSecondaryProcBased),
                                      vmfunc ? ctl(secondary::kEnableVmFunctions) | ctl(secondary::kEnableEpt) : 0,
                                      secondary_wanted)
                     : ControlValue{};
  const ControlValue exit = adjust_control(control_msr(caps, ControlField::kExit),
                                           ctl(exit_ctls::kHostAddressSpaceSize), ctl(exit_ctls::kLoadEfer));
  const ControlValue entry = adjust_control(control_msr(caps, ControlField::kEntry),
                                            ctl(entry_ctls::kIa32eModeGuest), ctl(entry_ctls::kLoadEfer));
  if (!pin.ok()) return "the pin-based controls cannot exit on external interrupts and NMIs";
  if (!primary.ok()) return "the primary processor-based controls cannot enable HLT exiting";
  if (!secondary.ok()) return "the secondary controls cannot enable VM functions with EPT";
  if (!exit.ok()) return "the VM-exit controls cannot select a 64-bit host (host address-space size)";
  if (!entry.ok()) return "the VM-entry controls cannot enter a 64-bit guest (IA-32e mode guest)";
  out.pin = pin.value;
  out.primary = primary.value;
  out.secondary = secondary.value;
  out.exit = exit.value;
  out.entry = entry.value;
  out.vm_function_controls = vmfunc ? vmfunc::kEptpSwitching.mask() : 0;
  return nullptr;
}

// One EPT per context, the identity ranges with the probe pages left out;
// context A's then gets the misconfigured entry, and a slot for the demand
// page that starts not present.
inline const char* build_ept(GuestEnvironment& env, const VmxCapabilities& caps, const CpuFacts& cpu,
                             GuestSetup& s) {
  GuestMemory& m = env.memory;
  const bool large = caps.has(ept_vpid_cap::kPde2MbPages);
  const bool huge = caps.has(ept_vpid_cap::kPdpte1GbPages);
  u64 holes[static_cast<u32>(ProbePage::kCount)];
  for (u32 i = 0; i < array_size(holes); ++i) holes[i] = m.probe[i].pa.value;
  for (u32 k = 0; k < 2; ++k) {
    EptTables t(m.pool, large, huge);
    for (u32 i = 0; i < m.identity_count; ++i)
      if (!t.map_identity_except(m.identity[i].base, m.identity[i].size, holes, array_size(holes)))
        return "EPT: out of table pages, or guest memory outside the identity ranges";
    if (k == 0) {
      s.demand_pte = t.page_slot(m.probe[static_cast<u32>(ProbePage::kDemand)].pa.value);
      u64* bad = t.page_slot(m.probe[static_cast<u32>(ProbePage::kMisconfigured)].pa.value);
      if (s.demand_pte == nullptr || bad == nullptr) return "EPT: out of table pages";
      *bad = ept::misconfigured_entry(m.probe[static_cast<u32>(ProbePage::kMisconfigured)].pa.value);
    }
    if (!t.ok()) return "EPT: out of table pages";
    const bool wb = caps.has(ept_vpid_cap::kMemoryTypeWb);
    const EptpResult e = make_eptp({.root_table_pa = t.root().value,
                                    .memory_type = wb ? EptMemoryType::kWriteBack : EptMemoryType::kUncacheable},
                                   caps.ept_vpid_cap, cpu.maxphyaddr);
    if (!e.ok()) return "EPT: no valid EPTP for this CPU";
    s.eptp[k] = e.eptp;
  }
  return nullptr;
}

inline void* take_page(GuestMemory& m, u64* pa = nullptr) {
  const VmxPage* p = m.pool.take();
  if (p == nullptr) return nullptr;
  if (pa != nullptr) *pa = p->pa.value;
  return p->va;
}

inline const char* prepare(GuestEnvironment& env, const VmxCapabilities& caps, const CpuFacts& cpu,
                           const GuestRow& row, bool rdtscp, GuestSetup& s) {
  GuestMemory& m = env.memory;
  m.pool.used = 0;
  for (u32 i = 0; i < m.pool.capacity; ++i) {
    u64* page = static_cast<u64*>(m.pool.pages[i].va);
    for (u32 j = 0; j < 512; ++j) page[j] = 0;
  }
  const bool rdtscp_control = rdtscp && caps.has(primary::kActivateSecondaryControls) &&
                              caps.has(secondary::kEnableRdtscp);
  if (const char* why = build_controls(caps, row, rdtscp_control, s.controls)) return why;
  s.guest_tsc_end = rdtscp_control ? TscEnd::kRdtscp : TscEnd::kFencedRdtsc;
  if (s.controls.secondary & ctl(secondary::kEnableEpt)) {
    if (const char* why = build_ept(env, caps, cpu, s)) return why;
  }
  s.touch_base[0] = reinterpret_cast<u64>(m.touch[0][0].va);
  s.touch_base[1] = reinterpret_cast<u64>(m.touch[1][0].va);
  for (u32 k = 0; k < 2; ++k) {
    s.job[k] = static_cast<GuestJob*>(take_page(m));
    s.tss[k] = reinterpret_cast<u64>(take_page(m));
    // One page of stack: the guest programs are leaf loops that use a few
    // dozen bytes of it.
    void* stack = take_page(m);
    if (s.job[k] == nullptr || s.tss[k] == 0 || stack == nullptr) return "guest memory: the page pool is too small";
    s.stack_top[k] = reinterpret_cast<u64>(stack) + ept::kPageSize - 8;  // as if called: RSP+8 is 16-aligned
  }
  s.eptp_list = static_cast<u64*>(take_page(m, &s.eptp_list_pa));
  if (s.eptp_list == nullptr) return "guest memory: the page pool is too small";
  s.eptp_list[0] = s.eptp[0].value;
  s.eptp_list[1] = s.eptp[1].value;
  const VmxPage& probe = m.probe[static_cast<u32>(row.program == GuestProgram::kEptMisconfig ? ProbePage::kMisconfigured
                                                 : row.program == GuestProgram::kEptDemand  ? ProbePage::kDemand
                                                                                            : ProbePage::kUnmapped)];
  s.probe = reinterpret_cast<u64>(probe.va);
  s.probe_gpa = probe.pa.value;
  return nullptr;
}

// Makes context k's VMCS current, clear, and fully written; the minimal exit
// path is its host RIP when `fast_exit`.
inline VmcsSetupResult load_context(const GuestSetup& s, u32 k, Context& c, bool fast_exit) {
  VmResult r = vmclear(c.vmcs);
  if (r.ok()) r = vmptrld(c.vmcs);
  if (!r.ok()) return {decltype(vmcs::kVmcsLinkPointer)::kEncoding, r};
  c.launched = false;
  GuestContextState g{};
  g.rip = reinterpret_cast<u64>(&vmxb_guest_main);
  g.rsp = s.stack_top[k];
  g.tr_base = s.tss[k];
  g.eptp = s.eptp[k].value;
  g.vpid = static_cast<u16>(k + 1);
  g.eptp_list = s.eptp_list_pa;
  g.host_rip = reinterpret_cast<u64>(fast_exit ? vmxb_vm_exit_fast : vmxb_vm_exit);
  c.regs = GuestRegs{};
  c.regs.rdi = reinterpret_cast<u64>(c.job);
  return write_guest_vmcs(s.controls, s.host, g);
}

inline void advance_rip() {
  const auto rip = vmread(vmcs::kGuestRip);
  const auto len = vmread(vmcs::kExitInstructionLength);
  (void)vmwrite(vmcs::kGuestRip, rip.value + len.value);
}

// The message for an exit the row does not expect, or for a failed entry.
inline RunOutcome unexpected_exit(GuestEnvironment& env, ExitReason why, u32 written) {
  const u64 qualification = vmread(vmcs::kExitQualification).value;
  const u64 rip = vmread(vmcs::kGuestRip).value;
  FixedText<192>& t = env.message;
  t = {};
  const char* name = exit_reason_name(why.basic());
  if (why.entry_failure()) {
    t.add("VM entry failed: exit reason ").add_dec(why.basic()).add(" (").add(name ? name : "unassigned");
    const char* q = why.basic() == exit_reason::kInvalidGuestState ? entry_failure_qualification_name(qualification)
                                                                   : nullptr;
    t.add("), qualification ").add_dec(qualification);
    if (q != nullptr) t.add(" (").add(q).add(")");
  } else {
    t.add("unexpected VM exit ").add_dec(why.basic()).add(" (").add(name ? name : "unassigned");
    t.add("), qualification 0x").add_hex(qualification).add(", guest RIP 0x").add_hex(rip);
    if (why.basic() == exit_reason::kExceptionOrNmi)
      t.add(", interruption info 0x").add_hex(vmread(vmcs::kExitInterruptionInfo).value);
  }
  return failure(env, OpStatus::kGuestFailed, written);
}

inline RunOutcome entry_failed(GuestEnvironment& env, u32 result, u32 written) {
  if (result == VMXB_RUN_FAULT)
    return {OpStatus::kFault, 0, written, "VMLAUNCH/VMRESUME raised an exception (#UD/#GP): it was fixed up"};
  if (result == VMXB_RUN_FAIL_INVALID) return {OpStatus::kVmFailInvalid, 0, written, "VM entry: VMfailInvalid"};
  const auto err = vm_instruction_error();
  FixedText<192>& t = env.message;
  t = {};
  t.add("VM entry: VMfailValid error ").add_dec(err.value).add(" (").add(vm_instruction_error_description(err.value));
  t.add(")");
  return {OpStatus::kVmFailValid, err.value, written, t.c_str()};
}

// The dispatcher: runs context `c` (current) until the guest makes hypercall
// `until` (returned with RIP advanced), or halts. Exits the row expects are
// answered here.
struct Stop {
  bool ok;
  bool halted;
  RunOutcome failure;
};

inline Stop run_until(GuestEnvironment& env, Context& c, const GuestRow& row, const GuestSetup& s, u64 until,
                      u32 written) {
  for (;;) {
    const u32 r = vmxb_vmx_run(&c.regs, c.launched ? VMXB_RUN_RESUME : 0);
    if (r != VMXB_RUN_EXITED) return {false, false, entry_failed(env, r, written)};
    c.launched = true;
    const ExitReason why{vmread(vmcs::kExitReason).value};
    if (why.entry_failure()) {
      c.launched = false;  // a failed entry leaves the VMCS unlaunched (27.8)
      return {false, false, unexpected_exit(env, why, written)};
    }
    switch (why.basic()) {
      case exit_reason::kHlt:
        return {true, true, {}};
      case exit_reason::kVmcall: {
        const u64 nr = c.regs.rax;
        advance_rip();
        if (nr == kHypercallUnmapDemandPage && s.demand_pte != nullptr) {
          *s.demand_pte = 0;
          (void)invept_single_context(s.eptp[0]);
        } else if (nr == kHypercallSwitchEptp) {
          (void)vmwrite(vmcs::kEptPointer, s.eptp_list[c.regs.rcx & 1]);
        }
        if (nr == until) return {true, false, {}};
        continue;
      }
      case exit_reason::kCpuid: {
        u32 a = static_cast<u32>(c.regs.rax), b, cx = static_cast<u32>(c.regs.rcx), d;
        asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(cx), "=d"(d));
        c.regs.rax = a;
        c.regs.rbx = b;
        c.regs.rcx = cx;
        c.regs.rdx = d;
        advance_rip();
        continue;
      }
      case kExitExternalInterrupt:
        // An interrupt for the host (25.6.1: guest or host IF does not hold it
        // off): the platform takes it, the guest goes on.
        if (env.platform.on_external_interrupt_exit == nullptr) return {false, false, unexpected_exit(env, why, written)};
        env.platform.on_external_interrupt_exit(env.platform.ctx);
        continue;
      case exit_reason::kExceptionOrNmi: {
        // An NMI that arrived while the guest ran (NMI exiting): the host's
        // kernel gets it, the guest goes on. A guest exception is a failure.
        if (!exit_is_nmi(static_cast<u32>(vmread(vmcs::kExitInterruptionInfo).value)))
          return {false, false, unexpected_exit(env, why, written)};
        if (env.platform.on_nmi_exit) env.platform.on_nmi_exit(env.platform.ctx);
        continue;
      }
      case exit_reason::kEptViolation:
      case exit_reason::kEptMisconfiguration: {
        const u64 gpa = vmread(vmcs::kGuestPhysicalAddress).value;
        const u64 q = vmread(vmcs::kExitQualification).value;
        const bool violation = why.basic() == exit_reason::kEptViolation;
        const bool expected = violation ? (row.program == GuestProgram::kEptViolation ||
                                           row.program == GuestProgram::kEptDemand) &&
                                              (q & ept_violation::kDataRead) && !(q & ept_violation::kDataWrite)
                                        : row.program == GuestProgram::kEptMisconfig;
        if (!expected || (gpa & ~(ept::kPageSize - 1)) != s.probe_gpa) return {false, false, unexpected_exit(env, why, written)};
        if (row.program == GuestProgram::kEptDemand) {
          // Map the page and drop whatever the CPU cached for it, then retry the load.
          *s.demand_pte = ept::page_entry(s.probe_gpa, false);
          (void)invept_single_context(s.eptp[0]);
        } else {
          // MMIO emulation: step over the load (probe_load put the resume address in RCX).
          (void)vmwrite(vmcs::kGuestRip, c.regs.rcx);
        }
        continue;
      }
      default:
        return {false, false, unexpected_exit(env, why, written)};
    }
  }
}

// The flush of a row, timed with the same bracket and the same wrappers as
// the root-mode rows (invept_single_context, ...): the type is a template
// parameter, so no dispatch runs between the TSC reads and the flush sample
// costs what the root-mode row's sample costs plus the translations it drops.
template <Flush F>
__attribute__((always_inline)) inline VmResult flush(Eptp eptp, u64 linear_address) {
  if constexpr (F == Flush::kInveptSingleContext) return invept_single_context(eptp);
  else if constexpr (F == Flush::kInveptGlobal) return invept_global();
  else if constexpr (F == Flush::kInvvpidIndividualAddress)
    return invvpid(InvvpidType::kIndividualAddress, 1, linear_address);
  else if constexpr (F == Flush::kInvvpidSingleContext) return invvpid(InvvpidType::kSingleContext, 1);
  else if constexpr (F == Flush::kInvvpidAllContext) return invvpid(InvvpidType::kAllContext, 0);
  else if constexpr (F == Flush::kInvvpidSingleContextRetainingGlobals)
    return invvpid(InvvpidType::kSingleContextRetainingGlobals, 1);
  else return VmResult::succeed();
}

// One chunk of a touch row: `warmup` untimed iterations, then `n` timed ones
// into series[k][first ...].
template <TscEnd E, Flush F>
RunOutcome touch_chunk(GuestEnvironment& env, const GuestRow& row, const GuestSetup& s, Context (&c)[2], u32 warmup,
                       u32 n, u32 first) {
  u64 ignored = 0;
  for (u32 i = 0; i < warmup + n; ++i) {
    const u32 written = first + (i >= warmup ? i - warmup : 0);
    if (!vmptrld(c[1].vmcs).ok()) return {OpStatus::kVmFailInvalid, 0, written, "VMPTRLD of context B failed"};
    Stop st = run_until(env, c[1], row, s, kHypercallReady, written);
    if (!st.ok || st.halted) return st.ok ? RunOutcome{OpStatus::kGuestFailed, 0, written, "context B halted early"} : st.failure;
    if (!vmptrld(c[0].vmcs).ok()) return {OpStatus::kVmFailInvalid, 0, written, "VMPTRLD of context A failed"};
    st = run_until(env, c[0], row, s, kHypercallFlushPoint, written);
    if (!st.ok || st.halted) return st.ok ? RunOutcome{OpStatus::kGuestFailed, 0, written, "context A halted early"} : st.failure;
    u64* const slot = i >= warmup ? &c[0].job->series[0][i - warmup] : &ignored;
    // The same bracket as measure() in run_operation.h: operands in registers
    // before it, the status tested right after it, the sample stored last.
    const Eptp eptp = s.eptp[0];
    const u64 linear_address = s.touch_base[0];
    const u64 t0 = tsc_begin();
    const VmResult f = flush<F>(eptp, linear_address);
    const u64 t1 = tsc_end<E>();
    if (!f.ok()) return core::detail::failed_with(f, written);
    *slot = t1 - t0;
    st = run_until(env, c[0], row, s, kHypercallDone, written);
    if (!st.ok || st.halted) return st.ok ? RunOutcome{OpStatus::kGuestFailed, 0, written, "context A halted early"} : st.failure;
    if (!vmptrld(c[1].vmcs).ok()) return {OpStatus::kVmFailInvalid, 0, written, "VMPTRLD of context B failed"};
    st = run_until(env, c[1], row, s, kHypercallDone, written);
    if (!st.ok || st.halted) return st.ok ? RunOutcome{OpStatus::kGuestFailed, 0, written, "context B halted early"} : st.failure;
  }
  return {OpStatus::kOk, 0, first + n, ""};
}

template <TscEnd E>
RunOutcome touch_chunk_of(GuestEnvironment& env, const GuestRow& row, const GuestSetup& s, Context (&c)[2],
                          u32 warmup, u32 n, u32 first) {
  switch (row.flush) {
    case Flush::kNone: break;
    case Flush::kInveptSingleContext:
      return touch_chunk<E, Flush::kInveptSingleContext>(env, row, s, c, warmup, n, first);
    case Flush::kInveptGlobal: return touch_chunk<E, Flush::kInveptGlobal>(env, row, s, c, warmup, n, first);
    case Flush::kInvvpidIndividualAddress:
      return touch_chunk<E, Flush::kInvvpidIndividualAddress>(env, row, s, c, warmup, n, first);
    case Flush::kInvvpidSingleContext:
      return touch_chunk<E, Flush::kInvvpidSingleContext>(env, row, s, c, warmup, n, first);
    case Flush::kInvvpidAllContext:
      return touch_chunk<E, Flush::kInvvpidAllContext>(env, row, s, c, warmup, n, first);
    case Flush::kInvvpidSingleContextRetainingGlobals:
      return touch_chunk<E, Flush::kInvvpidSingleContextRetainingGlobals>(env, row, s, c, warmup, n, first);
  }
  return {OpStatus::kBadArgument, 0, first, "a touch row without a flush"};
}

}  // namespace detail

// Runs a guest row: each chunk enters VMX (hooks), builds and launches the
// contexts, runs `iterations` of the guest program, and clears the VMCSs.
template <TscEnd E>
RunOutcome run_guest_row(const GuestRow& row, const RunRequest& req, const VmxContext& ctx,
                         const VmxCapabilities& caps, const CpuFacts& cpu, u64* samples, const ChunkHooks& hooks) {
  GuestEnvironment& env = *ctx.guest;
  detail::GuestSetup s;
  if (const char* why = detail::prepare(env, caps, cpu, row, E == TscEnd::kRdtscp, s))
    return {OpStatus::kUnsupported, 0, 0, why};
  const bool touch = row.program == GuestProgram::kTouchFlush;
  const u32 pages = req.pages == 0 ? kDefaultTouchPages : req.pages;
  const u32 chunk = hooks.chunk == 0 ? 1 : hooks.chunk;
  detail::Context c[2];
  c[0].vmcs = ctx.vmcs;
  c[1].vmcs = env.memory.vmcs_b.pa;
  for (u32 done = 0; done < req.iterations;) {
    const u32 n = req.iterations - done < chunk ? req.iterations - done : chunk;
    const u32 warmup = done == 0 ? req.warmup : 0;
    if (hooks.enter) {
      if (const char* stop = hooks.enter(hooks.ctx)) return {OpStatus::kAborted, 0, done, stop};
    }
    if (hooks.counters) hooks.counters->begin();
    // Read inside VMX operation: CR4 then has VMXE set, which the host-state
    // checks require (27.2.2, CR4 fixed bits).
    env.platform.read_host_state(env.platform.ctx, &s.host);
    RunOutcome out{OpStatus::kOk, 0, done, ""};
    for (u32 k = 0; k < (touch ? 2u : 1u) && out.status == OpStatus::kOk; ++k) {
      GuestJob& job = *s.job[k];
      job.program = touch && k == 1 ? GuestProgram::kTouchCollateral : row.program;
      job.tsc_end = s.guest_tsc_end;
      job.warmup = warmup;
      job.iterations = n;
      for (u32 series = 0; series < kTouchSeries; ++series)
        job.series[series] = samples + (touch ? series * req.iterations : 0) + done;
      job.touch_base = s.touch_base[k];
      job.pages = pages;
      job.probe = s.probe;
      c[k].job = &job;
      const VmcsSetupResult v = detail::load_context(s, k, c[k], row.program == GuestProgram::kVmcall);
      if (!v.ok()) {
        env.message = {};
        env.message.add("VMCS setup: VMWRITE of field 0x").add_hex(v.failed_field).add(" failed");
        out = {v.status.faulted() ? OpStatus::kFault : OpStatus::kVmFailValid, 0, done, env.message.c_str()};
      }
    }
    if (out.status == OpStatus::kOk) {
      vmxb_fast_exit_reason = row.program == GuestProgram::kVmcall ? exit_reason::kVmcall : ~u32{0};
      if (touch) {
        out = detail::touch_chunk_of<E>(env, row, s, c, warmup, n, done);
      } else {
        (void)vmptrld(c[0].vmcs);
        const detail::Stop st = detail::run_until(env, c[0], row, s, ~u64{0}, done);
        out = st.ok ? RunOutcome{OpStatus::kOk, 0, done + n, ""} : st.failure;
      }
    }
    (void)vmclear(c[0].vmcs);
    if (touch) (void)vmclear(c[1].vmcs);
    if (env.platform.after_guest_run) env.platform.after_guest_run(env.platform.ctx);
    const bool counted = hooks.counters == nullptr || hooks.counters->end(warmup + n);
    if (hooks.leave) hooks.leave(hooks.ctx);
    if (out.status != OpStatus::kOk) return out;
    // An SMI took time from this chunk: it runs again, over the same samples.
    if (!counted) {
      if (smi_bound_hit(hooks, done, out)) return out;
      continue;
    }
    done += n;
  }
  return {OpStatus::kOk, 0, req.iterations, ""};
}

}  // namespace vmxb::core::guest
