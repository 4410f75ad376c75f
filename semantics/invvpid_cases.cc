// INVVPID (Vol. 3C 31.3 INVVPID): the types the capabilities advertise,
// invalid descriptors, and #UD where INVVPID is not advertised.
#include "semantics/cases.h"
#include "semantics/citations.h"
#include "semantics/invalidation_checks.h"
#include "semantics/linear_address.h"

namespace vmxb::semantics {
namespace {

const char* const kInvvpidWithVmcs[4] = {"invvpid_type_0_with_current_vmcs", "invvpid_type_1_with_current_vmcs",
                                         "invvpid_type_2_with_current_vmcs", "invvpid_type_3_with_current_vmcs"};
const char* const kInvvpidNoVmcs[4] = {"invvpid_type_0_without_current_vmcs", "invvpid_type_1_without_current_vmcs",
                                       "invvpid_type_2_without_current_vmcs", "invvpid_type_3_without_current_vmcs"};

// INVVPID exists only when advertised (31.3: #UD "If the logical processor
// does not support EPT/VPIDs or INVEPT/INVVPID"). Bochs executes it anyway on
// VMX models without VPID (measured on core2_penryn_t9600).
constexpr CitedText kInvvpidUdRule =
    cited("Vol. 3C 31.3 INVVPID: #UD if ", secondary::kEnableVpid, " = 0 or ", ept_vpid_cap::kInvvpid, " = 0");
constexpr Deviation kBochsInvvpidWithoutVpid{succeeds(), kInvvpidUdRule.c_str()};
constexpr CitedText kInvvpidNotAdvertised =
    cited("INVVPID not advertised (IA32_VMX_PROCBASED_CTLS2 VPID / ", ept_vpid_cap::kInvvpid, ")");

// In 64-bit mode INVVPID's type register has 64 bits (31.3 INVVPID
// "Description"); Bochs 2.7 reads it as 32 bits without REX.W, as for INVEPT.
constexpr Deviation kBochsInvvpid32BitType{succeeds(),
                                           "Vol. 3C 31.3 INVVPID: in 64-bit mode the type is the 64-bit register; "
                                           "a type above FFFFFFFFH is not supported, VMfail(28)"};

// A valid descriptor's parts (31.3 INVVPID: bits 15:0 VPID, 63:16 reserved,
// 127:64 a canonical linear address), and the ways the suite breaks them.
constexpr u64 kVpid = 1;
constexpr u64 kLinearAddress = 0x10000;
constexpr u64 kDescriptorBit16 = 0x1'0000;  // the lowest reserved bit

}  // namespace

// INVVPID types 0-3 (31.3 INVVPID "Operation").
void invvpid_types(CaseContext& c, bool current_vmcs) {
  const TypeSweep sweep{kInvvpid, kInvvpidWithVmcs, kInvvpidNoVmcs, c.invvpid_exists,
                        kInvvpidNotAdvertised.c_str()};
  const InvvpidDescriptor d = make_invvpid_descriptor(kVpid, kLinearAddress);
  check_types(c, sweep, current_vmcs, [&]<CaptureStrategy S>(u64 type) {
    return observe<S>([&] { return invvpid_raw<S>(type, d); });
  });
}

// Invalid INVVPID descriptors (31.3 INVVPID "Operation": bits 63:16 must be 0;
// VPID 0 only for all-context; the address must be canonical for type 0).
void invvpid_invalid_descriptors(CaseContext& c) {
  Suite& t = *c.suite;
  const auto invvpid_case = [](u64 type, u64 low, u64 address) {
    return [=]<CaptureStrategy S> {
      const InvvpidDescriptor d{low, address};
      return observe<S>([&] { return invvpid_raw<S>(type, d); });
    };
  };
  const char* names[] = {"invvpid_vpid_0_individual_address", "invvpid_vpid_0_single_context",
                         "invvpid_vpid_0_single_context_retaining_globals", "invvpid_descriptor_bits_63_16_set",
                         "invvpid_noncanonical_address", "invvpid_type_sweep_4_to_7", "invvpid_type_all_ones",
                         "invvpid_type_bits_63_32_set"};
  if (!c.invvpid_exists) {
    for (const char* n : names) t.skip(n, "INVVPID not advertised");
    return;
  }
  const u64 cap = c.env->caps.ept_vpid_cap;
  const u64 types[3] = {0, 1, 3};
  for (int i = 0; i < 3; ++i) {
    const InvType* type = find_inv_type(kInvvpid, types[i]);
    if (type == nullptr || !type->cap.in(cap)) t.skip(names[i], "type not supported");
    else t.check(names[i], kInvalidOperand, invvpid_case(types[i], 0, kLinearAddress));
  }
  const u64 any_type = (cap & ept_vpid_cap::kInvvpidSingleContext) ? 1 : 2;
  t.check(names[3], kInvalidOperand, invvpid_case(any_type, kVpid | kDescriptorBit16, 0));
  if (!(cap & ept_vpid_cap::kInvvpidIndividualAddress)) t.skip(names[4], "individual-address INVVPID not supported");
  else t.check(names[4], kInvalidOperand,
               invvpid_case(0, kVpid, lowest_noncanonical_address(c.env->linear_address_width)));
  t.check(names[5], kInvalidOperand, []<CaptureStrategy S> {
    return sweep_reserved_types([](u64 type) {
      const InvvpidDescriptor d{kVpid, kLinearAddress};
      return observe<S>([&] { return invvpid_raw<S>(type, d); });
    });
  });
  t.check(names[6], kInvalidOperand, invvpid_case(~u64{0}, kVpid, kLinearAddress));
  // Over the all-context type (2), so that only bits 63:32 make the type invalid.
  const u64 type = kTypeBit32 | static_cast<u64>(InvvpidType::kAllContext);
  if (!(cap & ept_vpid_cap::kInvvpidAllContext)) t.skip(names[7], "all-context INVVPID not supported");
  else t.check(names[7], kInvalidOperand, invvpid_case(type, kVpid, kLinearAddress), &kBochsInvvpid32BitType);
}

void invvpid_unadvertised(CaseContext& c) {
  check_ud_unless_advertised(
      c, "invvpid_ud_when_not_advertised", c.invvpid_exists, "INVVPID is advertised",
      []<CaptureStrategy S> { return observe<S>([] { return invvpid<S>(InvvpidType::kAllContext, 0); }); },
      kBochsInvvpidWithoutVpid);
}

}  // namespace vmxb::semantics
