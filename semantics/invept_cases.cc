// INVEPT (Vol. 3C 31.3 INVEPT): the types the capabilities advertise, invalid
// EPTPs, and #UD where INVEPT is not advertised.
#include "semantics/cases.h"
#include "semantics/citations.h"
#include "semantics/invalidation_checks.h"

namespace vmxb::semantics {
namespace {

const char* const kInveptWithVmcs[4] = {"invept_type_0_with_current_vmcs", "invept_type_1_with_current_vmcs",
                                        "invept_type_2_with_current_vmcs", "invept_type_3_with_current_vmcs"};
const char* const kInveptNoVmcs[4] = {"invept_type_0_without_current_vmcs", "invept_type_1_without_current_vmcs",
                                      "invept_type_2_without_current_vmcs", "invept_type_3_without_current_vmcs"};

// INVEPT exists only when advertised (31.3: #UD "If the logical processor does
// not support EPT/VPIDs or INVEPT/INVVPID"). Bochs executes it anyway on VMX
// models without EPT (measured on core2_penryn_t9600).
constexpr CitedText kInveptUdRule =
    cited("Vol. 3C 31.3 INVEPT: #UD if ", secondary::kEnableEpt, " = 0 or ", ept_vpid_cap::kInvept, " = 0");
constexpr Deviation kBochsInveptWithoutEpt{succeeds(), kInveptUdRule.c_str()};
constexpr CitedText kInveptNotAdvertised =
    cited("INVEPT not advertised (IA32_VMX_PROCBASED_CTLS2 EPT / ", ept_vpid_cap::kInvept, ")");
constexpr CitedText kAccessedDirtySupported = cited("", ept_vpid_cap::kAccessedDirtyFlags, " = 1: A/D flags supported");
constexpr CitedText kBothMemoryTypes =
    cited("UC and WB both advertised (", ept_vpid_cap::kMemoryTypeUc, ", ", ept_vpid_cap::kMemoryTypeWb, ")");

// In 64-bit mode INVEPT's type register has 64 bits (31.3 INVEPT
// "Description"). Bochs 2.7 reads it as 32 bits unless REX.W is present
// (cpu/vmx.cc INVEPT: os64L), so 1_00000002H is type 2 there and succeeds.
constexpr Deviation kBochsInvept32BitType{succeeds(),
                                          "Vol. 3C 31.3 INVEPT: in 64-bit mode the type is the 64-bit register; "
                                          "a type above FFFFFFFFH is not supported, VMfail(28)"};

// EPTP fields an EPTP must not hold (25.6.11 "Extended-Page-Table Pointer (EPTP)"):
// memory type 2 is reserved (only 0 UC and 6 WB are defined), and bits 5:3
// hold the page-walk length minus 1, so 4 there asks for a 5-level walk.
constexpr u64 kReservedMemoryType = 2;
constexpr u64 kWalkLength5 = u64{5 - 1} << 3;
// Non-zero bits in INVEPT_DESC[127:64], which the SDM reserves.
constexpr u64 kReservedDescriptorBits = 0xFFFF;
// Bits 5:3 = 0 and = 7: walk lengths 1 and 8; bits 11:8 are reserved (25.6.11).
constexpr u64 kWalkLengthField0 = u64{0} << 3;
constexpr u64 kWalkLengthField7 = u64{7} << 3;
// EPT paging-structure memory types (25.6.11): 0 UC, 6 WB; kNoMemoryType: none left to try.
constexpr u64 kMemoryTypeUc = static_cast<u64>(EptMemoryType::kUncacheable);
constexpr u64 kMemoryTypeWb = static_cast<u64>(EptMemoryType::kWriteBack);
constexpr u64 kNoMemoryType = ~u64{0};

}  // namespace

// INVEPT types 0-3 (31.3 INVEPT "Operation").
void invept_types(CaseContext& c, bool current_vmcs) {
  const TypeSweep sweep{kInvept, kInveptWithVmcs, kInveptNoVmcs, c.invept_exists,
                        kInveptNotAdvertised.c_str()};
  const InveptDescriptor d = make_invept_descriptor(c.env->ctx.eptp.value);
  check_types(c, sweep, current_vmcs, [&]<CaptureStrategy S>(u64 type) {
    return observe<S>([&] { return invept_raw<S>(type, d); });
  });
}

// Invalid EPTPs with single-context INVEPT: error 28 (31.3 INVEPT: "IF VM
// entry with the enable EPT VM-execution control set to 1 would fail due to
// the EPTP value THEN VMfail"; the EPTP checks are those of 27.2.1.1, the
// fields those of 25.6.11).
void invept_invalid_eptps(CaseContext& c) {
  Suite& t = *c.suite;
  const Environment& env = *c.env;
  const char* names[] = {"invept_eptp_reserved_memory_type",   "invept_eptp_unsupported_walk_length",
                         "invept_eptp_bits_above_maxphyaddr",  "invept_descriptor_bits_127_64_set",
                         "invept_eptp_walk_length_field_0",    "invept_eptp_walk_length_field_7",
                         "invept_eptp_reserved_bits_11_8",     "invept_eptp_accessed_dirty_unsupported",
                         "invept_eptp_unadvertised_memory_type"};
  if (!(c.invept_exists && (env.caps.ept_vpid_cap & ept_vpid_cap::kInveptSingleContext))) {
    for (const char* n : names) t.skip(n, "single-context INVEPT not advertised");
    return;
  }
  const u64 cap = env.caps.ept_vpid_cap;
  const u64 good = env.ctx.eptp.value;
  const auto with = [good](u64 field, u64 value) { return (good & ~field) | value; };
  const auto single = [](u64 eptp, u64 high) {
    return [=]<CaptureStrategy S> {
      const InveptDescriptor d{eptp, high};
      return observe<S>([&] { return invept_raw<S>(1, d); });
    };
  };
  t.check(names[0], kInvalidOperand, single(with(eptp_bits::kMemoryType, kReservedMemoryType), 0));
  if (cap & ept_vpid_cap::kPageWalkLength5) t.skip(names[1], "page-walk length 5 is supported");
  else t.check(names[1], kInvalidOperand, single(with(eptp_bits::kWalkLengthMinus1, kWalkLength5), 0));
  if (env.maxphyaddr >= 52) t.skip(names[2], "MAXPHYADDR is 52: no address bit above it");
  else t.check(names[2], kInvalidOperand, single(good | bit(env.maxphyaddr), 0));
  // Figure 31-1 says bits 127:64 must be zero, but 31.3 INVEPT "Operation"
  // never reads them: VMsucceed and error 28 are both conformant, so the
  // outcome is reported, not judged.
  t.observe_either(names[3], succeeds(), kInvalidOperand, single(good, kReservedDescriptorBits),
                   "Vol. 3C 31.3 INVEPT: Figure 31-1 reserves INVEPT_DESC[127:64] (must be zero), the Operation "
                   "section does not check them");
  // Walk lengths 1 and 8 exist on no processor, 5-level EPT or not (A.10:
  // only bits 6 and 7 report walk lengths 4 and 5).
  t.check(names[4], kInvalidOperand, single(with(eptp_bits::kWalkLengthMinus1, kWalkLengthField0), 0));
  t.check(names[5], kInvalidOperand, single(with(eptp_bits::kWalkLengthMinus1, kWalkLengthField7), 0));
  t.check(names[6], kInvalidOperand, single(good | eptp_bits::kReserved, 0));
  if (cap & ept_vpid_cap::kAccessedDirtyFlags) t.skip(names[7], kAccessedDirtySupported.c_str());
  else t.check(names[7], kInvalidOperand, single(good | eptp_bits::kAccessedDirty, 0));
  const u64 unadvertised = !(cap & ept_vpid_cap::kMemoryTypeUc)   ? u64{kMemoryTypeUc}
                           : !(cap & ept_vpid_cap::kMemoryTypeWb) ? u64{kMemoryTypeWb}
                                                                  : kNoMemoryType;
  if (unadvertised == kNoMemoryType) t.skip(names[8], kBothMemoryTypes.c_str());
  else t.check(names[8], kInvalidOperand, single(with(eptp_bits::kMemoryType, unadvertised), 0));
}

// Reserved INVEPT types (31.3 INVEPT "Operation"), with a current VMCS.
void invept_invalid_types(CaseContext& c) {
  Suite& t = *c.suite;
  const char* names[] = {"invept_type_sweep_4_to_7", "invept_type_bits_63_32_set"};
  if (!c.invept_exists) {
    for (const char* n : names) t.skip(n, "INVEPT not advertised");
    return;
  }
  const InveptDescriptor d = make_invept_descriptor(c.env->ctx.eptp.value);
  t.check(names[0], kInvalidOperand, [&]<CaptureStrategy S> {
    return sweep_reserved_types([&](u64 type) { return observe<S>([&] { return invept_raw<S>(type, d); }); });
  });
  // Over the global type (2), so that only bits 63:32 make the type invalid.
  const u64 type = kTypeBit32 | static_cast<u64>(InveptType::kGlobal);
  if (!(c.env->caps.ept_vpid_cap & ept_vpid_cap::kInveptAllContext)) t.skip(names[1], "all-context INVEPT not supported");
  else t.check(names[1], kInvalidOperand, [&]<CaptureStrategy S> {
    return observe<S>([&] { return invept_raw<S>(type, d); });
  }, &kBochsInvept32BitType);
}

void invept_unadvertised(CaseContext& c) {
  check_ud_unless_advertised(c, "invept_ud_when_not_advertised", c.invept_exists, "INVEPT is advertised",
                             []<CaptureStrategy S> { return observe<S>([] { return invept_global<S>(); }); },
                             kBochsInveptWithoutEpt);
}

}  // namespace vmxb::semantics
