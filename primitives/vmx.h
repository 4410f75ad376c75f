// vmxbench primitives: the whole library. Freestanding and header-only: it
// needs no exceptions, RTTI, heap or C++ runtime, and no standard headers.
#pragma once

#include "primitives/capture.h"
#include "primitives/control_registers.h"
#include "primitives/cpuid_bits.h"
#include "primitives/descriptors.h"
#include "primitives/eptp.h"
#include "primitives/instructions.h"
#include "primitives/inv_types.h"
#include "primitives/types.h"
#include "primitives/vm_instruction_error.h"
#include "primitives/vm_result.h"
#include "primitives/vmcs_field.h"
#include "primitives/vmx_capabilities.h"
