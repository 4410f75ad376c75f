// The VM-instruction error table against the SDM (Vol. 3C, 31.4, Table 31-1).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "primitives/vm_instruction_error.h"

namespace vmxb {
namespace {

TEST(VmInstructionErrorTest, NumbersOneToTwentyEightWithoutTheUnassigned) {
  std::set<u32> numbers;
  for (const auto& e : kVmInstructionErrors) numbers.insert(e.number);
  std::set<u32> expected;
  for (u32 n = 1; n <= 28; ++n)
    if (n != 14 && n != 21 && n != 27) expected.insert(n);
  EXPECT_EQ(numbers, expected);
  EXPECT_EQ(array_size(kVmInstructionErrors), 25u) << "no duplicates";
}

TEST(VmInstructionErrorTest, LookupFindsAssignedNumbersOnly) {
  for (u32 n : {0u, 14u, 21u, 27u, 29u, 0xFFFFFFFFu}) {
    EXPECT_EQ(find_vm_instruction_error(n), nullptr) << n;
    EXPECT_STREQ(vm_instruction_error_description(n), "unassigned VM-instruction error number");
  }
  ASSERT_NE(find_vm_instruction_error(28), nullptr);
}

// The errors the semantics suite depends on, in the SDM's words.
TEST(VmInstructionErrorTest, DescriptionsMatchTheSdm) {
  EXPECT_STREQ(vm_instruction_error_description(3), "VMCLEAR with VMXON pointer");
  EXPECT_STREQ(vm_instruction_error_description(10), "VMPTRLD with VMXON pointer");
  EXPECT_STREQ(vm_instruction_error_description(11), "VMPTRLD with incorrect VMCS revision identifier");
  EXPECT_STREQ(vm_instruction_error_description(12), "VMREAD/VMWRITE from/to unsupported VMCS component");
  EXPECT_STREQ(vm_instruction_error_description(13), "VMWRITE to read-only VMCS component");
  EXPECT_STREQ(vm_instruction_error_description(15), "VMXON executed in VMX root operation");
  EXPECT_STREQ(vm_instruction_error_description(28), "Invalid operand to INVEPT/INVVPID");
  EXPECT_EQ(static_cast<u32>(VmInstructionError::kInvalidInveptInvvpidOperand), 28u);
  EXPECT_EQ(static_cast<u32>(VmInstructionError::kVmxonInVmxRoot), 15u);
}

TEST(VmInstructionErrorTest, IdsAreUniqueSnakeCase) {
  std::set<std::string> ids;
  for (const auto& e : kVmInstructionErrors) {
    const std::string id = e.id;
    EXPECT_TRUE(ids.insert(id).second) << id;
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos) << id;
  }
}

}  // namespace
}  // namespace vmxb
