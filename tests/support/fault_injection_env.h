// An in-memory Env that can lose power, after SQLite's crash simulator (src/test6.c): every
// write and sync first asks the TearInjector, which may throw PowerLost; crash() then
// resolves each write not yet synced as the chosen mode says, and the card is powered up
// again from what is left.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "card/persistence/env.h"
#include "card/persistence/tear_injector.h"

namespace epurse::testing {

enum class CrashMode {
  kDropUnsynced,    // nothing written since the last sync reached the disk
  kKeepUnsynced,    // everything did
  kTearLastWrite,   // all but the last unsynced write did; the last one only in part
  kGarbleUnsynced,  // the ranges of unsynced writes hold random bytes
};

const char* crashModeName(CrashMode mode);
inline constexpr CrashMode kAllCrashModes[] = {CrashMode::kDropUnsynced, CrashMode::kKeepUnsynced,
                                               CrashMode::kTearLastWrite, CrashMode::kGarbleUnsynced};

class FaultInjectionEnv final : public card::Env {
 public:
  explicit FaultInjectionEnv(card::TearInjector* tear = nullptr) : tear_(tear) {}

  bool fileExists(const std::string& path) override;
  Status writeNewFile(const std::string& path, ByteView contents) override;
  Result<std::unique_ptr<card::RandomAccessFile>> openForUpdate(const std::string& path) override;
  Status renameFile(const std::string& from, const std::string& to) override;
  Status removeFile(const std::string& path) override;
  Result<std::unique_ptr<card::FileLock>> lockFile(const std::string& path) override;

  // The power loss: what was not synced is resolved per `mode`.
  void crash(CrashMode mode, std::uint32_t seed);
  // Makes the Nth write or sync from now fail with an I/O error (not a power loss).
  void failOperation(std::uint64_t n) { failAt_ = ops_ + n; }

  Bytes contents(const std::string& path) const;
  void setContents(const std::string& path, Bytes contents);
  std::uint64_t operations() const { return ops_; }

 private:
  friend class MemFile;
  struct PendingWrite {
    std::uint64_t offset;
    Bytes data;
  };
  struct FileState {
    Bytes current;
    Bytes durable;
    std::vector<PendingWrite> pending;
  };
  Status beforeOperation();
  card::TearInjector* tear_;
  std::map<std::string, FileState> files_;
  std::uint64_t ops_ = 0;
  std::uint64_t failAt_ = 0;
};

}  // namespace epurse::testing
