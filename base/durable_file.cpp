#include "base/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace epurse {

Error fileError(const std::string& what, const std::string& path, int err) {
  std::string message = what;
  message += " ";
  message += path;
  message += ": ";
  message += std::strerror(err);
  return makeError(ErrorCode::kIo, std::move(message));
}

namespace {

constexpr const char* kTempSuffix = ".tmp-XXXXXX";

Error exists(const std::string& path) {
  return makeError(ErrorCode::kIo, path + " already exists; refusing to overwrite it");
}

void syncDirectoryOf(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Result<std::unique_ptr<DurableFile>> DurableFile::create(const std::string& path, std::optional<mode_t> mode,
                                                         IfExists ifExists) {
  struct stat existing {};
  if (ifExists == IfExists::kRefuse && ::lstat(path.c_str(), &existing) == 0) return exists(path);
  std::string temp = path + kTempSuffix;
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return fileError("cannot create a file next to", path, errno);
  auto file = std::unique_ptr<DurableFile>(new DurableFile(path, std::move(temp), fd, ifExists));
  mode_t final = 0;
  if (mode) {
    final = *mode;
  } else {
    const mode_t mask = ::umask(0);  // mkstemp makes it 0600; the usual mode under the umask
    ::umask(mask);
    final = 0666 & ~mask;
  }
  if (::fchmod(fd, final) != 0) return fileError("cannot set the mode of", file->temp_, errno);
  return file;
}

DurableFile::~DurableFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

Status DurableFile::commit(ByteView contents) {
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd_, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fileError("cannot write", temp_, errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0) return fileError("cannot sync", temp_, errno);
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) return fileError("cannot close", temp_, errno);
  if (ifExists_ == IfExists::kReplace) {
    if (::rename(temp_.c_str(), path_.c_str()) != 0) return fileError("cannot rename " + temp_ + " to", path_, errno);
  } else {
    const int linked = ::link(temp_.c_str(), path_.c_str());
    const int linkErrno = errno;
    if (linked != 0) return linkErrno == EEXIST ? Status(exists(path_)) : Status(fileError("cannot create", path_, linkErrno));
    ::unlink(temp_.c_str());
  }
  committed_ = true;
  syncDirectoryOf(path_);
  return Status::ok();
}

Status writeFileDurably(const std::string& path, ByteView contents, std::optional<mode_t> mode, IfExists ifExists) {
  auto file = DurableFile::create(path, mode, ifExists);
  if (!file) return file.error();
  return (*file)->commit(contents);
}

}  // namespace epurse
