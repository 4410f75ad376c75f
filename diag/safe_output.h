// Writing an output file without ever losing data: the contents go to a
// temporary file with a unique name in the target directory (mkstemp:
// O_CREAT|O_EXCL, so a symlink planted there is never followed), then
// replace `path` by a rename (with `force`), or appear at `path` by a hard
// link that fails if anything exists there (without). A reader never sees a
// half-written file; parallel writers each have their own temporary file.
#pragma once

#include <string>

namespace vmxb::output {

// False with `error` set to one line naming `path` and, for a failed system
// call, its strerror: "PATH: exists; not overwritten (use --force to replace it)",
// "PATH: cannot create a temporary file in DIR: No such file or directory".
bool write_file_safely(const std::string& path, const std::string& contents, bool force, std::string& error);

}  // namespace vmxb::output
