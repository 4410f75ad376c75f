// Reading untrusted JSON input within documented limits, shared by diag and
// reports: a size cap (so /dev/zero or a runaway file cannot exhaust memory),
// a nesting cap (so recursive code after parsing cannot overflow the stack),
// and a parse that turns every library exception into a reason.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vmxb::input {

// The documented limits (diag/README.md, reports/README.md).
inline constexpr size_t kMaxInputBytes = size_t{64} << 20;  // 64 MiB
inline constexpr int kMaxJsonDepth = 128;                  // objects and arrays inside each other

enum class ReadOutcome {
  kOk,
  kCannotOpen,   // open(2) failed: `reason` is strerror
  kIsDirectory,  // a directory, not a file
  kTooLarge,     // more than kMaxInputBytes
  kReadError,    // read(2) failed: `reason` is strerror
};

struct FileText {
  ReadOutcome outcome = ReadOutcome::kOk;
  std::string text;
  std::string reason;  // one line, without the path
};

// Reads all of `path`, stopping one byte past `max_bytes`: never more memory
// than the limit, whatever the file (a FIFO, /dev/zero, a growing log).
FileText read_bounded_file(const std::string& path, size_t max_bytes = kMaxInputBytes);

// A reason when `text` nests objects/arrays deeper than `max_depth` (strings
// skipped, so brackets inside them do not count); nullopt otherwise. Linear,
// without recursion.
std::optional<std::string> nesting_error(std::string_view text, int max_depth = kMaxJsonDepth);

enum class ParseOutcome {
  kOk,
  kTooDeep,     // nesting_error()
  kNotJson,     // syntax error
  kOutOfRange,  // valid syntax the parser cannot represent, e.g. 1e400 (no double holds it)
};

struct ParsedJson {
  ParseOutcome outcome = ParseOutcome::kOk;
  nlohmann::json value;
  std::string reason;  // one line, without nlohmann's "[json.exception...]" prefix
};

// nesting_error() first, then nlohmann's parser; never throws.
ParsedJson parse_bounded_json(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace vmxb::input
