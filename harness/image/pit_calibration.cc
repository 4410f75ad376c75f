// Channel 2 of the 8254 is the one software may own: its gate is port 61H
// bit 0 and its output reads back on port 61H bit 5 (the speaker's channel,
// with the speaker's enable, bit 1, kept off). Mode 0 ("interrupt on terminal
// count") drives OUT low when the count is written and high when the count
// reaches zero; the TSC is read at both edges. Linux's pit_calibrate_tsc()
// uses the same channel, for the same reason.
#include "harness/image/pit_calibration.h"

#include "core/timing.h"
#include "harness/image/arch.h"

namespace vmxb::image {
namespace {

constexpr u16 kPitChannel2 = 0x42;
constexpr u16 kPitCommand = 0x43;
constexpr u16 kSystemControlB = 0x61;  // NMI status and control (ISA)
constexpr u8 kGate2 = 1u << 0;
constexpr u8 kSpeakerData = 1u << 1;
constexpr u8 kOut2 = 1u << 5;
// Command: channel 2 (bits 7:6 = 10), low byte then high byte (5:4 = 11),
// mode 0 (3:1 = 000), binary (0).
constexpr u8 kChannel2Mode0 = 0xB0;

}  // namespace

core::TscCalibration calibrate_tsc_against_pit() {
  const u8 saved = inb(kSystemControlB);
  outb(kSystemControlB, static_cast<u8>((saved & ~kSpeakerData) | kGate2));
  outb(kPitCommand, kChannel2Mode0);
  outb(kPitChannel2, static_cast<u8>(core::kCalibrationPitTicks & 0xFF));
  outb(kPitChannel2, static_cast<u8>(core::kCalibrationPitTicks >> 8));  // counting starts here
  const u64 start = core::tsc_begin();
  core::TscCalibration c;
  for (u32 polls = 0; polls < core::kCalibrationMaxPolls; ++polls) {
    if (inb(kSystemControlB) & kOut2) {
      c.pit_expired = true;
      break;
    }
  }
  c.tsc_ticks = core::tsc_begin() - start;
  outb(kSystemControlB, saved);
  return c;
}

}  // namespace vmxb::image
