// Exit statuses of //bench, one per cause so scripts can tell them apart.
#pragma once

namespace vmxb::bench {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 2,             // bad command line
  kExitBackendUnavailable = 3,// the requested backend cannot run here (no module, no Bochs)
  kExitNoPrivilege = 4,       // /dev/vmxbench exists but cannot be opened (not root)
  kExitVmxBusy = 5,           // VMX already held by another hypervisor (KVM)
  kExitAbiMismatch = 6,       // module ABI version differs from this binary's
  kExitBackendFailed = 7,     // the backend crashed / timed out / returned garbage
  kExitOutputFailed = 8,      // could not write a requested output file
  kExitBadPageCount = 9,      // --vmxbench_pages outside what the core touches (1..512) or malformed
  kExitSemanticsFailed = 10,  // --semantics: a case failed (a FAIL: line; SUMMARY counts it)
};

}  // namespace vmxb::bench
