// The TSC's frequency measured against a clock of known rate, for platforms
// whose CPUID leaves 15H/16H say nothing (most VMs and pre-Skylake parts).
// The boot image times the 8254 PIT's channel 2 (1.193182 MHz, the rate every
// PC-compatible board feeds it); the kernel module needs none of this: Linux
// has calibrated the TSC already (tsc_khz).
//
// Only the arithmetic and the acceptance rule live here, so the host tests
// check them; the port I/O is the platform's.
#pragma once

#include "primitives/fixed_text.h"
#include "primitives/types.h"

namespace vmxb::core {

inline constexpr u64 kPitHz = 1193182;
// 50 ms of PIT ticks (the counter is 16 bits: at most 54.9 ms): long enough
// that one PIT tick of uncertainty at each end is 34 ppm.
inline constexpr u16 kCalibrationPitTicks = 59659;
// Port reads before the calibration gives up: a board without a working PIT
// (some VMs have none) must not hang the image. At ~1 us per read on bare
// metal this is ~4 s; a working PIT ends the loop after 50 ms.
inline constexpr u32 kCalibrationMaxPolls = 4000000;

struct TscCalibration {
  bool pit_expired = false;  // OUT2 rose before kCalibrationMaxPolls reads
  u64 tsc_ticks = 0;         // TSC ticks across kCalibrationPitTicks PIT ticks
};

// Ticks per second, or 0 when the measurement cannot be one.
constexpr u64 tsc_hz_from_pit(u64 tsc_ticks, u32 pit_ticks) {
  if (pit_ticks == 0) return 0;
  // tsc_ticks over 50 ms stays below 2^40 up to 20 THz: the product fits in u64.
  return tsc_ticks * kPitHz / pit_ticks;
}

// The MEASUREMENT value: Hz, or "unavailable: <reason>". A TSC slower than
// 1 MHz or faster than 100 GHz over a PIT interval is no TSC rate: a PIT that
// runs at another rate, or a TSC that does not count.
template <usize N>
constexpr void describe_tsc_calibration(const TscCalibration& c, FixedText<N>& out) {
  if (!c.pit_expired) {
    out.add("unavailable: the PIT's channel 2 never expired (no 8254 on this platform?)");
    return;
  }
  const u64 hz = tsc_hz_from_pit(c.tsc_ticks, kCalibrationPitTicks);
  if (hz < 1000000 || hz > 100000000000) {
    out.add("unavailable: ").add_dec(c.tsc_ticks).add(" TSC ticks in 50 ms of PIT time is no TSC rate");
    return;
  }
  out.add_dec(hz);
}

}  // namespace vmxb::core
