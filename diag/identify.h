// CPU identification through libcpuid: vendor, brand, family/model/stepping,
// the VMX and hypervisor bits and the hypervisor's CPUID 0x40000000 signature.
#pragma once

#include <string>
#include <vector>

#include "diag/snapshot.h"
#include "primitives/types.h"

namespace vmxb::diag {

struct CpuidLeaf {
  u32 leaf = 0;
  u32 subleaf = 0;
  u32 eax = 0, ebx = 0, ecx = 0, edx = 0;
};

// The CPU this process runs on (libcpuid cpuid_get_raw_data + cpu_identify).
// False, with `error` set, when libcpuid cannot identify it.
bool identify_live(Identity& out, std::string& error);

// The same decoding of CPUID leaves captured elsewhere (the Bochs boot image
// prints them): libcpuid's cpu_identify on a cpu_raw_data_t built from them.
// Needs leaves 0 and 1; false with `error` otherwise.
bool identify_from_leaves(const std::vector<CpuidLeaf>& leaves, Identity& out, std::string& error);

}  // namespace vmxb::diag
