#include "reports/load.h"

#include "diag/bounded_input.h"
#include "diag/message_text.h"
#include "reports/report.h"

namespace vmxb::reports {

std::string one_line(std::string text) { return input::printable(text); }

std::string LoadError::line() const {
  const char* what = code == kExitUnreadable  ? "cannot read"
                     : code == kExitMalformed ? "malformed JSON"
                                              : "not a valid vmxbench report";
  return one_line(file + ": " + what + ": " + reason);
}

Loaded load_json_file(const std::string& path, bool google_benchmark) {
  Loaded out;
  if (path.empty()) {
    out.error = LoadError{kExitUnreadable, path, "an empty file name"};
    return out;
  }
  input::FileText file = input::read_bounded_file(path);
  if (file.outcome != input::ReadOutcome::kOk) {
    out.error = LoadError{kExitUnreadable, path, file.reason};
    return out;
  }
  const std::string& text = file.text;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    out.error = LoadError{kExitMalformed, path, "the file is empty"};
    return out;
  }
  // Deeper than the limit: refused before parsing, so nothing recursive
  // (hashing, schema validation) ever walks it.
  if (auto deep = input::nesting_error(text)) {
    out.error = LoadError{kExitUnreadable, path, *deep};
    return out;
  }
  if (google_benchmark) {
    try {
      out.report = parse_google_benchmark_json(text);
    } catch (const ReportError& e) {
      out.error = LoadError{kExitMalformed, path, e.what()};
    }
    return out;
  }
  input::ParsedJson parsed = input::parse_bounded_json(text);
  if (parsed.outcome == input::ParseOutcome::kOk)
    out.report = std::move(parsed.value);
  else
    out.error = LoadError{kExitMalformed, path, parsed.reason};
  return out;
}

Loaded load_report_file(const std::string& path) {
  Loaded out = load_json_file(path);
  if (out.error) return out;
  if (auto why = validate_report(*out.report)) {
    out.error = LoadError{kExitInvalid, path, *why};
    out.report.reset();
  }
  return out;
}

}  // namespace vmxb::reports
