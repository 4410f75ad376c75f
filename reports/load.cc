#include "reports/load.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "reports/report.h"

namespace vmxb::reports {

std::string one_line(std::string text) {
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return text;
}

std::string LoadError::line() const {
  const char* what = code == kExitUnreadable  ? "cannot read"
                     : code == kExitMalformed ? "malformed JSON"
                                              : "not a valid vmxbench report";
  return one_line(file + ": " + what + ": " + reason);
}

Loaded load_json_file(const std::string& path, bool google_benchmark) {
  Loaded out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.error = LoadError{kExitUnreadable, path, std::strerror(errno)};
    return out;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    out.error = LoadError{kExitUnreadable, path, std::strerror(errno)};
    return out;
  }
  const std::string text = buf.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    out.error = LoadError{kExitMalformed, path, "the file is empty"};
    return out;
  }
  try {
    out.report = google_benchmark ? parse_google_benchmark_json(text) : nlohmann::json::parse(text);
  } catch (const ReportError& e) {
    out.error = LoadError{kExitMalformed, path, e.what()};
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 3, column 5: ..." -> keep the useful part.
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    out.error = LoadError{kExitMalformed, path, what};
  }
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
