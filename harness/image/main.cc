// The boot image's entry point: read the plan, do what it says, report, stop.
#include "harness/image/arch.h"
#include "harness/image/exceptions.h"
#include "harness/image/modes.h"
#include "harness/image/plan.h"
#include "harness/image/serial.h"

namespace {
// boot.S loads the plan (LBA 1..8) here.
const char* const kPlanAddress = reinterpret_cast<const char*>(0x9000);
constexpr vmxb::usize kPlanSize = 4096;
}  // namespace

extern "C" void image_main() {
  using namespace vmxb::image;
  // Mask both legacy PICs: the image takes no interrupts, and the guest rows
  // run with external-interrupt exiting (an interrupt left pending by the
  // firmware's timer would end every VM entry with exit reason 1 on bare
  // metal; Bochs happens to leave none pending).
  outb(0x21, 0xFF);
  outb(0xA1, 0xFF);
  serial_init();
  install_idt();
  Line("VMXBENCH-IMAGE 1").end();
  const Plan plan = parse_plan(kPlanAddress, kPlanSize);
  if (plan.error != nullptr) {
    Line("PLAN-ERROR ").text(plan.error).ch(' ').text(plan.error_detail).end();
    finish(false, plan.error);
  }
  bool ok = true;
  switch (plan.mode) {
    case Mode::kProbe: run_probe(); break;
    case Mode::kSemantics: ok = run_semantics(plan); break;
    case Mode::kBench: ok = run_bench(plan); break;
  }
  finish(ok, "");
}
