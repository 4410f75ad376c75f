#include "core/measurement_facts.h"
#include "harness/image/arch.h"
#include "harness/image/exceptions.h"
#include "harness/image/guest_platform.h"
#include "harness/image/modes.h"
#include "harness/image/serial.h"
#include "harness/image/vmx_session.h"

namespace vmxb::image {


namespace {

// Samples live above the image, in identity-mapped memory the image owns
// (Bochs and QEMU configs give the guest at least 32 MiB).
u64* const kSampleBuffer = reinterpret_cast<u64*>(0x200000);
constexpr u32 kSampleCapacity = 1u << 20;  // 8 MiB, up to the guest memory
static_assert(0x200000 + kSampleCapacity * 8 == kGuestMemoryBase);

// SAMPLES <name> v...; the touch rows' other series as COUNTER <name> <series> v...
void print_samples(const char* name, const char* series, const u64* samples, u32 count) {
  for (u32 i = 0; i < count; i += 32) {
    Line line(series == nullptr ? "SAMPLES " : "COUNTER ");
    line.text(name);
    if (series != nullptr) line.ch(' ').text(series);
    for (u32 j = i; j < count && j < i + 32; ++j) line.ch(' ').dec(samples[j]);
    line.end();
  }
}

void run_one(const PlannedOp& op, const VmxSession& s, core::TscEnd tsc_end) {
  const core::OperationInfo& info = core::operation_info(op.op);
  core::RunOutcome out{core::OpStatus::kBadArgument, 0, 0, "not run"};
  // Interrupts are off for the whole run: the chunk hooks only enter and leave
  // VMX operation, through the same core code as the kernel module's.
  core::VmxOperation vmx(vmx_platform(), s.caps, s.ctx.vmxon_region, core::VmxOperation::Entry::kVmxon);
  const bool needs_vmx = (info.needs & core::kNeedsVmxRoot) != 0;
  const core::ChunkHooks hooks = needs_vmx ? vmx.chunk_hooks() : core::ChunkHooks{};
  const int fault = try_call([&] {
    out = vmx.outcome(core::run_operation({op.op, op.iterations, op.warmup, op.pages}, s.ctx, s.caps, s.cpu.facts,
                                          tsc_end,
                                          kSampleBuffer, kSampleCapacity, hooks));
  });
  vmx.leave();  // after an escaped exception, VMX may still be on
  Line line("OP ");
  line.text(info.name).text(" status=");
  if (fault != kNoFault) line.text("fault");
  else line.text(core::op_status_name(out.status));
  line.text(" error=").dec(out.vm_error).text(" iterations=").dec(op.iterations).text(" warmup=").dec(op.warmup)
      .text(" pages=").dec(op.pages).text(" reason=");
  if (fault != kNoFault) line.text("exception vector ").dec(static_cast<u64>(fault));
  else line.text(out.reason);
  line.end();
  if (fault != kNoFault || out.status != core::OpStatus::kOk) return;
  print_samples(info.name, nullptr, kSampleBuffer, out.samples);
  for (u32 k = 1; k < core::sample_series(info); ++k)
    print_samples(info.name, core::kTouchSeriesNames[k], kSampleBuffer + k * op.iterations, out.samples);
}

// MEASUREMENT <fact> <value | unavailable: reason> (core/measurement_facts.h).
void print_measurement_facts(const CpuIdentity& cpu) {
  core::MeasurementInputs in;
  in.intel = cpu.facts.intel;
  in.max_basic = cpuid(0).eax;
  in.max_extended = cpuid(cpuid_leaf::kMaxExtended).eax;
  const auto leaf = [&](u32 n) {
    const bool present = n >= cpuid_leaf::kMaxExtended ? n <= in.max_extended : n <= in.max_basic;
    const CpuidRegs r = present ? cpuid(n) : CpuidRegs{};
    return core::CpuidLeaf{r.eax, r.ebx, r.ecx, r.edx};
  };
  in.thermal_power = leaf(cpuid_leaf::kThermalPower);
  in.performance_monitoring = leaf(cpuid_leaf::kPerformanceMonitoring);
  in.tsc_crystal = leaf(cpuid_leaf::kTscCrystal);
  in.processor_frequency = leaf(cpuid_leaf::kProcessorFrequency);
  in.advanced_power = leaf(cpuid_leaf::kAdvancedPowerManagement);
  u64 smi = 0;
  in.smi_count_readable = in.intel && rdmsr_safe(core::kMsrSmiCount, &smi);
  in.fixed_counter1_readable = rdmsr_safe(core::kMsrFixedCounter1, &smi);
  in.mperf_readable = rdmsr_safe(core::kMsrMperf, &smi);
  core::MeasurementFacts facts;
  core::derive_measurement_facts(in, facts);
  for (usize i = 0; i < array_size(core::kFactNames); ++i)
    Line("MEASUREMENT ").text(core::kFactNames[i]).ch(' ').text(facts.text[i].c_str()).end();
}

}  // namespace

bool run_bench(const Plan& plan) {
  VmxSession s = vmx_prepare();
  if (s.ctx.vmx_unusable == nullptr && s.cpu.facts.long_mode) s.ctx.guest = guest_environment(s.caps.basic);
  print_cpu_line(s.cpu);
  if (s.ctx.vmx_unusable != nullptr) Line("VMX unusable: ").text(s.ctx.vmx_unusable).end();
  const core::TscEnd tsc_end = s.cpu.facts.rdtscp ? core::TscEnd::kRdtscp : core::TscEnd::kFencedRdtsc;
  Line("TIMING end=").text(s.cpu.facts.rdtscp ? "rdtscp" : "lfence-rdtsc").end();
  print_measurement_facts(s.cpu);
  for (u32 i = 0; i < plan.op_count; ++i) run_one(plan.ops[i], s, tsc_end);
  vmx_restore(s);
  return true;
}

}  // namespace vmxb::image
