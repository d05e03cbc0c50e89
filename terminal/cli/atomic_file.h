// Writing a file so that it is either absent or whole, never half-written, even if the
// program dies or the machine loses power mid-way: the contents go to a temporary file in the
// same directory, are fsynced, and only then take the final name (and the directory is
// fsynced too). Without `replace`, an existing file is never overwritten, not even one that
// appears while we write (link(2) refuses it).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace epurse::terminal {

class AtomicFile {
 public:
  // Creates the temporary file now, so that a path that cannot be written is found out before
  // any work. kInvalidArgument if `path` exists and !replace; kIo if the directory cannot
  // take the temporary file.
  static Result<std::unique_ptr<AtomicFile>> create(const std::string& path, bool replace);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Writes `contents`, fsyncs and gives the file its name. kIo (nothing at `path` changed) or
  // kInvalidArgument (the file appeared meanwhile, !replace).
  Status commit(std::string_view contents);

 private:
  AtomicFile(std::string path, std::string temp, int fd, bool replace)
      : path_(std::move(path)), temp_(std::move(temp)), fd_(fd), replace_(replace) {}
  std::string path_;
  std::string temp_;
  int fd_;
  bool replace_;
  bool committed_ = false;
};

}  // namespace epurse::terminal
