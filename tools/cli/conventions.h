// The command-line conventions of every vmxbench tool, on CLI11 (Debian
// libcli11-dev): `--help` prints to stdout and exits 0, `--version` prints
// the suite version, a usage error is one line on stderr with the tool's usage
// status, and a mistyped subcommand gets the nearest one suggested.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace vmxb::cli {

// "TOOL (vmxbench) VERSION": what --version prints.
std::string version_line(const std::string& tool);

// Before any option is added: a repeated option takes its last value, as the
// hand-written parsers did ("--format json --format text" is text).
void repeated_options_take_the_last(CLI::App& app);

// Adds --version to `app` and to each of its subcommands, however deep.
// Call once every subcommand is defined.
void add_version_flags(CLI::App& app);

// The candidate `word` is most likely a typo of: within two edits (a swap of
// neighbours counts as one), or the only candidate it begins. nullopt if none.
std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& candidates);

// Parses `args` (without the program name). nullopt: go on and run. Otherwise
// the exit status to end with: 0 after --help or --version (printed to `out`),
// `usage_status` after one line on `err` ("TOOL: WHY (see TOOL ... --help)").
std::optional<int> parse(CLI::App& app, const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                         int usage_status);

// The subcommand chain the user selected, e.g. "reports history query".
std::string selected_path(const CLI::App& app);

}  // namespace vmxb::cli
