// INVEPT (Vol. 3C 31.3 INVEPT): the types the capabilities advertise, invalid
// EPTPs, and #UD where INVEPT is not advertised.
#include "semantics/cases.h"
#include "semantics/invalidation_checks.h"

namespace vmxb::semantics {
namespace {

constexpr u64 kInveptTypeBits[4] = {0, ept_vpid_cap::kInveptSingleContext, ept_vpid_cap::kInveptAllContext, 0};
const char* const kInveptWithVmcs[4] = {"invept_type_0_with_current_vmcs", "invept_type_1_with_current_vmcs",
                                        "invept_type_2_with_current_vmcs", "invept_type_3_with_current_vmcs"};
const char* const kInveptNoVmcs[4] = {"invept_type_0_without_current_vmcs", "invept_type_1_without_current_vmcs",
                                      "invept_type_2_without_current_vmcs", "invept_type_3_without_current_vmcs"};

// INVEPT exists only when advertised (31.3: #UD "If the logical processor does
// not support EPT/VPIDs or INVEPT/INVVPID"). Bochs executes it anyway on VMX
// models without EPT (measured on core2_penryn_t9600).
constexpr Deviation kBochsInveptWithoutEpt{succeeds(),
                                       "Vol. 3C 31.3 INVEPT: #UD if IA32_VMX_PROCBASED_CTLS2[33] = 0 or "
                                       "IA32_VMX_EPT_VPID_CAP[20] = 0"};

// EPTP fields an EPTP must not hold (25.6.11 "Extended-Page-Table Pointer (EPTP)"):
// memory type 2 is reserved (only 0 UC and 6 WB are defined), and bits 5:3
// hold the page-walk length minus 1, so 4 there asks for a 5-level walk.
constexpr u64 kReservedMemoryType = 2;
constexpr u64 kWalkLength5 = u64{5 - 1} << 3;
// Non-zero bits in INVEPT_DESC[127:64], which the SDM reserves.
constexpr u64 kReservedDescriptorBits = 0xFFFF;

}  // namespace

// INVEPT types 0-3 (31.3 INVEPT "Operation").
void invept_types(CaseContext& c, bool current_vmcs) {
  const TypeSweep sweep{kInveptTypeBits, kInveptWithVmcs, kInveptNoVmcs, c.invept_exists,
                        "INVEPT not advertised (IA32_VMX_PROCBASED_CTLS2 EPT / IA32_VMX_EPT_VPID_CAP[20])"};
  const InveptDescriptor d = make_invept_descriptor(c.env->ctx.eptp.value);
  check_types(c, sweep, current_vmcs, [&]<CaptureStrategy S>(u64 type) {
    return observe<S>([&] { return invept_raw<S>(type, d); });
  });
}

// Invalid EPTPs with single-context INVEPT: error 28 (31.3 INVEPT: "IF EPTP is
// not supported THEN VMfail"; 25.6.11 lists what makes an EPTP supported).
void invept_invalid_eptps(CaseContext& c) {
  Suite& t = *c.suite;
  const Environment& env = *c.env;
  const char* names[] = {"invept_eptp_reserved_memory_type", "invept_eptp_unsupported_walk_length",
                         "invept_eptp_bits_above_maxphyaddr", "invept_descriptor_bits_127_64_set"};
  if (!(c.invept_exists && (env.caps.ept_vpid_cap & ept_vpid_cap::kInveptSingleContext))) {
    for (const char* n : names) t.skip(n, "single-context INVEPT not advertised");
    return;
  }
  const u64 good = env.ctx.eptp.value;
  const u64 reserved_type = (good & ~eptp_bits::kMemoryType) | kReservedMemoryType;
  const u64 walk5 = (good & ~eptp_bits::kWalkLengthMinus1) | kWalkLength5;
  const u64 above = good | bit(env.maxphyaddr);
  const auto single = [](u64 eptp, u64 high) {
    return [=]<CaptureStrategy S> {
      const InveptDescriptor d{eptp, high};
      return observe<S>([&] { return invept_raw<S>(1, d); });
    };
  };
  t.check(names[0], kInvalidOperand, single(reserved_type, 0));
  if (env.caps.ept_vpid_cap & ept_vpid_cap::kPageWalkLength5) t.skip(names[1], "page-walk length 5 is supported");
  else t.check(names[1], kInvalidOperand, single(walk5, 0));
  if (env.maxphyaddr >= 52) t.skip(names[2], "MAXPHYADDR is 52: no address bit above it");
  else t.check(names[2], kInvalidOperand, single(above, 0));
  // Figure 31-1 says bits 127:64 must be zero, but 31.3 INVEPT "Operation"
  // never reads them: VMsucceed and error 28 are both conformant, so the
  // outcome is reported, not judged.
  t.observe_either(names[3], succeeds(), kInvalidOperand, single(good, kReservedDescriptorBits),
                   "Vol. 3C 31.3 INVEPT: Figure 31-1 reserves INVEPT_DESC[127:64] (must be zero), the Operation "
                   "section does not check them");
}

void invept_unadvertised(CaseContext& c) {
  check_ud_unless_advertised(c, "invept_ud_when_not_advertised", c.invept_exists, "INVEPT is advertised",
                             []<CaptureStrategy S> { return observe<S>([] { return invept_global<S>(); }); },
                             kBochsInveptWithoutEpt);
}

}  // namespace vmxb::semantics
