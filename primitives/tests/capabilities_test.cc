// The capability tables against the SDM's bit positions (Vol. 3D, Appendix A),
// checked with MSR values Bochs corei7_skylake_x reports in ring 0.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "primitives/cpuid_bits.h"
#include "primitives/inv_types.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb {
namespace {

const VmxMsrInfo& info(u32 index) {
  const VmxMsrInfo* i = find_vmx_msr(index);
  EXPECT_NE(i, nullptr) << std::hex << index;
  return *i;
}

bool has_bit(const BitTable& t, u8 b, const std::string& name) {
  for (const auto& e : t)
    if (e.bit == b) return name == e.name;
  return false;
}

TEST(CapabilitiesTest, MsrIndicesAreTheSdms) {
  EXPECT_EQ(std::string(info(0x3A).name), "IA32_FEATURE_CONTROL");
  EXPECT_EQ(std::string(info(0x480).name), "IA32_VMX_BASIC");
  EXPECT_EQ(std::string(info(0x48B).name), "IA32_VMX_PROCBASED_CTLS2");
  EXPECT_EQ(std::string(info(0x48C).name), "IA32_VMX_EPT_VPID_CAP");
  EXPECT_EQ(std::string(info(0x491).name), "IA32_VMX_VMFUNC");
  EXPECT_EQ(std::string(info(0x492).name), "IA32_VMX_PROCBASED_CTLS3");
  EXPECT_EQ(std::string(info(0x493).name), "IA32_VMX_EXIT_CTLS2");
  EXPECT_EQ(find_vmx_msr(0x494), nullptr);
  EXPECT_EQ(info(0x482).true_counterpart, 0x48Eu);
  EXPECT_EQ(info(0x491).layout, MsrLayout::kBitmap);
  EXPECT_EQ(info(0x492).layout, MsrLayout::kAllowed1Only);
}

TEST(CapabilitiesTest, EptVpidBitsAreNamedAtTheSdmPositions) {
  const BitTable t = info(0x48C).bits;
  EXPECT_TRUE(has_bit(t, 6, "Page-walk length 4"));
  EXPECT_TRUE(has_bit(t, 20, "INVEPT supported"));
  EXPECT_TRUE(has_bit(t, 25, "Single-context INVEPT"));
  EXPECT_TRUE(has_bit(t, 26, "All-context INVEPT"));
  EXPECT_TRUE(has_bit(t, 40, "Individual-address INVVPID"));
  EXPECT_TRUE(has_bit(t, 43, "Single-context-retaining-globals INVVPID"));
  EXPECT_EQ(ept_vpid_cap::kInveptSingleContext, 1ull << 25);
  EXPECT_EQ(ept_vpid_cap::kInvvpidAllContext, 1ull << 42);
}

TEST(CapabilitiesTest, BitTablesAreSortedAndUnique) {
  for (const auto& m : kVmxMsrs) {
    int last = -1;
    for (const auto& b : m.bits) {
      EXPECT_GT(b.bit, last) << m.name;
      EXPECT_LT(b.bit, 64) << m.name;
      last = b.bit;
    }
  }
}

TEST(CapabilitiesTest, SkylakeValuesDecodeAsTheSdmSays) {
  constexpr u64 kProcbasedCtls2 = 0x2177fff00000000ull;
  constexpr u64 kEptVpidCap = 0xf0106334141ull;
  constexpr u64 kFeatureControl = 0x5;
  EXPECT_TRUE(control_allowed1(kProcbasedCtls2, secondary::kEnableEpt));
  EXPECT_TRUE(control_allowed1(kProcbasedCtls2, secondary::kEnableVpid));
  EXPECT_TRUE(control_allowed1(kProcbasedCtls2, secondary::kUnrestrictedGuest));
  EXPECT_TRUE(kEptVpidCap & ept_vpid_cap::kInveptSingleContext);
  EXPECT_TRUE(kEptVpidCap & ept_vpid_cap::kInveptAllContext);
  for (u64 b : {ept_vpid_cap::kInvvpidIndividualAddress, ept_vpid_cap::kInvvpidSingleContext,
                ept_vpid_cap::kInvvpidAllContext, ept_vpid_cap::kInvvpidSingleContextRetainingGlobals})
    EXPECT_TRUE(kEptVpidCap & b);
  EXPECT_TRUE(kFeatureControl & feature_control::kLock);
  EXPECT_TRUE(kFeatureControl & feature_control::kVmxOutsideSmx);
  EXPECT_FALSE(kFeatureControl & feature_control::kVmxInsideSmx);
  constexpr u64 kBasic = 0xd810000000002bull;
  EXPECT_EQ(kBasic & basic::kRevisionIdMask, 0x2bu);
  EXPECT_EQ(basic::vmcs_size(kBasic), 0x1000u);
  EXPECT_EQ(basic::memory_type(kBasic), 6u);
  EXPECT_TRUE(kBasic & basic::kTrueControls);
}

TEST(CapabilitiesTest, Default1ClassesAreTheSdms) {
  // A.2: pin-based 1, 2, 4; proc-based 1, 4-6, 8, 13-16, 26; exit 0-8, 10, 11,
  // 13, 14, 16, 17; entry 0-8, 12.
  auto mask = [](std::initializer_list<int> bits) {
    u32 m = 0;
    for (int b : bits) m |= 1u << b;
    return m;
  };
  EXPECT_EQ(kPinBasedDefault1, mask({1, 2, 4}));
  EXPECT_EQ(kProcBasedDefault1, mask({1, 4, 5, 6, 8, 13, 14, 15, 16, 26}));
  EXPECT_EQ(kExitDefault1, mask({0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 16, 17}));
  EXPECT_EQ(kEntryDefault1, mask({0, 1, 2, 3, 4, 5, 6, 7, 8, 12}));
}

// The bits an MSR's tables account for, control bits for control MSRs: each
// must be named, part of a field or reserved, and only once. Returns what is
// wrong ("" when every bit is accounted for exactly once).
std::string coverage_errors(const VmxMsrInfo& m) {
  const unsigned width = m.layout == MsrLayout::kControls ? 32 : 64;
  int count[64] = {};
  for (const auto& b : m.bits) ++count[b.bit];
  for (const auto& c : m.cr_bits) ++count[c.bit];
  for (const auto& f : m.fields)
    for (unsigned b = f.lo; b <= f.hi; ++b) ++count[b];
  for (const auto& r : m.reserved)
    for (unsigned b = r.lo; b <= r.hi; ++b) ++count[b];
  std::string errors;
  for (unsigned b = 0; b < 64; ++b) {
    const int want = b < width ? 1 : 0;
    if (count[b] != want)
      errors += std::string(m.name) + " bit " + std::to_string(b) + " accounted for " + std::to_string(count[b]) +
                " times; ";
  }
  return errors;
}

TEST(CapabilitiesTest, EveryBitIsNamedOrReservedExactlyOnce) {
  for (const auto& m : kVmxMsrs) EXPECT_EQ(coverage_errors(m), "") << m.name;
}

TEST(CapabilitiesTest, CoverageCheckerFindsAGapAndAnOverlap) {
  // Negative control: the checker above must see a missing bit and a bit
  // listed twice, or the test before it proves nothing.
  VmxMsrInfo gap = *find_vmx_msr(msr::kVmxVmfunc);
  gap.reserved = {};
  EXPECT_NE(coverage_errors(gap).find("IA32_VMX_VMFUNC bit 1 accounted for 0 times"), std::string::npos);
  static constexpr ReservedBits kOverlap[] = {{63, 0}};
  VmxMsrInfo twice = *find_vmx_msr(msr::kVmxVmfunc);
  twice.reserved = table(kOverlap);
  EXPECT_NE(coverage_errors(twice).find("IA32_VMX_VMFUNC bit 0 accounted for 2 times"), std::string::npos);
}

TEST(CapabilitiesTest, HandlesBelongToTheirTablesMsr) {
  for (const auto& m : kVmxMsrs) {
    for (const auto& b : m.bits) {
      const VmxMsrInfo* legacy = find_vmx_msr(b.msr);
      ASSERT_NE(legacy, nullptr) << b.name;
      EXPECT_TRUE(b.msr == m.index || legacy->true_counterpart == m.index) << m.name << ": " << b.name;
      EXPECT_EQ(b.kind == BitKind::kControl, m.layout == MsrLayout::kControls) << m.name << ": " << b.name;
    }
  }
}

TEST(CapabilitiesTest, ReservedControlsAgreeWithTheDefault1Class) {
  for (const auto& m : kVmxMsrs) {
    if (m.layout != MsrLayout::kControls || m.default1 == 0) continue;
    for (const auto& r : m.reserved) {
      const u32 bits = static_cast<u32>(r.mask());
      if (r.kind == ReservedKind::kDefault1)
        EXPECT_EQ(bits & ~m.default1, 0u) << m.name << " " << int(r.hi) << ":" << int(r.lo);
      else
        EXPECT_EQ(bits & m.default1, 0u) << m.name << " " << int(r.hi) << ":" << int(r.lo);
    }
  }
}

TEST(CapabilitiesTest, SecondaryExitControlsAreNamed) {
  const VmxMsrInfo& m = info(0x493);
  EXPECT_TRUE(has_bit(m.bits, 0, "Save IA32_FRED"));
  EXPECT_TRUE(has_bit(m.bits, 1, "Load IA32_FRED"));
  EXPECT_TRUE(has_bit(m.bits, 3, "Prematurely busy shadow stack"));
  EXPECT_EQ(mask_of(m.present_if), 1ull << 63) << "exists if the primary exit control 31 may be 1";
}

TEST(CapabilitiesTest, ControlHandlesTestTheAllowed1Half) {
  EXPECT_EQ(secondary::kEnableEpt.msr_bit(), 33u);
  EXPECT_EQ(secondary::kEnableVpid.mask(), 1ull << 37);
  EXPECT_TRUE(control_allowed1(1ull << 33, secondary::kEnableEpt));
  EXPECT_FALSE(control_allowed1(1ull << 1, secondary::kEnableEpt)) << "bit 1 is the allowed-0 half";
  EXPECT_TRUE(secondary::kEnableEpt.forced_in(1ull << 1));
  EXPECT_EQ(tertiary::kIpiVirtualization.mask(), 1ull << 4) << "PROCBASED_CTLS3 has no allowed-0 half";
}

TEST(CapabilitiesTest, InvTypeTablesMatchTheOperandsAndBits) {
  ASSERT_EQ(kInvept.types.size, 2u);
  EXPECT_EQ(kInveptTypes[0].type, 1u);
  EXPECT_EQ(kInveptTypes[0].cap.bit, 25);
  EXPECT_EQ(kInveptTypes[1].type, 2u);
  EXPECT_EQ(kInveptTypes[1].cap.bit, 26);
  ASSERT_EQ(kInvvpid.types.size, 4u);
  for (usize i = 0; i < 4; ++i) {
    EXPECT_EQ(kInvvpidTypes[i].type, i);
    EXPECT_EQ(kInvvpidTypes[i].cap.bit, 40 + i);
  }
  EXPECT_EQ(find_inv_type(kInvept, 0), nullptr);
  EXPECT_EQ(find_inv_type(kInvept, 3), nullptr);
  EXPECT_EQ(find_inv_type(kInvvpid, 4), nullptr);
  EXPECT_EQ(find_inv_type(kInvvpid, 3), &kInvvpidTypes[3]);
  EXPECT_EQ(kInvept.instruction.bit, 20);
  EXPECT_EQ(kInvvpid.instruction.bit, 32);
}

TEST(CapabilitiesTest, MessagesCiteTheHandlesBits) {
  FixedText<64> t;
  add_citation(t, ept_vpid_cap::kInveptSingleContext);
  EXPECT_STREQ(t.c_str(), "IA32_VMX_EPT_VPID_CAP[25]");
  FixedText<64> c;
  add_citation(c, secondary::kEnableEpt);
  EXPECT_STREQ(c.c_str(), "IA32_VMX_PROCBASED_CTLS2[33]");
  constexpr auto kReason = unsupported_reason(kInvept, invept_type::kSingleContext);
  static_assert(kReason.fits());
  EXPECT_STREQ(kReason.c_str(),
               "single-context INVEPT not supported (IA32_VMX_PROCBASED_CTLS2 EPT, IA32_VMX_EPT_VPID_CAP bits 20/25)");
  EXPECT_STREQ((kUnsupportedReason<kInvvpid, invvpid_type::kSingleContextRetainingGlobals>.c_str()),
               "single-context-retaining-globals INVVPID not supported (IA32_VMX_PROCBASED_CTLS2 VPID, "
               "IA32_VMX_EPT_VPID_CAP bits 32/43)");
  for (const auto* inv : {&kInvept, &kInvvpid})
    for (const auto& type : inv->types) EXPECT_TRUE(unsupported_reason(*inv, type).fits()) << type.name;
}

TEST(CapabilitiesTest, FixedTextCutsOffInsteadOfOverflowing) {
  FixedText<4> t;
  t.add("abcdef").add_dec(12);
  EXPECT_STREQ(t.c_str(), "abc");
  EXPECT_FALSE(t.fits());
  FixedText<16> h;
  h.add_hex(0x80000001u).add(" ").add_dec(0);
  EXPECT_STREQ(h.c_str(), "80000001 0");
}

TEST(CapabilitiesTest, CpuidAndControlRegisterBitsAreTheSdms) {
  EXPECT_EQ(cpuid::kVmx.mask(), 1u << 5);
  EXPECT_EQ(cpuid::kSmx.mask(), 1u << 6);
  EXPECT_EQ(cpuid::kHypervisor.mask(), 1u << 31);
  EXPECT_EQ(cpuid::kLongMode.mask(), 1u << 29);
  EXPECT_EQ(cpuid::kRdtscp.mask(), 1u << 27);
  EXPECT_EQ(cpuid::kNx.mask(), 1u << 20);
  EXPECT_TRUE(cpuid::kVmx.in(0x77faf3bfu)) << "Bochs corei7_skylake_x CPUID.1:ECX";
  EXPECT_EQ(cr4::kVmxe.mask(), 1ull << 13);
  EXPECT_EQ(cr0::kPe.mask() | cr0::kNe.mask() | cr0::kPg.mask(), 0x80000021ull);
}

TEST(CapabilitiesTest, CpuidCitationsAreWrittenAsTheSdmDoes) {
  FixedText<64> a, b, c;
  add_cpuid_citation(a, cpuid::kVmx);
  EXPECT_STREQ(a.c_str(), "CPUID.1:ECX.VMX[5]");
  add_cpuid_citation(b, cpuid::kLongMode, {.with_name = false, .bit_word = true});
  EXPECT_STREQ(b.c_str(), "CPUID.80000001H:EDX[bit 29]");
  add_cpuid_citation(c, cpuid::kHypervisor, {.with_name = false});
  EXPECT_STREQ(c.c_str(), "CPUID.1:ECX[31]");
}

}  // namespace
}  // namespace vmxb
