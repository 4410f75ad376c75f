// Dump files: a Snapshot as JSON (diag/SCHEMA.md), written without ever
// clobbering data and read back with every field validated, so a dump taken on
// another machine is decoded exactly like the live host.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "diag/snapshot.h"

namespace vmxb::diag {

// The raw part shared by dumps and reports: schema, source, identity,
// msr_access, cpus. `kind` is "dump" or "report".
nlohmann::json snapshot_json(const Snapshot& s, const char* kind = "dump");

struct InputError {
  std::string field;    // JSON path, e.g. "cpus[0].msrs[3].value"; "(document)" for the whole file
  std::string message;  // what is wrong with it
};

// Parses and validates a dump or a report. False with `error` set otherwise.
bool parse_snapshot(const std::string& text, Snapshot& out, InputError& error);

// Reads FILE; on failure `error_line` is the one line to print: "FILE: FIELD: MESSAGE".
bool read_snapshot_file(const std::string& path, Snapshot& out, std::string& error_line);

// Writes `contents` to `path` through a temporary file in the same directory
// and a rename (or, without `force`, a hard link that fails if `path` appeared
// in the meantime), so a reader never sees a half-written file and an
// existing file is never replaced unless `force`.
bool write_file_safely(const std::string& path, const std::string& contents, bool force, std::string& error);

}  // namespace vmxb::diag
