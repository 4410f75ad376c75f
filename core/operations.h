// The operations the measurement core can time, derived from their rows in
// core/operation_rows.h: the boot image, the kernel module, //bench and the
// tests all iterate kOperations; nothing else lists them.
#pragma once

#include "primitives/types.h"

namespace vmxb::core {

// What an operation needs before it may execute. Checked against the
// capability MSRs (capabilities.h), never against "it did not fault": Bochs
// executes INVEPT on models that do not advertise EPT.
enum Requirement : u32 {
  kNeedsNothing = 0,
  // VMX root operation, with VmxContext::vmcs current unless the body leaves
  // VMX operation (run_operation.h, ChunkVmcs).
  kNeedsVmxRoot = 1u << 0,
  kNeedsInveptSingle = 1u << 1,
  kNeedsInveptGlobal = 1u << 2,
  kNeedsInvvpidIndividual = 1u << 3,
  kNeedsInvvpidSingle = 1u << 4,
  kNeedsInvvpidAll = 1u << 5,
  kNeedsInvvpidSingleRetaining = 1u << 6,
  // The body leaves and re-enters VMX operation: each chunk starts with no
  // active VMCS (VMXOFF with one active leaves its data undefined, 25.11.1).
  kLeavesVmxOperation = 1u << 7,
  // Guest rows (guest/guest_run.h): the body runs in a guest this core
  // launches, behind the platform's GuestEnvironment.
  kNeedsGuest = 1u << 8,
  kNeedsEpt = 1u << 9,             // "enable EPT" may be 1
  kNeedsVpid = 1u << 10,           // "enable VPID" may be 1
  kNeedsEptpSwitching = 1u << 11,  // VM functions with EPTP switching (A.11)
  // The row writes kTouchSeries sample series (flush, warm, refill, collateral).
  kWritesTouchSeries = 1u << 12,
};

enum class OpId : u16 {
#define VMXB_OPERATION(Id, name, needs, what, ...) k##Id,
#include "core/operation_rows.h"
#undef VMXB_OPERATION
  kCount,
};

struct OperationInfo {
  OpId id;
  const char* name;
  u32 needs;  // Requirement bits
  const char* what;
};

inline constexpr OperationInfo kOperations[] = {
#define VMXB_OPERATION(Id, name, needs, what, ...) {OpId::k##Id, #name, needs, what},
#include "core/operation_rows.h"
#undef VMXB_OPERATION
};

static_assert(array_size(kOperations) == static_cast<usize>(OpId::kCount));
static_assert([] {
  for (usize i = 0; i < array_size(kOperations); ++i)
    if (static_cast<usize>(kOperations[i].id) != i) return false;
  return true;
}(), "kOperations is indexed by OpId");

namespace detail {

// `id` is `name` in CamelCase: "invept_single_context" -> "InveptSingleContext".
constexpr bool is_camel_case_of(const char* id, const char* name) {
  bool upper = true;
  for (; *name != '\0'; ++name) {
    if (*name == '_') {
      upper = true;
      continue;
    }
    const char want = upper && *name >= 'a' && *name <= 'z' ? static_cast<char>(*name - 'a' + 'A') : *name;
    if (*id++ != want) return false;
    upper = false;
  }
  return *id == '\0';
}

inline constexpr const char* kOpIdNames[] = {
#define VMXB_OPERATION(Id, name, needs, what, ...) #Id,
#include "core/operation_rows.h"
#undef VMXB_OPERATION
};

}  // namespace detail

static_assert([] {
  for (usize i = 0; i < array_size(kOperations); ++i) {
    if (!detail::is_camel_case_of(detail::kOpIdNames[i], kOperations[i].name)) return false;
    for (usize j = 0; j < i; ++j)
      if (streq(kOperations[i].name, kOperations[j].name)) return false;
  }
  return true;
}(), "operation_rows.h: each Id is its name in CamelCase, and names are unique");
static_assert(!detail::is_camel_case_of("InveptGlobal", "invept_single_context") &&
              !detail::is_camel_case_of("Nop1", "nop_10") && detail::is_camel_case_of("Nop10", "nop_10"));

// Rows marked kWritesTouchSeries write these series, each `iterations` long,
// one after the other in the sample buffer; the first is the row's own time.
inline constexpr u32 kTouchSeries = 4;
inline constexpr const char* kTouchSeriesNames[kTouchSeries] = {"flush", "warm", "refill", "collateral"};
constexpr u32 sample_series(const OperationInfo& op) { return (op.needs & kWritesTouchSeries) ? kTouchSeries : 1; }

constexpr const OperationInfo& operation_info(OpId id) { return kOperations[static_cast<u16>(id)]; }

// nullptr when no operation has that name.
constexpr const OperationInfo* find_operation(const char* name) {
  for (const auto& op : kOperations)
    if (streq(op.name, name)) return &op;
  return nullptr;
}

// The calibration bodies: nop_<N> executes exactly N NOPs, so its net ticks
// under Bochs are exactly N (harness/tests:calibration_test). 0 for others.
constexpr u32 nop_count(const OperationInfo& op) {
  const char* p = op.name;
  for (const char* prefix = "nop_"; *prefix != '\0'; ++prefix, ++p)
    if (*p != *prefix) return 0;
  u32 n = 0;
  for (; *p >= '0' && *p <= '9'; ++p) n = n * 10 + static_cast<u32>(*p - '0');
  return *p == '\0' ? n : 0;
}
// The throughput rows: <base>_unrolled_<N> executes N copies of <base>'s
// instruction back to back; 0 for every other row.
inline constexpr u32 kUnrolledCopies = 16;  // n; the partner row has 2n
constexpr u32 unrolled_copies(const OperationInfo& op) {
  const char* p = op.name;
  const char* tail = nullptr;
  for (const char* q = p; *q != '\0'; ++q) {
    const char* m = "_unrolled_";
    const char* r = q;
    while (*m != '\0' && *r == *m) ++m, ++r;
    if (*m == '\0') tail = r;
  }
  if (tail == nullptr) return 0;
  u32 n = 0;
  for (; *tail >= '0' && *tail <= '9'; ++tail) n = n * 10 + static_cast<u32>(*tail - '0');
  return *tail == '\0' ? n : 0;
}

namespace detail {
// Whether `name` is `base` followed by "_unrolled_<copies>".
constexpr bool is_unrolled_of(const char* name, const char* base, u32 copies) {
  while (*base != '\0' && *name == *base) ++name, ++base;
  if (*base != '\0') return false;
  for (const char* m = "_unrolled_"; *m != '\0'; ++m, ++name)
    if (*name != *m) return false;
  u32 n = 0;
  for (; *name >= '0' && *name <= '9'; ++name) n = n * 10 + static_cast<u32>(*name - '0');
  return *name == '\0' && n == copies;
}
}  // namespace detail

// Whether a row named `base` + "_unrolled_" + copies exists. (Counted, not
// compared with nullptr: the kernel's -fno-delete-null-pointer-checks makes
// "address != nullptr" no constant expression.)
constexpr bool has_unrolled_row(const char* base, u32 copies) {
  for (const auto& op : kOperations)
    if (detail::is_unrolled_of(op.name, base, copies)) return true;
  return false;
}

// The row named `base` + "_unrolled_" + copies, or nullptr.
constexpr const OperationInfo* unrolled_row(const char* base, u32 copies) {
  for (const auto& op : kOperations)
    if (detail::is_unrolled_of(op.name, base, copies)) return &op;
  return nullptr;
}

// Every throughput row is n or 2n copies of a row that exists, and has its partner.
static_assert([] {
  usize pairs = 0;
  for (const auto& base : kOperations) {
    const bool n = has_unrolled_row(base.name, kUnrolledCopies);
    const bool twice_n = has_unrolled_row(base.name, 2 * kUnrolledCopies);
    if (n != twice_n) return false;
    pairs += n ? 1 : 0;
  }
  usize unrolled = 0;
  for (const auto& op : kOperations) unrolled += unrolled_copies(op) != 0 ? 1 : 0;
  return pairs > 0 && unrolled == 2 * pairs;
}(), "operation_rows.h: each <base>_unrolled_16 has <base> and <base>_unrolled_32, and nothing else is unrolled");

static_assert(nop_count(operation_info(OpId::kNop100)) == 100 && nop_count(operation_info(OpId::kEmpty)) == 0 &&
              nop_count(operation_info(OpId::kInvvpidAllContext)) == 0);

}  // namespace vmxb::core
