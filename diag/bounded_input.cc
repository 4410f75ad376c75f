#include "diag/bounded_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmxb::input {
namespace {

std::string without_library_prefix(std::string what) {
  // "[json.exception.parse_error.101] parse error at ..." -> "parse error at ...".
  if (size_t close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
    what = what.substr(close + 2);
  return what;
}

std::string mib(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

FileText read_bounded_file(const std::string& path, size_t max_bytes) {
  FileText out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.outcome = ReadOutcome::kCannotOpen;
    out.reason = std::strerror(errno);
    return out;
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    out.outcome = ReadOutcome::kIsDirectory;
    out.reason = "is a directory, not a file";
    return out;
  }
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.outcome = errno == EISDIR ? ReadOutcome::kIsDirectory : ReadOutcome::kReadError;
      out.reason = errno == EISDIR ? "is a directory, not a file" : std::strerror(errno);
      break;
    }
    if (n == 0) break;
    out.text.append(buffer, static_cast<size_t>(n));
    if (out.text.size() > max_bytes) {
      out.outcome = ReadOutcome::kTooLarge;
      out.reason = "larger than the input limit of " + mib(max_bytes);
      break;
    }
  }
  ::close(fd);
  if (out.outcome != ReadOutcome::kOk) out.text.clear();
  return out;
}

std::optional<std::string> nesting_error(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        return "objects and arrays nested deeper than " + std::to_string(max_depth) + " levels (at byte " +
               std::to_string(i) + "): beyond the reader's limit";
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

ParsedJson parse_bounded_json(std::string_view text, int max_depth) {
  ParsedJson out;
  if (auto deep = nesting_error(text, max_depth)) {
    out.outcome = ParseOutcome::kTooDeep;
    out.reason = *deep;
    return out;
  }
  try {
    out.value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    out.outcome = ParseOutcome::kNotJson;
    out.reason = without_library_prefix(e.what());
  } catch (const nlohmann::json::exception& e) {
    // out_of_range.406 "number overflow parsing '1e400'" and the like.
    out.outcome = ParseOutcome::kOutOfRange;
    out.reason = without_library_prefix(e.what());
  }
  return out;
}

}  // namespace vmxb::input
