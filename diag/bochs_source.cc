#include "diag/bochs_source.h"

#include <algorithm>

#include "diag/identify.h"
#include "diag/presence.h"
#include "harness/host/bochs.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {

bool snapshot_from_probe(const harness::ImageReport& probe, const std::string& model, Snapshot& out,
                         std::string& error) {
  if (!probe.end_seen) {
    error = "the boot image did not finish (no END line)";
    return false;
  }
  if (!probe.cpu) {
    // The boot sector stops a CPU without long mode before any CPU line, with
    // its own reason on the END line: that reason is the error.
    error = !probe.end_ok && !probe.end_reason.empty() ? "the boot image stopped: " + probe.end_reason
                                                       : "the boot image printed no CPU line";
    return false;
  }
  Snapshot s;
  s.source = SourceKind::kBochs;
  s.source_detail = model;

  // Identification: libcpuid's decoding of the CPUID leaves the image printed;
  // the image's own CPU line when libcpuid cannot (and for what it adds).
  std::vector<CpuidLeaf> leaves;
  for (const auto& c : probe.cpuid) leaves.push_back({c.leaf, c.subleaf, c.eax, c.ebx, c.ecx, c.edx});
  Identity& id = s.identity;
  std::string why;
  if (!identify_from_leaves(leaves, id, why)) {
    s.notes.push_back("libcpuid could not decode the CPUID leaves (" + why + "); identity from the CPU line");
    id.vendor = probe.cpu->vendor;
    id.family = static_cast<int>(probe.cpu->family);
    id.model = static_cast<int>(probe.cpu->model);
    id.stepping = static_cast<int>(probe.cpu->stepping);
    id.vmx = probe.cpu->vmx;
    id.hypervisor = probe.cpu->hypervisor;
    id.long_mode = probe.cpu->long_mode;
  }
  if (id.maxphyaddr == 0) id.maxphyaddr = static_cast<int>(probe.cpu->maxphyaddr);
  if (id.vmx != probe.cpu->vmx)
    s.notes.push_back("the image's CPU line and CPUID leaf 1 disagree on VMX");

  // Every MSR the image read, as read (#GP included): nothing is dropped, and
  // the decoder separately knows which ones the capabilities imply.
  s.msrs_available = true;
  CpuState cpu;
  cpu.cpu = 0;
  for (const auto& [index, value] : probe.msrs) {
    if (find_vmx_msr(index) == nullptr) continue;
    MsrRead m;
    m.index = index;
    if (value) {
      m.value = *value;
    } else {
      m.status = MsrStatus::kFault;
    }
    cpu.msrs.push_back(m);
  }
  std::sort(cpu.msrs.begin(), cpu.msrs.end(), [](const MsrRead& a, const MsrRead& b) { return a.index < b.index; });
  s.cpus.push_back(cpu);
  s.notes.push_back("MSRs read with RDMSR in ring 0 by the boot image (probe mode) under Bochs");
  if (!probe.malformed.empty())
    s.notes.push_back(std::to_string(probe.malformed.size()) + " image output lines did not parse");
  out = std::move(s);
  return true;
}

BochsResult collect_bochs(const std::string& model, Snapshot& out, std::string& error) {
  // Name an unknown model before booting anything (`bochs --help cpu`).
  const std::vector<std::string> models = harness::bochs_cpu_models();
  if (!models.empty() && std::find(models.begin(), models.end(), model) == models.end()) {
    error = "unknown Bochs CPU model '" + model + "'; `bochs --help cpu` lists:";
    for (const auto& m : models) error += " " + m;
    return BochsResult::kUnknownModel;
  }
  harness::BochsOptions options;
  options.cpu_model = model;
  options.plan = harness::make_plan(harness::PlanMode::kProbe);
  harness::ImageRun run = harness::run_boot_image(options);
  if (!run.completed) {
    error = "Bochs run with model " + model + " failed: " + run.error;
    if (!run.emulator_message.empty() && run.error.find(run.emulator_message) == std::string::npos)
      error += " (Bochs: " + run.emulator_message + ")";
    return BochsResult::kFailed;
  }
  harness::ImageReport probe = harness::parse_image_output(run.lines);
  if (!snapshot_from_probe(probe, model, out, error)) {
    error = "Bochs model " + model + ": " + error;
    return BochsResult::kFailed;
  }
  return BochsResult::kOk;
}

}  // namespace vmxb::diag
