#include "terminal/cli/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace epurse::terminal {
namespace {

Error ioError(const std::string& what, int err) {
  std::string message = what;
  message += ": ";
  message += std::strerror(err);
  return makeError(ErrorCode::kIo, std::move(message));
}

std::string directoryOf(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace

Result<std::unique_ptr<AtomicFile>> AtomicFile::create(const std::string& path, bool replace) {
  struct stat existing {};
  if (!replace && ::lstat(path.c_str(), &existing) == 0) {
    return makeError(ErrorCode::kInvalidArgument, path + " exists; --force replaces it");
  }
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return ioError(std::string("cannot write ") + path, errno);
  // mkstemp makes it 0600; an export is not secret, so the usual mode under the umask.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  return std::unique_ptr<AtomicFile>(new AtomicFile(path, std::move(temp), fd, replace));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

Status AtomicFile::commit(std::string_view contents) {
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd_, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError(std::string("cannot write ") + temp_, errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0) return ioError(std::string("cannot flush ") + temp_, errno);
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) return ioError(std::string("cannot write ") + temp_, errno);
  if (replace_) {
    if (::rename(temp_.c_str(), path_.c_str()) != 0) return ioError(std::string("cannot rename ") + temp_ + " to " + path_, errno);
  } else {
    // link(2) fails with EEXIST rather than replace a file that appeared since create().
    if (::link(temp_.c_str(), path_.c_str()) != 0) {
      if (errno == EEXIST) return makeError(ErrorCode::kInvalidArgument, path_ + " appeared meanwhile; --force replaces it");
      return ioError(std::string("cannot create ") + path_, errno);
    }
    ::unlink(temp_.c_str());
  }
  committed_ = true;
  const int dir = ::open(directoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);  // the new name itself survives a power loss
    ::close(dir);
  }
  return Status::ok();
}

}  // namespace epurse::terminal
