// Facts about the machine bench runs on, for the JSON context: CPU through
// libcpuid, kernel, microcode, hypervisor.
#pragma once

#include <map>
#include <string>

namespace vmxb::bench {

std::map<std::string, std::string> host_context();

}  // namespace vmxb::bench
