// The `reports` command line (//reports:reports). RunCli is the whole program
// minus process setup, so tests can run it in-process.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vmxb::reports {

// args: without the program name. Returns the exit status (exit_codes.h).
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Relative paths are taken from where `bazel run` was started
// (BUILD_WORKING_DIRECTORY), else from the current directory.
std::string resolve_path(const std::string& path);

}  // namespace vmxb::reports
