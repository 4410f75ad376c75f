// Shared helpers for the tests that boot the image under Bochs.
#pragma once

#include <gtest/gtest.h>

#include "harness/host/bochs.h"
#include "harness/host/image_output.h"

namespace vmxb::harness::testing {

struct BootResult {
  ImageRun run;
  ImageReport report;
};

inline BootResult boot(const std::string& model, const std::string& plan, std::chrono::seconds timeout = std::chrono::seconds(120)) {
  BochsOptions o;
  o.cpu_model = model;
  o.plan = plan;
  o.timeout = timeout;
  BootResult r;
  r.run = run_boot_image(o);
  r.report = parse_image_output(r.run.lines);
  return r;
}

// The result of the operation `name`, or nullptr when the image reported none.
inline const OpResult* find_op(const ImageReport& r, const std::string& name) {
  for (const auto& op : r.ops)
    if (op.name == name) return &op;
  return nullptr;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

}  // namespace vmxb::harness::testing
