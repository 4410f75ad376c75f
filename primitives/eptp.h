// The extended-page-table pointer (SDM Vol. 3C, 25.6.11 "Extended-Page-Table
// Pointer (EPTP)", Table 25-9), built and checked against IA32_VMX_EPT_VPID_CAP
// and MAXPHYADDR the way VM entry and INVEPT check it (27.2.1.1, 31.3 INVEPT).
//
//   2:0   EPT paging-structure memory type: 0 = UC, 6 = WB
//   5:3   page-walk length minus 1 (3 = 4 levels, 4 = 5 levels)
//   6     enable accessed and dirty flags
//   7     enforce access rights for supervisor shadow-stack pages
//   11:8  reserved
//   N-1:12 physical address of the EPT PML4 or PML5 table (N = MAXPHYADDR)
//   63:N  reserved
#pragma once

#include "primitives/types.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb {

enum class EptMemoryType : u8 { kUncacheable = 0, kWriteBack = 6 };

enum class EptpError : u8 {
  kNone = 0,
  kMemoryTypeReserved,       // not 0 or 6
  kMemoryTypeUnsupported,    // 0 or 6, but the capability bit is clear
  kWalkLengthUnsupported,    // not 4/5, or the capability bit is clear
  kAccessedDirtyUnsupported,
  kShadowStackUnsupported,
  kReservedBitsSet,          // bits 11:8
  kAddressBeyondMaxPhyAddr,  // bits 63:MAXPHYADDR
  kRootNotAligned,           // the root table address has bits 11:0 set
  kBadMaxPhyAddr,            // MAXPHYADDR outside 36..52
};

struct EptpErrorInfo {
  EptpError error;
  const char* id;
  const char* description;
};

inline constexpr EptpErrorInfo kEptpErrors[] = {
    {EptpError::kNone, "ok", "valid"},
    {EptpError::kMemoryTypeReserved, "memory_type_reserved", "memory type is neither UC (0) nor WB (6)"},
    {EptpError::kMemoryTypeUnsupported, "memory_type_unsupported",
     "memory type not allowed by IA32_VMX_EPT_VPID_CAP bits 8/14"},
    {EptpError::kWalkLengthUnsupported, "walk_length_unsupported",
     "page-walk length not allowed by IA32_VMX_EPT_VPID_CAP bits 6/7"},
    {EptpError::kAccessedDirtyUnsupported, "accessed_dirty_unsupported",
     "accessed/dirty flags not allowed by IA32_VMX_EPT_VPID_CAP bit 21"},
    {EptpError::kShadowStackUnsupported, "shadow_stack_unsupported",
     "supervisor shadow-stack control not allowed by IA32_VMX_EPT_VPID_CAP bit 23"},
    {EptpError::kReservedBitsSet, "reserved_bits_set", "reserved bits 11:8 set"},
    {EptpError::kAddressBeyondMaxPhyAddr, "address_beyond_maxphyaddr", "bits at or above MAXPHYADDR set"},
    {EptpError::kRootNotAligned, "root_not_aligned", "root table address not 4-KByte aligned"},
    {EptpError::kBadMaxPhyAddr, "bad_maxphyaddr", "MAXPHYADDR outside 36..52"},
};

constexpr const char* eptp_error_id(EptpError e) { return kEptpErrors[static_cast<u8>(e)].id; }

struct Eptp {
  u64 value;
};

struct EptpConfig {
  u64 root_table_pa;  // PML4 (walk length 4) or PML5 (walk length 5), 4-KByte aligned
  EptMemoryType memory_type = EptMemoryType::kWriteBack;
  u8 walk_length = 4;
  bool accessed_dirty = false;
  bool supervisor_shadow_stack = false;
};

struct EptpResult {
  Eptp eptp;
  EptpError error;
  constexpr bool ok() const { return error == EptpError::kNone; }
};

namespace eptp_bits {
inline constexpr u64 kMemoryType = bit_range(2, 0);
inline constexpr u64 kWalkLengthMinus1 = bit_range(5, 3);
inline constexpr u64 kAccessedDirty = bit(6);
inline constexpr u64 kSupervisorShadowStack = bit(7);
inline constexpr u64 kReserved = bit_range(11, 8);
}  // namespace eptp_bits

// Checks an encoded EPTP the way INVEPT and VM entry do; the first violated rule wins.
constexpr EptpError validate_eptp(u64 eptp, u64 ept_vpid_cap, unsigned maxphyaddr) {
  using namespace ept_vpid_cap;
  if (maxphyaddr < 36 || maxphyaddr > 52) return EptpError::kBadMaxPhyAddr;
  const u64 type = eptp & eptp_bits::kMemoryType;
  if (type != 0 && type != 6) return EptpError::kMemoryTypeReserved;
  if (!(ept_vpid_cap & (type == 0 ? kMemoryTypeUc : kMemoryTypeWb)))
    return EptpError::kMemoryTypeUnsupported;
  const u64 walk = ((eptp & eptp_bits::kWalkLengthMinus1) >> 3) + 1;
  const bool walk_ok = (walk == 4 && (ept_vpid_cap & kPageWalkLength4)) ||
                       (walk == 5 && (ept_vpid_cap & kPageWalkLength5));
  if (!walk_ok) return EptpError::kWalkLengthUnsupported;
  if ((eptp & eptp_bits::kAccessedDirty) && !(ept_vpid_cap & kAccessedDirtyFlags))
    return EptpError::kAccessedDirtyUnsupported;
  if ((eptp & eptp_bits::kSupervisorShadowStack) && !(ept_vpid_cap & kSupervisorShadowStack))
    return EptpError::kShadowStackUnsupported;
  if (eptp & eptp_bits::kReserved) return EptpError::kReservedBitsSet;
  if (eptp & bit_range(63, maxphyaddr)) return EptpError::kAddressBeyondMaxPhyAddr;
  return EptpError::kNone;
}

// Builds an EPTP and refuses what the capability MSR does not allow.
constexpr EptpResult make_eptp(const EptpConfig& config, u64 ept_vpid_cap, unsigned maxphyaddr) {
  if (config.root_table_pa & bit_range(11, 0)) return {{0}, EptpError::kRootNotAligned};
  if (config.walk_length != 4 && config.walk_length != 5)
    return {{0}, EptpError::kWalkLengthUnsupported};
  const u64 value = config.root_table_pa | static_cast<u64>(config.memory_type) |
                    (u64{config.walk_length - 1u} << 3) |
                    (config.accessed_dirty ? eptp_bits::kAccessedDirty : 0) |
                    (config.supervisor_shadow_stack ? eptp_bits::kSupervisorShadowStack : 0);
  const EptpError error = validate_eptp(value, ept_vpid_cap, maxphyaddr);
  return {{error == EptpError::kNone ? value : 0}, error};
}

}  // namespace vmxb
