// SPDX-License-Identifier: GPL-2.0
//
// The module's C++ side as one translation unit (see Kbuild for why): the
// semantics suite, its module platform and the RUN session. Every .cc of
// semantics/ is listed; one missing is an undefined symbol at modpost.
#include "semantics/check.cc"
#include "semantics/code_segment_cases.cc"
#include "semantics/current_vmcs_cases.cc"
#include "semantics/guest_cases.cc"
#include "semantics/invept_cases.cc"
#include "semantics/invvpid_cases.cc"
#include "semantics/operand_cases.cc"
#include "semantics/suite.cc"
#include "semantics/vmcs_cases.cc"
#include "semantics/vmx_operation_cases.cc"
#include "semantics/vmxon_cases.cc"
#include "semantics_platform.cc"
#include "session.cc"
