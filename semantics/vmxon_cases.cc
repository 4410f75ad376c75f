// What VMXON checks before it enters VMX operation (Vol. 3C 31.3 VMXON
// "Operation", with CR4.VMXE = 1 and outside VMX operation):
//   #GP(0) if CR0 or CR4 is not supported in VMX operation (24.8: a bit set in
//   IA32_VMX_CRn_FIXED0 must be 1, a bit clear in IA32_VMX_CRn_FIXED1 must be 0);
//   VMfailInvalid if the pointer is not 4-KiB aligned or sets bits beyond the
//   physical-address width, or if the region's revision identifier is not this
//   processor's or has bit 31 set.
#include "primitives/control_registers.h"
#include "semantics/cases.h"

namespace vmxb::semantics {
namespace {

// VMXON, and VMXOFF again should it wrongly enter VMX operation, so that one
// failing case does not change what the next one runs in.
template <CaptureStrategy S>
Observation vmxon_expecting_failure(PhysAddr region) {
  const Observation o = observe<S>([&] { return vmxon<S>(region); });
  if (o == succeeds()) (void)vmxoff();
  return o;
}

struct ControlRegister {
  const char* case_name;
  u64 (*read)();
  void (*write)(u64);
  u64 fixed0, fixed1;
  u64 exempt;  // bits whose violation VMXON reports otherwise (CR4.VMXE clear: #UD)
};

// A bit whose flip makes the register violate its fixed bits and that MOV to
// CR accepts and keeps (MOV raises #GP for reserved bits, PG in long mode,
// ...), or -1. The register is unchanged afterwards.
int violable_bit(const ControlRegister& cr) {
  for (unsigned b = 0; b < 64; ++b) {
    const u64 old = cr.read();
    const u64 flipped = old ^ bit(b);
    if ((cr.exempt & bit(b)) || core::satisfies_fixed_bits(flipped, cr.fixed0, cr.fixed1)) continue;
    bool kept = false;
    const int fault = try_call([&] {
      cr.write(flipped);
      kept = cr.read() == flipped;
    });
    cr.write(old);
    if (fault == kNoFault && kept) return static_cast<int>(b);
  }
  return -1;
}

void check_fixed_bits(Suite& t, const Environment& env, const ControlRegister& cr, PhysAddr region) {
  if (!env.control_register_flips) {
    t.skip(cr.case_name, "the host flips no CR0/CR4 bit (a live kernel: NMI handlers would run with it)");
    return;
  }
  const int b = violable_bit(cr);
  if (b < 0) {
    t.skip(cr.case_name, "no single bit both violates the fixed bits and is accepted by MOV to CR");
    return;
  }
  t.check(cr.case_name, Observation{exception_vector::kGeneralProtection}, [&]<CaptureStrategy S> {
    const u64 old = cr.read();
    cr.write(old ^ bit(static_cast<unsigned>(b)));
    const Observation o = vmxon_expecting_failure<S>(region);
    cr.write(old);
    return o;
  });
}

}  // namespace

void vmxon_failures(CaseContext& c) {
  Suite& t = *c.suite;
  const Environment& env = *c.env;
  const PhysAddr region = env.ctx.vmxon_region;
  const auto vmxon_fails_invalid = [&t](const char* name, PhysAddr pointer) {
    t.check(name, fail_invalid(), [=]<CaptureStrategy S> { return vmxon_expecting_failure<S>(pointer); });
  };
  vmxon_fails_invalid("vmxon_unaligned_region", misaligned(region));
  vmxon_fails_invalid("vmxon_region_beyond_maxphyaddr", beyond_maxphyaddr(region, env));
  vmxon_fails_invalid("vmxon_wrong_revision_id", env.vmcs_wrong_revision);
  vmxon_fails_invalid("vmxon_revision_bit_31_set", env.vmcs_shadow_indicator);
  check_fixed_bits(t, env, {"vmxon_gp_cr0_violates_fixed_bits", platform::read_cr0, platform::write_cr0,
                       env.caps.cr0_fixed0, env.caps.cr0_fixed1, 0},
                   region);
  check_fixed_bits(t, env, {"vmxon_gp_cr4_violates_fixed_bits", platform::read_cr4, platform::write_cr4,
                       env.caps.cr4_fixed0, env.caps.cr4_fixed1, cr4::kVmxe.mask()},
                   region);
}

}  // namespace vmxb::semantics
