#include "issuer/signing/exclusive_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace epurse::issuer {
namespace {

constexpr const char* kTempSuffix = ".tmp-XXXXXX";

Error ioError(const std::string& what, const std::string& path, int err) {
  return makeError(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

Error exists(const std::string& path) {
  return makeError(ErrorCode::kIo, path + " already exists; refusing to overwrite it");
}

Status writeAll(int fd, ByteView contents, const std::string& path) {
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("cannot write", path, errno);
    done += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

// So that the new name survives a crash, not only the file's contents.
void syncDirectory(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Status writeExclusiveFile(const std::string& path, ByteView contents, mode_t mode) {
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) return exists(path);

  // In the same directory, so that the final link stays on one file system.
  std::string temp = path + kTempSuffix;
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return ioError("cannot create a file next to", path, errno);
  Status written = ::fchmod(fd, mode) == 0 ? writeAll(fd, contents, temp) : ioError("cannot set the mode of", temp, errno);
  if (written && ::fsync(fd) != 0) written = ioError("cannot sync", temp, errno);
  if (::close(fd) != 0 && written) written = ioError("cannot close", temp, errno);
  if (!written) {
    ::unlink(temp.c_str());
    return written;
  }

  // link(), unlike rename(), refuses to replace an existing name, and does so atomically:
  // a file created at `path` since the check above is not overwritten either.
  const int linked = ::link(temp.c_str(), path.c_str());
  const int linkErrno = errno;
  ::unlink(temp.c_str());
  if (linked != 0) return linkErrno == EEXIST ? Status(exists(path)) : Status(ioError("cannot create", path, linkErrno));
  syncDirectory(path);
  return Status::ok();
}

}  // namespace epurse::issuer
