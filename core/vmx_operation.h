// Entering and leaving VMX root operation, written once for the boot image and
// the kernel module. They differ only in their VmxPlatform hooks (how CR4.VMXE
// is changed: the kernel keeps a per-CPU CR4 shadow; whether Intel PT must be
// told) and in what their chunk hooks do around this (the module turns
// interrupts off and checks for signals). SDM Vol. 3C: 24.7 "Enabling and
// Entering VMX Operation", 24.8 "Restrictions on VMX Operation", 25.2 "Format
// of the VMCS Region", 25.11 "Software Use of the VMCS".
#pragma once

#include "core/capabilities.h"
#include "core/run_types.h"
#include "primitives/control_registers.h"
#include "primitives/eptp.h"
#include "primitives/fixed_text.h"
#include "primitives/inv_types.h"

namespace vmxb::core {

// One zeroed, page-aligned, write-back 4-KiB page the platform owns: where the
// core writes it, and the physical address VMX is given.
struct VmxPage {
  void* va = nullptr;
  PhysAddr pa{0};
};

struct VmxRegions {
  VmxPage vmxon_region;
  VmxPage vmcs;        // made current by the core in each chunk
  VmxPage vmcs_other;  // only ever VMCLEARed
  VmxPage ept_root;    // an empty EPT PML4: INVEPT needs a well-formed EPTP, not a walk
};

struct VmxPlatform {
  u64 (*read_cr0)(void* ctx) = nullptr;
  u64 (*read_cr4)(void* ctx) = nullptr;
  void (*set_cr4_vmxe)(void* ctx) = nullptr;
  void (*clear_cr4_vmxe)(void* ctx) = nullptr;
  // Intel PT must stop tracing around VMX operation where IA32_VMX_MISC says
  // it cannot trace in it (Linux: intel_pt_handle_vmx). nullptr: nothing to do.
  void (*pt_handle_vmx)(void* ctx, bool entering) = nullptr;
  void* ctx = nullptr;
};

// The memory-type encoding for write-back (Vol. 3A 12.3 "Methods of Caching
// Available"): the same number in IA32_VMX_BASIC and in an EPTP.
inline constexpr u32 kMemoryTypeWriteBack = static_cast<u32>(EptMemoryType::kWriteBack);

namespace detail {
inline constexpr FixedText<128> kAddresses32Reason = [] {
  FixedText<128> t;
  add_citation(t, basic::kAddresses32).add(": VMX regions limited to 32-bit addresses (not supported by vmxbench)");
  return t;
}();
inline constexpr FixedText<128> kMemoryTypeReason = [] {
  FixedText<128> t;
  t.add(vmx_msr_name(msr::kVmxBasic)).add("[").add_dec(basic::kVmcsMemoryType.hi).add(":");
  t.add_dec(basic::kVmcsMemoryType.lo).add("]: the VMCS memory type is not write-back (not supported by vmxbench)");
  return t;
}();
}  // namespace detail

// A VMXON region and a VMCS start with the revision identifier, bit 31 (the
// shadow-VMCS indicator) clear (25.2).
inline void write_revision_id(void* region, u64 vmx_basic) {
  *static_cast<volatile u32*>(region) = static_cast<u32>(vmx_basic & basic::kRevisionIdMask);
}

// Why the platform's pages cannot serve as VMX regions, or nullptr. They are
// ordinary write-back 4-KiB pages anywhere in physical memory (A.1); KVM
// refuses other memory types too.
inline const char* vmx_regions_unusable_reason(const VmxCapabilities& caps) {
  if (basic::kAddresses32.in(caps.basic)) return detail::kAddresses32Reason.c_str();
  if (basic::vmcs_size(caps.basic) > 4096 || basic::vmcs_size(caps.basic) == 0)
    return "IA32_VMX_BASIC reports a VMCS region size outside 1..4096 bytes";
  if (basic::memory_type(caps.basic) != kMemoryTypeWriteBack) return detail::kMemoryTypeReason.c_str();
  return nullptr;
}

// Fills the core's view of a session from the platform's pages: revision
// identifiers written, an EPTP for the empty EPT root (write-back where the
// capabilities allow it). Leaves ctx.vmx_unusable, vpid and linear_address.
inline void prepare_vmx_context(VmxContext& ctx, const VmxRegions& pages, const VmxCapabilities& caps,
                                const CpuFacts& cpu) {
  const VmxPage* const regions[] = {&pages.vmxon_region, &pages.vmcs, &pages.vmcs_other};
  for (const VmxPage* p : regions) write_revision_id(p->va, caps.basic);
  ctx.vmxon_region = pages.vmxon_region.pa;
  ctx.vmcs = pages.vmcs.pa;
  ctx.vmcs_other = pages.vmcs_other.pa;
  ctx.eptp = Eptp{0};
  if (!ept_allowed(caps)) return;
  const bool wb = caps.ept_vpid_cap & ept_vpid_cap::kMemoryTypeWb;
  const EptpResult e = make_eptp({.root_table_pa = pages.ept_root.pa.value,
                                  .memory_type = wb ? EptMemoryType::kWriteBack : EptMemoryType::kUncacheable},
                                 caps.ept_vpid_cap, cpu.maxphyaddr);
  if (e.ok()) ctx.eptp = e.eptp;
}

// VMX root operation for one chunk (the module) or one whole run (the image):
// enter() checks that CR4.VMXE is free (set: another hypervisor holds VMX on
// this CPU), that CR0 and CR4 satisfy the fixed bits (24.8), sets CR4.VMXE and
// executes VMXON; leave() undoes exactly that. The VMCS is the core's business
// (run_operation.h): nothing is active when leave() runs VMXOFF (25.11.1).
class VmxOperation {
 public:
  enum class Entry : u8 {
    kVmxon,      // the normal case
    kCheckOnly,  // the fault test: CR4.VMXE stays clear, so every VMX instruction raises #UD
  };

  VmxOperation(const VmxPlatform& platform, const VmxCapabilities& caps, PhysAddr vmxon_region, Entry entry)
      : pf_(platform), caps_(caps), region_(vmxon_region), entry_(entry) {}

  // nullptr: entered; otherwise why not, with nothing left to undo.
  const char* enter() {
    const u64 cr4 = pf_.read_cr4(pf_.ctx);
    if (cr4 & cr4::kVmxe) {
      busy_ = true;
      return "CR4.VMXE is set: another hypervisor holds VMX on this CPU";
    }
    if (entry_ == Entry::kCheckOnly) return nullptr;
    if (!satisfies_fixed_bits(pf_.read_cr0(pf_.ctx), caps_.cr0_fixed0, caps_.cr0_fixed1))
      return refuse("CR0 violates IA32_VMX_CR0_FIXED0/FIXED1 (SDM 24.8)");
    if (!satisfies_fixed_bits(cr4 | cr4::kVmxe.mask(), caps_.cr4_fixed0, caps_.cr4_fixed1))
      return refuse("CR4 violates IA32_VMX_CR4_FIXED0/FIXED1 (SDM 24.8)");
    pf_.set_cr4_vmxe(pf_.ctx);
    tell_tracer(true);
    const VmResult on = vmxon(region_);
    if (on.ok()) {
      in_vmx_ = true;
      entered_ = true;
      return nullptr;
    }
    tell_tracer(false);
    pf_.clear_cr4_vmxe(pf_.ctx);
    return refuse(on.faulted() ? "VMXON raised an exception (#GP/#UD): VMX unusable on this CPU"
                               : "VMXON failed (VMfailInvalid): bad VMXON region or revision id");
  }

  void leave() {
    if (!in_vmx_) return;
    // After a lost VMXON (vmxoff_vmxon) VMXOFF raises #UD, which its fixup absorbs.
    (void)vmxoff();
    tell_tracer(false);
    pf_.clear_cr4_vmxe(pf_.ctx);
    in_vmx_ = false;
  }

  // Chunk hooks for a platform that needs nothing else around VMX (the image).
  ChunkHooks chunk_hooks(u32 chunk = kDefaultChunk) {
    return {[](void* p) { return static_cast<VmxOperation*>(p)->enter(); },
            [](void* p) { static_cast<VmxOperation*>(p)->leave(); }, this, chunk};
  }

  bool busy() const { return busy_; }        // CR4.VMXE was already set
  bool refused() const { return refused_; }  // the CPU's state or VMXON refused VMX
  bool entered() const { return entered_; }  // some enter() reached VMX root operation

  // A chunk VMX refused to start means the operation is unsupported here, not aborted.
  RunOutcome outcome(RunOutcome r) const {
    if (refused_ && r.status == OpStatus::kAborted) r.status = OpStatus::kUnsupported;
    return r;
  }

 private:
  const char* refuse(const char* why) {
    refused_ = true;
    return why;
  }
  void tell_tracer(bool entering) {
    if (pf_.pt_handle_vmx != nullptr) pf_.pt_handle_vmx(pf_.ctx, entering);
  }

  const VmxPlatform& pf_;
  const VmxCapabilities& caps_;
  PhysAddr region_;
  Entry entry_;
  bool in_vmx_ = false;
  bool entered_ = false;
  bool busy_ = false;
  bool refused_ = false;
};

}  // namespace vmxb::core
