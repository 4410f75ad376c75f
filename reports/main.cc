// reports: build, validate, compare, store and show vmxbench reports.
// `bazel run //reports -- --help` lists the commands.
#include <iostream>

#include "reports/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return vmxb::reports::run_cli(args, std::cout, std::cerr);
}
