// Writing a file that must not already exist, all at once: the file appears under its name
// complete, with its final permissions, or not at all. For key files, where a half-written
// key or an overwritten old key would lose the issuer's ability to sign.
#pragma once

#include <string>
#include <sys/types.h>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse::issuer {

// kIo if `path` exists (it is left untouched) or the operating system refuses any step.
Status writeExclusiveFile(const std::string& path, ByteView contents, mode_t mode);

}  // namespace epurse::issuer
