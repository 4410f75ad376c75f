// Dump files: a Snapshot as JSON (diag/SCHEMA.md), written without ever
// clobbering data and read back with every field validated, so a dump taken on
// another machine is decoded exactly like the live host.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "diag/safe_output.h"
#include "diag/snapshot.h"

namespace vmxb::diag {

// The raw part shared by dumps and reports: schema, source, identity,
// msr_access, cpus. `kind` is "dump" or "report".
nlohmann::json snapshot_json(const Snapshot& s, const char* kind = "dump");

struct InputError {
  std::string field;    // JSON path, e.g. "cpus[0].msrs[3].value"; "(document)" for the whole file
  std::string message;  // what is wrong with it
};

// Parses and validates a dump or a report (nesting limited to
// input::kMaxJsonDepth). False with `error` set otherwise; quoted input in
// `error.message` is escaped and cut (input::quote_input).
bool parse_snapshot(const std::string& text, Snapshot& out, InputError& error);

// Reads FILE (at most input::kMaxInputBytes); on failure `error_line` is the
// one line to print: "FILE: FIELD: MESSAGE", or "FILE: is a directory, not a file" etc.
bool read_snapshot_file(const std::string& path, Snapshot& out, std::string& error_line);

// Dumps are written through the shared safe writer (never replaces a file unless `force`).
using ::vmxb::output::write_file_safely;

}  // namespace vmxb::diag
