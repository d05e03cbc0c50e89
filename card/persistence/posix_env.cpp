#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "card/persistence/env.h"

namespace epurse::card {
namespace {

Error ioError(const std::string& what, const std::string& path, int err) {
  return makeError(ErrorCode::kIo, what + " '" + path + "': " + std::strerror(err));
}

class PosixFile final : public RandomAccessFile {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { ::close(fd_); }

  Status writeAt(std::uint64_t offset, ByteView data) override {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ioError("cannot write", path_, errno);
      }
      done += static_cast<std::size_t>(n);
    }
    return Status::ok();
  }

  Status sync() override {
    if (::fdatasync(fd_) != 0) return ioError("cannot sync", path_, errno);
    return Status::ok();
  }

  Result<Bytes> readAll() override {
    struct stat st{};
    if (::fstat(fd_, &st) != 0) return ioError("cannot stat", path_, errno);
    Bytes out(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ioError("cannot read", path_, errno);
      }
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return out;
  }

 private:
  int fd_;
  std::string path_;
};

class PosixLock final : public FileLock {
 public:
  explicit PosixLock(int fd) : fd_(fd) {}
  ~PosixLock() override { ::close(fd_); }  // closing drops the flock

 private:
  int fd_;
};

std::string directoryOf(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status syncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ioError("cannot open directory", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return ioError("cannot sync directory", dir, err);
  return Status::ok();
}

class PosixEnv final : public Env {
 public:
  bool fileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status writeNewFile(const std::string& path, ByteView contents) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return ioError("cannot create", path, errno);
    PosixFile file(fd, path);
    if (Status s = file.writeAt(0, contents); !s) return s;
    if (::fsync(fd) != 0) return ioError("cannot sync", path, errno);
    return Status::ok();
  }

  Result<std::unique_ptr<RandomAccessFile>> openForUpdate(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return ioError("cannot open", path, errno);
    return std::unique_ptr<RandomAccessFile>(new PosixFile(fd, path));
  }

  Status renameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ioError("cannot rename", from + "' to '" + to, errno);
    return syncDirectory(directoryOf(to));
  }

  Status removeFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ioError("cannot remove", path, errno);
    return Status::ok();
  }

  Result<std::unique_ptr<FileLock>> lockFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return ioError("cannot open lock file", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return makeError(ErrorCode::kBusy, "'" + path + "' is locked by another process");
      }
      return ioError("cannot lock", path, err);
    }
    return std::unique_ptr<FileLock>(new PosixLock(fd));
  }
};

}  // namespace

Env& Env::posix() {
  static PosixEnv env;
  return env;
}

}  // namespace epurse::card
