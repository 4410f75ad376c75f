// Times the TSC against the 8254 PIT's channel 2 (core/tsc_calibration.h has
// the arithmetic and the acceptance rule).
#pragma once

#include "core/tsc_calibration.h"

namespace vmxb::image {

// Runs with interrupts off (the image never enables them). Restores port 61H.
core::TscCalibration calibrate_tsc_against_pit();

}  // namespace vmxb::image
