// SPDX-License-Identifier: GPL-2.0
//
// The module's C++ side as one translation unit (see Kbuild for why): the
// semantics suite, its module platform and the RUN session. Every .cc of
// semantics/ is listed; one missing is an undefined symbol at modpost.
#include "src/semantics/check.cc"
#include "src/semantics/code_segment_cases.cc"
#include "src/semantics/current_vmcs_cases.cc"
#include "src/semantics/guest_cases.cc"
#include "src/semantics/invept_cases.cc"
#include "src/semantics/invvpid_cases.cc"
#include "src/semantics/operand_cases.cc"
#include "src/semantics/suite.cc"
#include "src/semantics/vmcs_cases.cc"
#include "src/semantics/vmx_operation_cases.cc"
#include "src/semantics/vmxon_cases.cc"
#include "semantics_platform.cc"
#include "session.cc"
