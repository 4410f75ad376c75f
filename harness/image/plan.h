// The run plan the host stores at LBA 1..8 (harness/PROTOCOL.md), parsed in place.
#pragma once

#include "core/operations.h"

namespace vmxb::image {

enum class Mode : u8 { kProbe, kSemantics, kBench };

struct PlannedOp {
  core::OpId op;
  u32 iterations;
  u32 warmup;
  u32 pages = 0;  // optional pages=<N>: rows that touch guest pages
};

struct Plan {
  Mode mode = Mode::kProbe;
  PlannedOp ops[64];
  u32 op_count = 0;
  // The host says which emulator runs the image, so the suite can avoid
  // instructions that emulator cannot survive (Bochs 2.7 panics on VMCALL in
  // VMX root operation). Nothing in the image can detect this by itself.
  bool emulator_bochs = false;
  const char* error = nullptr;  // set when the plan is malformed
  char error_detail[64] = {};
};

// Parses the NUL-terminated plan text at `text` (at most `size` bytes).
Plan parse_plan(const char* text, usize size);

}  // namespace vmxb::image
