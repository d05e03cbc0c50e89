// Every byte the card persists goes through this small interface (LevelDB's Env), so a test
// can swap in a file system that loses power at the Nth write without mocking anything else.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse::card {

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  virtual Status writeAt(std::uint64_t offset, ByteView data) = 0;
  // Durable once this returns ok (fdatasync: the file's size never changes after creation).
  virtual Status sync() = 0;
  virtual Result<Bytes> readAll() = 0;
};

// Held while a process owns a card image; released on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  virtual bool fileExists(const std::string& path) = 0;
  // Writes a whole new file (truncating any old one) and syncs it.
  virtual Status writeNewFile(const std::string& path, ByteView contents) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> openForUpdate(const std::string& path) = 0;
  // Atomic replace, then the containing directory is synced so the new name is durable.
  virtual Status renameFile(const std::string& from, const std::string& to) = 0;
  virtual Status removeFile(const std::string& path) = 0;
  // An exclusive lock: kBusy if another process holds it.
  virtual Result<std::unique_ptr<FileLock>> lockFile(const std::string& path) = 0;

  // The process-wide POSIX implementation.
  static Env& posix();
};

}  // namespace epurse::card
