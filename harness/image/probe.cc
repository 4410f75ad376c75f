#include "harness/image/arch.h"
#include "harness/image/exceptions.h"
#include "harness/image/modes.h"
#include "harness/image/serial.h"
#include "harness/image/vmx_session.h"

namespace vmxb::image {
namespace {

void print_cpuid(u32 leaf, u32 subleaf) {
  const CpuidRegs r = cpuid(leaf, subleaf);
  Line("CPUID ").hex8(leaf).ch(' ').hex8(subleaf).ch(' ').hex8(r.eax).ch(' ').hex8(r.ebx).ch(' ').hex8(r.ecx)
      .ch(' ').hex8(r.edx).end();
}

}  // namespace

void print_cpu_line(const CpuIdentity& id) {
  Line("CPU vendor=").text(id.vendor).text(" family=").dec(id.family).text(" model=").dec(id.model)
      .text(" stepping=").dec(id.stepping).text(" maxphyaddr=").dec(id.facts.maxphyaddr)
      .text(" long_mode=").dec(id.facts.long_mode).text(" vmx=").dec(id.facts.vmx)
      .text(" hypervisor=").dec(id.facts.hypervisor).text(" rdtscp=").dec(id.facts.rdtscp).end();
}

void run_probe() {
  print_cpu_line(identify_cpu());
  const u32 max_basic = cpuid(0).eax;
  constexpr u32 kBasicLeaves[] = {0, 1, 7};
  for (u32 leaf : kBasicLeaves)
    if (leaf <= max_basic) print_cpuid(leaf, 0);
  // The hypervisor leaves exist only when the hypervisor bit says one is present.
  if (cpuid_has(cpuid::kHypervisor)) print_cpuid(cpuid_leaf::kHypervisorVendor, 0);
  const u32 max_ext = cpuid(0x80000000).eax;
  // 0x80000002-4: the brand string.
  constexpr u32 kExtendedLeaves[] = {0x80000000, 0x80000001, 0x80000002, 0x80000003, 0x80000004, 0x80000008};
  for (u32 leaf : kExtendedLeaves)
    if (leaf <= max_ext) print_cpuid(leaf, 0);
  Line("CR 0 ").hex16(read_cr0()).end();
  Line("CR 4 ").hex16(read_cr4()).end();
  // Every MSR of the table, whether or not the capabilities imply it exists:
  // an absent one raises #GP, which is itself a fact worth reporting.
  for (const auto& info : kVmxMsrs) {
    u64 value = 0;
    Line line("MSR ");
    line.hex8(info.index).ch(' ');
    if (rdmsr_safe(info.index, &value)) line.hex16(value);
    else line.text("gp");
    line.end();
  }
}

}  // namespace vmxb::image
