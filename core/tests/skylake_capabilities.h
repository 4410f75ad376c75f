// The capability MSRs of Bochs corei7_skylake_x (diag/testdata/corei7_skylake_x.json),
// for the core's hosted tests.
#pragma once

#include "core/capabilities.h"

namespace vmxb::core::testing {

inline VmxCapabilities skylake_capabilities() {
  VmxCapabilities c;
  c.feature_control = 0x5;
  c.basic = 0xd810000000002bull;
  c.pinbased = 0x7f00000016ull;
  c.procbased = 0xf7f9fffe0401e172ull;
  c.exit = 0x7fffff00036dffull;
  c.entry = 0xffff000011ffull;
  c.procbased2 = 0x2177fff00000000ull;
  c.ept_vpid_cap = 0xf0106334141ull;
  c.true_pinbased = 0x7f00000016ull;
  c.true_procbased = 0xf7f9fffe04006172ull;
  c.true_exit = 0x7fffff00036dfbull;
  c.true_entry = 0xffff000011fbull;
  c.vmfunc = 0x1;
  c.read_ok = true;
  return c;
}

}  // namespace vmxb::core::testing
