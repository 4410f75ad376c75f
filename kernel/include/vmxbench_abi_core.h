// The C ABI (vmxbench_abi.h) next to the C++ core whose values it mirrors.
// The ABI stays plain C for every user; the module's C++ side cannot include
// it (it is built without kernel headers, kernel/module/Kbuild), so the mirror
// is checked here, in every user-space C++ build of the ABI (bench, vmxbctl,
// vmxb_fuzz): the module and those programs compile the same core headers.
#pragma once

#include "core/chunk_counters.h"
#include "core/run_operation.h"
#include "primitives/vmx_capabilities.h"
#include "vmxbench_abi.h"
#include "vmxbench_op_table.h"

namespace vmxb::abi_mirror {

using core::OpStatus;

// vmxb_run.status is a core::OpStatus.
static_assert(VMXB_STATUS_OK == static_cast<int>(OpStatus::kOk));
static_assert(VMXB_STATUS_UNSUPPORTED == static_cast<int>(OpStatus::kUnsupported));
static_assert(VMXB_STATUS_VMFAIL_INVALID == static_cast<int>(OpStatus::kVmFailInvalid));
static_assert(VMXB_STATUS_VMFAIL_VALID == static_cast<int>(OpStatus::kVmFailValid));
static_assert(VMXB_STATUS_BAD_ARGUMENT == static_cast<int>(OpStatus::kBadArgument));
static_assert(VMXB_STATUS_VMX_LOST == static_cast<int>(OpStatus::kVmxLost));
static_assert(VMXB_STATUS_FAULT == static_cast<int>(OpStatus::kFault));
static_assert(VMXB_STATUS_ABORTED == static_cast<int>(OpStatus::kAborted));
static_assert(VMXB_STATUS_GUEST_FAILED == static_cast<int>(OpStatus::kGuestFailed));
static_assert(VMXB_STATUS_SMI_BOUND == static_cast<int>(OpStatus::kSmiBound));
static_assert(array_size(core::kOpStatusNames) == VMXB_STATUS_SMI_BOUND + 1, "a status the ABI does not name");
static_assert(VMXB_CHUNK_FIELDS == static_cast<int>(core::ChunkField::kCount));
static_assert(VMXB_COUNTER_SOURCES == static_cast<int>(core::CounterSource::kCount));
static_assert(array_size(core::kCounterStateNames) <= 256, "a counter state must fit vmxb_run.counter_states' bytes");
static_assert(VMXB_MEASUREMENT_FACTS == static_cast<int>(core::Fact::kCount));
static_assert(VMXB_FACT_LEN == core::kFactTextSize);

// The RUN bounds are the core's.
static_assert(VMXB_MAX_ITERATIONS == core::kMaxIterations);
static_assert(VMXB_DEFAULT_CHUNK == core::kDefaultChunk);
static_assert(VMXB_DEFAULT_CHUNK <= VMXB_MAX_CHUNK);
static_assert(VMXB_MAX_PAGES == core::guest::kMaxTouchPages);
static_assert(VMXB_TOUCH_SERIES == core::kTouchSeries);
static_assert(sizeof(vmxb_run::pages) == 2 && VMXB_MAX_PAGES <= 0xFFFF, "vmxb_run.pages holds every page count");

// vmxb_info.msrs[i] is kVmxMsrs[i] (primitives/vmx_capabilities.h).
static_assert(VMXB_NUM_MSRS == array_size(kVmxMsrs));
static_assert([] {
  for (unsigned i = 0; i < VMXB_NUM_MSRS; ++i)
    if (VMXB_MSR_INDEX(i) != kVmxMsrs[i].index) return false;
  return true;
}(), "VMXB_MSR_INDEX(i) names kVmxMsrs[i]");
static_assert(VMXB_NUM_MSRS <= 32, "vmxb_info.msr_valid has one bit per MSR");

}  // namespace vmxb::abi_mirror
