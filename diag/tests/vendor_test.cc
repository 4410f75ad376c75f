// Issue 14 item 15: the VMX bit comes from the raw CPUID leaf whatever the
// vendor string, and the KVM verdict follows Linux's vendor rule for
// IA32_FEATURE_CONTROL (feat_ctl.c: Intel, Centaur, Zhaoxin only).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "diag/diagnosis.h"
#include "diag/identify.h"
#include "diag/tests/test_util.h"
#include "primitives/cpuid_bits.h"

namespace vmxb::diag {
namespace {

// CPUID leaf 0: the vendor string is EBX, EDX, ECX.
CpuidLeaf vendor_leaf(const char (&vendor)[13]) {
  CpuidLeaf l;
  l.leaf = 0;
  l.eax = 1;
  std::memcpy(&l.ebx, vendor, 4);
  std::memcpy(&l.edx, vendor + 4, 4);
  std::memcpy(&l.ecx, vendor + 8, 4);
  return l;
}

TEST(Vendor, VmxBitIsTheRawLeafForANonIntelVendor) {
  CpuidLeaf leaf1;
  leaf1.leaf = cpuid_leaf::kFeatures;
  leaf1.eax = 0x00800f12;  // a family 0x17 signature
  leaf1.ecx = cpuid::kVmx.mask();
  Identity id;
  std::string error;
  ASSERT_TRUE(identify_from_leaves({vendor_leaf("AuthenticAMD"), leaf1}, id, error)) << error;
  EXPECT_EQ(id.vendor, "AuthenticAMD");
  EXPECT_TRUE(id.vmx);
  EXPECT_FALSE(id.smx);

  leaf1.ecx = 0;
  ASSERT_TRUE(identify_from_leaves({vendor_leaf("AuthenticAMD"), leaf1}, id, error)) << error;
  EXPECT_FALSE(id.vmx);
}

Diagnosis skylake_as(const std::string& vendor) {
  Snapshot s = testing::load_testdata("corei7_skylake_x");
  s.identity.vendor = vendor;
  return diagnose(std::move(s));
}

TEST(Vendor, KvmNeedsAVendorLinuxReadsFeatureControlFor) {
  const Diagnosis intel = skylake_as("GenuineIntel");
  ASSERT_EQ(intel.verdicts.kvm.loads, true);
  for (const char* trusted : {"CentaurHauls", "  Shanghai  "})
    EXPECT_EQ(skylake_as(trusted).verdicts.kvm.loads, true) << trusted;

  const Diagnosis other = skylake_as("AuthenticAMD");
  EXPECT_EQ(other.verdicts.kvm.loads, false);
  bool named = false;
  for (const auto& b : other.verdicts.kvm.blockers) named |= b.find("\"AuthenticAMD\"") != std::string::npos;
  EXPECT_TRUE(named);
}

}  // namespace
}  // namespace vmxb::diag
