// Guest entries: VMLAUNCH/VMRESUME's VMfailValid errors (31.3 VMLAUNCH/VMRESUME;
// 27.1 "Basic VM-Entry Checks", 27.2 "Checks on VMX Controls and Host-State
// Area"), VM-entry failures due to invalid guest state (27.3.1, 27.8), and the
// exit reason and qualification of the VM exits vmxbench's guest makes (28.2.1,
// Vol. 3D Appendix C). Each case is one guest entry through
// core/guest/guest_probe.h with one field changed. A VM entry is not a wrapper
// with a capture strategy (world_switch.S reads CF and ZF itself), so unlike
// the other groups each case runs once.
#include "core/guest/guest_probe.h"
#include "semantics/cases.h"
#include "semantics/control_violation.h"

namespace vmxb::semantics {
namespace {

using core::guest::GuestProbe;
using core::guest::GuestProgram;
using core::guest::ProbeExit;
using enum VmInstructionError;

constexpr const char* kNoGuest = "the host runs no guest (Environment::ctx.guest is null)";

// Exit qualifications of a VM-entry failure due to invalid guest state (27.8),
// named by primitives/exit_reasons.h's table.
constexpr u64 kQualificationDefault = 0;
constexpr u64 kQualificationInvalidVmcsLinkPointer = 4;
static_assert(streq(entry_failure_qualification_name(kQualificationDefault), "default (no further information)") &&
              streq(entry_failure_qualification_name(kQualificationInvalidVmcsLinkPointer),
                    "invalid VMCS link pointer"));

// The first thing a case found wrong.
class Findings {
 public:
  bool any() const { return any_; }
  const char* text() const { return text_.c_str(); }

  void note(const char* what) {
    if (any_) return;
    any_ = true;
    text_.add(what);
  }
  void expect(const char* what, u64 expected, u64 got) {
    if (any_ || expected == got) return;
    any_ = true;
    text_.add(what).add(" 0x").add_hex(got).add(", expected 0x").add_hex(expected);
  }
  // "expected <what>, got <outcome>"
  void unexpected(const char* what, u64 number, const ProbeExit& e) {
    if (any_) return;
    any_ = true;
    text_.add("expected ").add(what).add_dec(number).add(", got ");
    describe(e);
  }
  FixedText<192>& more() { return text_; }

 private:
  void describe(const ProbeExit& e) {
    switch (e.run_result) {
      case VMXB_RUN_FAIL_INVALID: text_.add("VMfailInvalid"); return;
      case VMXB_RUN_FAIL_VALID: text_.add("VMfailValid(").add_dec(e.vm_error).add(")"); return;
      case VMXB_RUN_FAULT: text_.add("an exception (fixed up)"); return;
      default: break;
    }
    text_.add(e.reason.entry_failure() ? "VM-entry failure, exit reason " : "VM exit ").add_dec(e.reason.basic());
    const char* name = exit_reason_name(e.reason.basic());
    text_.add(" (").add(name != nullptr ? name : "unassigned").add("), qualification 0x").add_hex(e.qualification);
  }

  bool any_ = false;
  FixedText<192> text_;
};

void expect_fail_valid(Findings& f, const ProbeExit& e, VmInstructionError error) {
  if (e.run_result != VMXB_RUN_FAIL_VALID || e.vm_error != static_cast<u32>(error))
    f.unexpected("VMfailValid error ", static_cast<u32>(error), e);
}

// A VM exit (entry_failure = false) or a VM-entry failure that loaded host
// state (true, 27.8) with this basic exit reason.
void expect_exit(Findings& f, const ProbeExit& e, u16 basic, bool entry_failure) {
  if (!e.exited() || e.reason.basic() != basic || e.reason.entry_failure() != entry_failure)
    f.unexpected(entry_failure ? "VM-entry failure with exit reason " : "VM exit ", basic, e);
}

template <VmcsFieldType Field, typename T>
void put(Findings& f, Field field, T value) {
  if (!vmwrite(field, value).ok()) f.note("a VMWRITE before the entry failed");
}

// One guest entry: SKIP unless the host runs guests and the CPU allows what
// `needs` names (core/operations.h kNeeds*, the reason cites the MSR bit),
// then prepare `program` on the suite's second VMCS, let `body` change fields,
// enter and check; the probe always ends with VMCLEAR (finish()). `body`
// returns a reason to skip, or nullptr.
template <typename Body>
void guest_case(CaseContext& c, const char* name, GuestProgram program, u32 needs, Body body) {
  Suite& t = *c.suite;
  const Environment& env = *c.env;
  if (env.ctx.guest == nullptr) return t.skip(name, kNoGuest);
  if (const char* why = core::missing_requirement(needs, env.caps)) return t.skip(name, why);
  GuestProbe probe(*env.ctx.guest);
  core::CpuFacts cpu;
  cpu.vmx = true;
  cpu.long_mode = true;
  cpu.maxphyaddr = env.maxphyaddr;
  const char* unprepared = nullptr;
  const char* skip_reason = nullptr;
  Findings f;
  const int escaped = try_call([&] {
    unprepared = probe.prepare(env.caps, cpu, env.ctx.vmcs_other, program);
    if (unprepared == nullptr) skip_reason = body(probe, f);
  });
  probe.finish();
  if (escaped != kNoFault) {
    FixedText<96> why;
    why.add("exception ").add_dec(static_cast<u64>(escaped)).add(" escaped the guest probe");
    return t.fail_text(name, why.c_str());
  }
  if (unprepared == core::guest::kProbeVmcsSetupFailed) return t.fail_text(name, unprepared);
  if (unprepared != nullptr) return t.skip(name, unprepared);
  if (f.any()) return t.fail_text(name, f.text());
  if (skip_reason != nullptr) return t.skip(name, skip_reason);
  t.pass(name);
}

// 31.3 VMLAUNCH/VMRESUME "Operation": VMLAUNCH needs a clear VMCS (error 4),
// VMRESUME a launched one (error 5); a VM exit leaves the VMCS launched.
void launch_state(CaseContext& c) {
  guest_case(c, "vmlaunch_launched_vmcs", GuestProgram::kVmcallDispatched, 0,
             [](GuestProbe& p, Findings& f) -> const char* {
               const ProbeExit first = p.enter(false);
               expect_exit(f, first, exit_reason::kVmcall, false);
               if (f.any()) f.more().add(" (the first VMLAUNCH)");
               expect_fail_valid(f, p.enter(false), kVmlaunchNonClearVmcs);
               return nullptr;
             });
  guest_case(c, "vmresume_clear_vmcs", GuestProgram::kVmcallDispatched, 0,
             [](GuestProbe& p, Findings& f) -> const char* {
               expect_fail_valid(f, p.enter(true), kVmresumeNonLaunchedVmcs);
               return nullptr;
             });
}

// The control fields whose reserved bits VM entry checks against their
// capability MSRs (27.2.1): the secondary controls are checked only when
// activated, so they are not among the ones a case breaks.
struct CheckedControl {
  core::guest::ControlField field;
  u64 encoding;
  const char* name;
};
constexpr CheckedControl kCheckedControls[] = {
    {core::guest::ControlField::kPinBased, vmcs::kPinBasedControls.kEncoding, "pin-based controls"},
    {core::guest::ControlField::kPrimaryProcBased, vmcs::kPrimaryProcBasedControls.kEncoding,
     "primary processor-based controls"},
    {core::guest::ControlField::kExit, vmcs::kExitControls.kEncoding, "VM-exit controls"},
    {core::guest::ControlField::kEntry, vmcs::kEntryControls.kEncoding, "VM-entry controls"},
};

// Error 7 for the first control field that has a bit `violate` can break.
template <ControlViolation (*Violate)(u64, u32)>
void broken_control(CaseContext& c, const char* name, const char* none) {
  const core::VmxCapabilities& caps = c.env->caps;
  guest_case(c, name, GuestProgram::kVmcallDispatched, 0, [&](GuestProbe& p, Findings& f) -> const char* {
    for (const CheckedControl& row : kCheckedControls) {
      const auto current = vmread_raw(row.encoding);
      if (!current.status.ok()) {
        f.note("VMREAD of a control field failed");
        return nullptr;
      }
      const ControlViolation v = Violate(core::guest::control_msr(caps, row.field), static_cast<u32>(current.value));
      if (!v.found) continue;
      if (!vmwrite_raw(row.encoding, v.value).ok()) {
        f.note("VMWRITE of a control field failed");
        return nullptr;
      }
      expect_fail_valid(f, p.enter(false), kEntryInvalidControlFields);
      if (f.any()) f.more().add(" (").add(row.name).add(" bit ").add_dec(v.bit).add(" changed)");
      return nullptr;
    }
    return none;
  });
}

// 27.2.2: host CR4 must satisfy the CR4 fixed bits of VMX operation, VMXE
// among them (24.8); 27.2.3: the host TR selector must not be 0. Error 8.
void host_state(CaseContext& c) {
  guest_case(c, "vmlaunch_host_cr4_vmxe_clear", GuestProgram::kVmcallDispatched, 0,
             [](GuestProbe& p, Findings& f) -> const char* {
               put(f, vmcs::kHostCr4, p.setup().host.cr4 & ~cr4::kVmxe.mask());
               expect_fail_valid(f, p.enter(false), kEntryInvalidHostStateFields);
               return nullptr;
             });
  guest_case(c, "vmlaunch_host_tr_selector_0", GuestProgram::kVmcallDispatched, 0,
             [](GuestProbe& p, Findings& f) -> const char* {
               put(f, vmcs::kHostTrSelector, u16{0});
               expect_fail_valid(f, p.enter(false), kEntryInvalidHostStateFields);
               return nullptr;
             });
}

// Invalid guest state: the entry fails after the host-state checks with exit
// reason 33 and bit 31 set, loading host state (27.8), and the qualification
// says which check: 4 for the VMCS link pointer, whose 32 bits in memory must
// hold the revision identifier unless it is all ones (27.3.1.5), 0 for
// RFLAGS bit 1, which must be 1 (27.3.1.4).
void guest_state(CaseContext& c) {
  const PhysAddr wrong_revision = c.env->vmcs_wrong_revision;
  guest_case(c, "vmlaunch_vmcs_link_pointer_wrong_revision", GuestProgram::kVmcallDispatched, 0,
             [&](GuestProbe& p, Findings& f) -> const char* {
               put(f, vmcs::kVmcsLinkPointer, wrong_revision.value);
               const ProbeExit e = p.enter(false);
               expect_exit(f, e, exit_reason::kInvalidGuestState, true);
               f.expect("exit qualification", kQualificationInvalidVmcsLinkPointer, e.qualification);
               return nullptr;
             });
  guest_case(c, "vmlaunch_guest_rflags_bit_1_clear", GuestProgram::kVmcallDispatched, 0,
             [](GuestProbe& p, Findings& f) -> const char* {
               put(f, vmcs::kGuestRflags, u64{0});
               const ProbeExit e = p.enter(false);
               expect_exit(f, e, exit_reason::kInvalidGuestState, true);
               f.expect("exit qualification", kQualificationDefault, e.qualification);
               return nullptr;
             });
}

// VM exits caused by an instruction (26.1.2 "Instructions That Cause VM Exits
// Unconditionally"): the guest RIP saved is the instruction's (28.3.3), and
// the VM-exit instruction length is its length (28.2.4).
struct InstructionExit {
  const char* name;
  GuestProgram program;
  u16 reason;
  u32 length;
  u8 bytes[3];
};
constexpr InstructionExit kInstructionExits[] = {
    {"vmcall_exit_reason_18", GuestProgram::kVmcallDispatched, exit_reason::kVmcall, 3, {0x0F, 0x01, 0xC1}},
    {"cpuid_exit_reason_10", GuestProgram::kCpuid, exit_reason::kCpuid, 2, {0x0F, 0xA2, 0x00}},
};

void expect_instruction_at_rip(Findings& f, const ProbeExit& e, const u8* bytes, u32 length) {
  if (!e.exited()) return;
  // The guest runs on the host's page tables: its RIP is a host address too.
  const volatile u8* at = reinterpret_cast<const volatile u8*>(e.guest_rip);
  for (u32 i = 0; i < length; ++i) f.expect("instruction byte at guest RIP", bytes[i], at[i]);
}

void instruction_exits(CaseContext& c) {
  for (const InstructionExit& x : kInstructionExits) {
    guest_case(c, x.name, x.program, 0, [&x](GuestProbe& p, Findings& f) -> const char* {
      const ProbeExit e = p.enter(false);
      expect_exit(f, e, x.reason, false);
      f.expect("VM-exit instruction length", x.length, e.instruction_length);
      expect_instruction_at_rip(f, e, x.bytes, x.length);
      return nullptr;
    });
  }
}

// EPT-induced VM exits (29.3.3.1 "EPT Misconfigurations", 29.3.3.2 "EPT
// Violations"): the guest-physical address field holds the address of the
// access (28.2.1). A read of a GPA with no EPT entry at all: Table 28-7 bit 0
// (data read) set, bits 1-2 (write, fetch) clear, bits 3-5 (the GPA's
// permissions) clear, bit 7 (guest-linear address valid) and bit 8 (the access
// was to the translation of that linear address, not to a paging-structure
// entry) set. Bit 6 and bits 9 and up depend on controls and features not in
// use, so they are not compared.
constexpr u64 kEptViolationCheckedBits = ept_violation::kDataRead | ept_violation::kDataWrite |
                                         ept_violation::kInstructionFetch | ept_violation::kReadable |
                                         ept_violation::kWritable | ept_violation::kExecutable |
                                         ept_violation::kLinearAddressValid | ept_violation::kTranslatedAccess;
constexpr u64 kEptViolationUnmappedRead =
    ept_violation::kDataRead | ept_violation::kLinearAddressValid | ept_violation::kTranslatedAccess;
static_assert(kEptViolationCheckedBits == 0x1BF && kEptViolationUnmappedRead == 0x181);

void ept_exits(CaseContext& c) {
  guest_case(c, "ept_violation_read_of_unmapped_gpa", GuestProgram::kEptViolation, core::kNeedsEpt,
             [](GuestProbe& p, Findings& f) -> const char* {
               const ProbeExit e = p.enter(false);
               expect_exit(f, e, exit_reason::kEptViolation, false);
               f.expect("guest-physical address", p.setup().probe_gpa, e.guest_physical_address);
               f.expect("exit qualification, the bits kEptViolationCheckedBits selects", kEptViolationUnmappedRead,
                        e.qualification & kEptViolationCheckedBits);
               f.expect("guest-linear address", p.setup().probe, e.guest_linear_address);
               return nullptr;
             });
  guest_case(c, "ept_misconfiguration_gpa", GuestProgram::kEptMisconfig, core::kNeedsEpt,
             [](GuestProbe& p, Findings& f) -> const char* {
               const ProbeExit e = p.enter(false);
               expect_exit(f, e, exit_reason::kEptMisconfiguration, false);
               f.expect("guest-physical address", p.setup().probe_gpa, e.guest_physical_address);
               return nullptr;
             });
}

// VMFUNC in the guest, with "enable VM functions" and only EPTP switching
// (function 0) enabled. 26.5.6.3: EPTP switching with ECX >= 512, or with an
// EPTP-list entry that is not a valid EPTP, causes a VM exit (reason 59); so
// does a function whose VM-function control is 0 (31.3 VMFUNC); EAX >= 64
// raises #UD (31.3 VMFUNC), which the exception bitmap turns into exit 0.
struct VmfuncExit {
  const char* name;
  u32 leaf, index;
  u16 reason;
};
constexpr u32 kInvalidEptpListIndex = 2;  // prepare() fills entries 0 and 1 only
constexpr u32 kEptpListEntries = 512;
constexpr u32 kVmFunctions = 64;
constexpr VmfuncExit kVmfuncExits[] = {
    {"vmfunc_invalid_eptp_list_entry", 0, kInvalidEptpListIndex, exit_reason::kVmfunc},
    {"vmfunc_eptp_index_512", 0, kEptpListEntries, exit_reason::kVmfunc},
    {"vmfunc_disabled_function_1", 1, 0, exit_reason::kVmfunc},
    {"vmfunc_function_64_ud", kVmFunctions, 0, exit_reason::kExceptionOrNmi},
};
constexpr u8 kVmfuncBytes[] = {0x0F, 0x01, 0xD4};

// VM-exit interruption information of a #UD (25.9.2 "Information for VM Exits
// Due to Vectored Events": vector 7:0, type 10:8 = 3 hardware exception, bit
// 31 valid); bit 11 (error code valid) is clear for #UD, bit 12 is not compared.
constexpr u32 kInterruptionCheckedBits = 0x80000FFF;
constexpr u32 kInterruptionUd = 0x80000000 | (3u << 8) | exception_vector::kInvalidOpcode;

void vmfunc_exits(CaseContext& c) {
  for (const VmfuncExit& x : kVmfuncExits) {
    guest_case(c, x.name, GuestProgram::kVmfuncSwitch, core::kNeedsEptpSwitching,
               [&x](GuestProbe& p, Findings& f) -> const char* {
                 p.job().program = GuestProgram::kVmfuncOnce;
                 p.job().vmfunc_leaf = x.leaf;
                 p.job().vmfunc_index = x.index;
                 if (x.index == kInvalidEptpListIndex)
                   p.eptp_list()[x.index] = 0;  // EPTP 0: memory type UC, walk length 1
                 const ProbeExit e = p.enter(false);
                 expect_exit(f, e, x.reason, false);
                 if (x.reason == exit_reason::kExceptionOrNmi)
                   f.expect("VM-exit interruption information", kInterruptionUd,
                            e.interruption_info & kInterruptionCheckedBits);
                 expect_instruction_at_rip(f, e, kVmfuncBytes, sizeof kVmfuncBytes);
                 return nullptr;
               });
  }
}

}  // namespace

void guest_entries(CaseContext& c) {
  launch_state(c);
  broken_control<clear_must_be_1_bit>(c, "vmlaunch_control_must_be_1_bit_clear",
                                      "no control field has a bit that must be 1 (Vol. 3D A.2)");
  broken_control<set_must_be_0_bit>(c, "vmlaunch_control_must_be_0_bit_set",
                                    "no control field has a bit that must be 0 (Vol. 3D A.2)");
  host_state(c);
  guest_state(c);
  instruction_exits(c);
  ept_exits(c);
  vmfunc_exits(c);
  // The probe cleared its VMCS; the suite's is current again for what follows.
  (void)vmptrld(c.env->ctx.vmcs);
}

}  // namespace vmxb::semantics
