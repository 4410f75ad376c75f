#include "diag/safe_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vmxb::output {

bool write_file_safely(const std::string& path, const std::string& contents, bool force, std::string& error) {
  struct stat st;
  if (!force && lstat(path.c_str(), &st) == 0) {
    error = path + ": exists; not overwritten (use --force to replace it)";
    return false;
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string tmp = dir + "/.vmxbench-tmp-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) {
    error = path + ": cannot create a temporary file in " + dir + ": " + std::strerror(errno);
    return false;
  }
  auto fail = [&](const std::string& what) {
    error = path + ": " + what + ": " + std::strerror(errno);
    close(fd);
    unlink(tmp.c_str());
    return false;
  };
  const mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0) return fail("chmod");
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail("fsync");
  if (close(fd) != 0) {
    error = path + ": close: " + std::strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  if (force) {
    if (rename(tmp.c_str(), path.c_str()) != 0) {
      error = path + ": rename: " + std::strerror(errno);
      unlink(tmp.c_str());
      return false;
    }
    return true;
  }
  // link() fails with EEXIST if the file appeared since the check above.
  if (link(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    unlink(tmp.c_str());
    error = path + (e == EEXIST ? ": exists; not overwritten (use --force to replace it)"
                                : std::string(": link: ") + std::strerror(e));
    return false;
  }
  unlink(tmp.c_str());
  return true;
}

}  // namespace vmxb::output
