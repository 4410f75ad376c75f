#include "core/chunk_counters.h"
#include "core/measurement_facts.h"
#include "harness/image/arch.h"
#include "harness/image/exceptions.h"
#include "harness/image/guest_platform.h"
#include "harness/image/modes.h"
#include "harness/image/pit_calibration.h"
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

// CHUNKS <name> <field>=<n>... pmu=<state> aperf_mperf=<state> smi=<state>
// (core/chunk_counters.h).
void print_chunk_totals(const char* name, const core::ChunkTotals& t) {
  Line line("CHUNKS ");
  line.text(name);
  for (usize i = 0; i < array_size(core::kChunkFieldNames); ++i)
    line.ch(' ').text(core::kChunkFieldNames[i]).ch('=').dec(t.value[i]);
  for (usize i = 0; i < array_size(core::kCounterSourceNames); ++i)
    line.ch(' ').text(core::kCounterSourceNames[i]).ch('=').text(core::counter_state_name(t.state[i]));
  line.end();
}

const core::MsrAccess kMsrAccess{[](void*, u32 index, u64* value) { return rdmsr_safe(index, value); },
                                 [](void*, u32 index, u64 value) { return wrmsr_safe(index, value); }, nullptr};

void run_one(const PlannedOp& op, const VmxSession& s, core::TscEnd tsc_end, const core::MeasurementFacts& facts) {
  const core::OperationInfo& info = core::operation_info(op.op);
  core::RunOutcome out{core::OpStatus::kBadArgument, 0, 0, "not run"};
  // Interrupts are off for the whole run: the chunk hooks only enter and leave
  // VMX operation, through the same core code as the kernel module's.
  core::VmxOperation vmx(vmx_platform(), s.caps, s.ctx.vmxon_region, core::VmxOperation::Entry::kVmxon);
  const bool needs_vmx = (info.needs & core::kNeedsVmxRoot) != 0;
  core::ChunkCounters counters(kMsrAccess, facts.countable);
  core::ChunkHooks hooks = needs_vmx ? vmx.chunk_hooks() : core::ChunkHooks{};
  hooks.counters = &counters;
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
  print_chunk_totals(info.name, counters.totals());
  print_samples(info.name, nullptr, kSampleBuffer, out.samples);
  for (u32 k = 1; k < core::sample_series(info); ++k)
    print_samples(info.name, core::kTouchSeriesNames[k], kSampleBuffer + k * op.iterations, out.samples);
}

// MEASUREMENT <fact> <value | unavailable: reason> (core/measurement_facts.h).
core::MeasurementFacts measurement_facts(const CpuIdentity& cpu) {
  const core::MeasurementInputs in = core::read_measurement_inputs(
      cpu.facts.intel, [](void*, u32 index, u64* value) { return rdmsr_safe(index, value); }, nullptr);
  core::MeasurementFacts facts;
  core::derive_measurement_facts(in, facts);
  for (usize i = 0; i < array_size(core::kFactNames); ++i)
    Line("MEASUREMENT ").text(core::kFactNames[i]).ch(' ').text(facts.text[i].c_str()).end();
  // The image's own fact (the module has Linux's tsc_khz instead): the TSC's
  // rate against the PIT, which bench uses for ns where CPUID gives none.
  FixedText<core::kFactTextSize> calibrated;
  core::describe_tsc_calibration(calibrate_tsc_against_pit(), calibrated);
  Line("MEASUREMENT tsc_hz_calibrated ").text(calibrated.c_str()).end();
  return facts;
}

}  // namespace

bool run_bench(const Plan& plan) {
  VmxSession s = vmx_prepare();
  if (s.ctx.vmx_unusable == nullptr && s.cpu.facts.long_mode) s.ctx.guest = guest_environment(s.caps.basic);
  print_cpu_line(s.cpu);
  if (s.ctx.vmx_unusable != nullptr) Line("VMX unusable: ").text(s.ctx.vmx_unusable).end();
  const core::TscEnd tsc_end = s.cpu.facts.rdtscp ? core::TscEnd::kRdtscp : core::TscEnd::kFencedRdtsc;
  Line("TIMING end=").text(s.cpu.facts.rdtscp ? "rdtscp" : "lfence-rdtsc").end();
  const core::MeasurementFacts facts = measurement_facts(s.cpu);
  for (u32 i = 0; i < plan.op_count; ++i) run_one(plan.ops[i], s, tsc_end, facts);
  vmx_restore(s);
  return true;
}

}  // namespace vmxb::image
