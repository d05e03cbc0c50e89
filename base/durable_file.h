// Writing a file so that it appears under its name whole, with its final permissions, or not
// at all, even if the program dies or the power fails part-way: the contents go to a
// temporary file beside it (so the last step stays on one file system), are fsynced, and only
// then take the name; the directory is fsynced too, so that the name survives as well.
// Refusing an existing file uses link(2), which, unlike rename(2), will not replace a name,
// not even one that appeared while we wrote. Key files, the issuer's configuration, receipts,
// audit exports and report pages are all written this way.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse {

enum class IfExists { kRefuse, kReplace };

class DurableFile {
 public:
  // Creates the temporary file now, so that a path that cannot be written is found out before
  // any work is done. `mode`: the file's permissions; nullopt for the usual 0666 under the
  // umask. kIo if `path` exists and kRefuse ("... already exists; refusing to overwrite
  // it"), or if the directory cannot take the temporary file.
  static Result<std::unique_ptr<DurableFile>> create(const std::string& path, std::optional<mode_t> mode,
                                                     IfExists ifExists);
  ~DurableFile();  // removes the temporary file unless commit() succeeded
  DurableFile(const DurableFile&) = delete;
  DurableFile& operator=(const DurableFile&) = delete;

  // Writes `contents`, fsyncs and gives the file its name. kIo, with nothing at `path`
  // changed, on any failure (a file that appeared meanwhile under kRefuse included).
  Status commit(ByteView contents);

 private:
  DurableFile(std::string path, std::string temp, int fd, IfExists ifExists)
      : path_(std::move(path)), temp_(std::move(temp)), fd_(fd), ifExists_(ifExists) {}
  std::string path_;
  std::string temp_;
  int fd_;
  IfExists ifExists_;
  bool committed_ = false;
};

// A failed system call on a file, kIo: "WHAT PATH: strerror(err)".
Error fileError(const std::string& what, const std::string& path, int err);

// create() then commit().
Status writeFileDurably(const std::string& path, ByteView contents, std::optional<mode_t> mode, IfExists ifExists);

// The bytes of a text, for writeFileDurably.
inline ByteView bytesOf(const std::string& text) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

}  // namespace epurse
