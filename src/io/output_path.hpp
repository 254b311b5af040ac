#pragma once
// An output path is checked before any work, so a mistake never costs a long run and never
// destroys an input: refused when empty, a folder, not a regular file, in a folder that does not
// exist or cannot be written, or the same file (by device and inode, not by spelling) as one of
// the run's inputs. Used by `sweep -o` (and its .partial and .tmp companions) and `topo --dot`.
#include <string>
#include <vector>

namespace rackscope::io {

// Throws InputError `FLAG: PATH: problem (valid: ...)` when `path` cannot safely be written.
void check_output(const std::string& flag, const std::string& path, const std::vector<std::string>& inputs);

// Writes `text` to `path` through a temporary file in the same folder, renamed over it: a reader
// sees the old file or the whole new one, never a part. Throws InputError on failure.
void write_replacing(const std::string& flag, const std::string& path, const std::string& text);

}  // namespace rackscope::io
