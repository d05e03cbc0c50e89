// The real file system with faults on demand (LevelDB's EnvWrapper pattern): every call goes
// to Env::posix() on real files in a temporary directory, except the write or sync a test has
// chosen to fail, cut short or tear. The in-memory FaultInjectionEnv proves the store's logic;
// this one proves it on the bytes a kernel really leaves in a file, and reuses its CrashMode
// for what a power cut does to writes not yet synced (SQLite's src/test6.c).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "card/persistence/env.h"
#include "tests/support/fault_injection_env.h"

namespace epurse::testing {

// mkdtemp under TMPDIR (or /tmp); removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A disk writes whole 512-byte sectors: a power cut inside a write leaves the write's bytes up
// to one of these file offsets (the write's start, each sector boundary inside it, its end).
inline constexpr std::uint64_t kSectorSize = 512;
std::vector<std::uint64_t> sectorCutPoints(std::uint64_t offset, std::uint64_t length);

class FaultyPosixEnv final : public card::Env {
 public:
  struct WriteRecord {
    std::string path;
    std::uint64_t offset;
    Bytes data;  // what the caller asked to write
  };

  FaultyPosixEnv() = default;

  bool fileExists(const std::string& path) override;
  Status writeNewFile(const std::string& path, ByteView contents) override;
  Result<std::unique_ptr<card::RandomAccessFile>> openForUpdate(const std::string& path) override;
  Status renameFile(const std::string& from, const std::string& to) override;
  Status removeFile(const std::string& path) override;
  Result<std::unique_ptr<card::FileLock>> lockFile(const std::string& path) override;

  // Writes (writeAt and writeNewFile) and syncs are counted apart; n is 1-based from the
  // moment of arming. Each fault fires once, except a full disk, which stays full.
  // The nth write puts only its first `keep` bytes in the file (at most all but one), then fails as a short pwrite
  // does (the count the caller gets back is short: an error).
  void shortWriteAt(std::uint64_t n, std::size_t keep);
  // The nth sync fails with EIO. writesLost: the device never stored the writes since the
  // last sync (they are undone in the file, as a reboot would find them); otherwise the page
  // cache still holds them and a later reader sees them.
  void failSyncAt(std::uint64_t n, bool writesLost);
  // ENOSPC from the nth write on: nothing more is written.
  void diskFullFromWrite(std::uint64_t n);
  // The power goes during the nth write: the file keeps the write's bytes before cut point
  // `cutIndex` (sectorCutPoints), and garbage after it up to the write's end if garbleRest;
  // then card::PowerLost is thrown, as nothing runs once the power is gone.
  void cutPowerAtWrite(std::uint64_t n, std::size_t cutIndex, bool garbleRest, std::uint32_t seed);
  // The power goes just before the nth sync: the writes since the last sync are unsynced.
  void cutPowerAtSync(std::uint64_t n);
  // After a power cut: the unsynced writes in the real files are resolved as `mode` says.
  Status crash(CrashMode mode, std::uint32_t seed);

  void clearFaults();
  bool faultFired() const { return fired_; }
  const std::vector<WriteRecord>& writes() const { return writes_; }

 private:
  friend class FaultyFile;
  struct Pending {
    std::uint64_t offset;
    Bytes before;  // the file's bytes under the write, to undo it
    Bytes landed;  // what actually reached the file
  };
  enum class WriteFault { kNone, kShort, kDiskFull, kPowerCut };

  Status writeThrough(card::RandomAccessFile& file, const std::string& path, std::uint64_t offset, ByteView data);
  Status syncThrough(card::RandomAccessFile& file, const std::string& path);
  Status undoPending(const std::string& path);

  card::Env& target_ = card::Env::posix();
  std::uint64_t writeCount_ = 0, syncCount_ = 0;
  WriteFault writeFault_ = WriteFault::kNone;
  std::uint64_t writeFaultAt_ = 0;
  std::size_t keep_ = 0;  // kShort: bytes kept; kPowerCut: cut index
  bool garbleRest_ = false;
  std::uint32_t seed_ = 0;
  std::uint64_t syncFailAt_ = 0, syncCutAt_ = 0;
  bool syncWritesLost_ = true;
  bool fired_ = false;
  std::vector<WriteRecord> writes_;
  std::map<std::string, std::vector<Pending>> pending_;
};

}  // namespace epurse::testing
