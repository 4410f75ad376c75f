// The PIT calibration's arithmetic and acceptance rule, worked out by hand.
#include "core/tsc_calibration.h"

#include <gtest/gtest.h>

#include <string>

#include "core/measurement_facts.h"  // kFactTextSize: the MEASUREMENT value's size

namespace vmxb::core {
namespace {

std::string described(bool expired, u64 ticks) {
  FixedText<kFactTextSize> t;
  describe_tsc_calibration(TscCalibration{expired, ticks}, t);
  EXPECT_TRUE(t.fits()) << t.c_str();
  return t.c_str();
}

TEST(TscCalibration, TicksOverFiftyMillisecondsOfPit) {
  // 59659 PIT ticks = 59659 / 1193182 s = 49.999916 ms; a 3 GHz TSC counts
  // 149,999,748.6 ticks in that time, so 149,999,749 back gives 3 GHz to 1 ppb.
  EXPECT_EQ(tsc_hz_from_pit(149999749, kCalibrationPitTicks), 3000000008u);
  EXPECT_EQ(tsc_hz_from_pit(1193182, 1193182), 1193182u);  // the PIT's own rate
  EXPECT_EQ(tsc_hz_from_pit(1000, 0), 0u);
  EXPECT_EQ(described(true, 149999749), "3000000008");
}

TEST(TscCalibration, NoPitOrNoTscIsUnavailableWithTheReason) {
  EXPECT_EQ(described(false, 123456789), "unavailable: the PIT's channel 2 never expired (no 8254 on this platform?)");
  EXPECT_EQ(described(true, 0), "unavailable: 0 TSC ticks in 50 ms of PIT time is no TSC rate");
  EXPECT_EQ(described(true, 49999), "unavailable: 49999 TSC ticks in 50 ms of PIT time is no TSC rate");  // < 1 MHz
  EXPECT_EQ(described(true, 50000), "1000001");
  EXPECT_EQ(described(true, 5000000000000), "unavailable: 5000000000000 TSC ticks in 50 ms of PIT time is no TSC rate");
}

}  // namespace
}  // namespace vmxb::core
