#include "tests/support/faulty_posix_env.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "card/persistence/tear_injector.h"

namespace epurse::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/epurse-fsfault-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;  // a destructor cannot report; a leftover temp dir harms nothing
  std::filesystem::remove_all(path_, ignored);
}

std::vector<std::uint64_t> sectorCutPoints(std::uint64_t offset, std::uint64_t length) {
  std::vector<std::uint64_t> points{offset};
  for (std::uint64_t b = (offset / kSectorSize + 1) * kSectorSize; b < offset + length; b += kSectorSize) {
    points.push_back(b);
  }
  if (length > 0) points.push_back(offset + length);
  return points;
}

namespace {

Error injected(const std::string& what, const std::string& path, int err) {
  return makeError(ErrorCode::kIo, what + " '" + path + "': " + std::strerror(err) + " (injected)");
}

Bytes noise(std::size_t n, std::mt19937& rng) {
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

}  // namespace

class FaultyFile final : public card::RandomAccessFile {
 public:
  FaultyFile(FaultyPosixEnv& env, std::unique_ptr<card::RandomAccessFile> inner, std::string path)
      : env_(env), inner_(std::move(inner)), path_(std::move(path)) {}
  Status writeAt(std::uint64_t offset, ByteView data) override {
    return env_.writeThrough(*inner_, path_, offset, data);
  }
  Status sync() override { return env_.syncThrough(*inner_, path_); }
  Result<Bytes> readAll() override { return inner_->readAll(); }

 private:
  FaultyPosixEnv& env_;
  std::unique_ptr<card::RandomAccessFile> inner_;
  std::string path_;
};

void FaultyPosixEnv::shortWriteAt(std::uint64_t n, std::size_t keep) {
  writeFault_ = WriteFault::kShort;
  writeFaultAt_ = writeCount_ + n;
  keep_ = keep;
}

void FaultyPosixEnv::failSyncAt(std::uint64_t n, bool writesLost) {
  syncFailAt_ = syncCount_ + n;
  syncWritesLost_ = writesLost;
}

void FaultyPosixEnv::diskFullFromWrite(std::uint64_t n) {
  writeFault_ = WriteFault::kDiskFull;
  writeFaultAt_ = writeCount_ + n;
}

void FaultyPosixEnv::cutPowerAtWrite(std::uint64_t n, std::size_t cutIndex, bool garbleRest, std::uint32_t seed) {
  writeFault_ = WriteFault::kPowerCut;
  writeFaultAt_ = writeCount_ + n;
  keep_ = cutIndex;
  garbleRest_ = garbleRest;
  seed_ = seed;
}

void FaultyPosixEnv::cutPowerAtSync(std::uint64_t n) { syncCutAt_ = syncCount_ + n; }

void FaultyPosixEnv::clearFaults() {
  writeFault_ = WriteFault::kNone;
  syncFailAt_ = syncCutAt_ = 0;
  fired_ = false;
  writes_.clear();
  pending_.clear();
}

Status FaultyPosixEnv::writeThrough(card::RandomAccessFile& file, const std::string& path, std::uint64_t offset,
                                    ByteView data) {
  ++writeCount_;
  writes_.push_back({path, offset, Bytes(data.begin(), data.end())});
  const bool hit = writeFault_ != WriteFault::kNone && writeCount_ >= writeFaultAt_ &&
                   (writeCount_ == writeFaultAt_ || writeFault_ == WriteFault::kDiskFull);
  auto all = file.readAll();
  if (!all) return all.error();
  const std::size_t start = std::min<std::size_t>(offset, all->size());
  const std::size_t inFile = std::min(data.size(), all->size() - start);
  const auto from = all->begin() + static_cast<std::ptrdiff_t>(start);
  Pending p{offset, Bytes(from, from + static_cast<std::ptrdiff_t>(inFile)), {}};
  if (!hit) {
    if (Status s = file.writeAt(offset, data); !s) return s;
    p.landed.assign(data.begin(), data.end());
    pending_[path].push_back(std::move(p));
    return Status::ok();
  }
  fired_ = true;
  const WriteFault fault = writeFault_;
  if (fault != WriteFault::kDiskFull) writeFault_ = WriteFault::kNone;
  switch (fault) {
    case WriteFault::kDiskFull: return injected("cannot write", path, ENOSPC);
    case WriteFault::kShort: {
      const std::size_t keep = data.empty() ? 0 : std::min(keep_, data.size() - 1);  // short: never all
      p.landed.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(keep));
      if (Status s = file.writeAt(offset, p.landed); !s) return s;
      pending_[path].push_back(std::move(p));
      return makeError(ErrorCode::kIo, "cannot write '" + path + "': short write, " + std::to_string(keep) + " of " +
                                           std::to_string(data.size()) + " bytes (injected)");
    }
    case WriteFault::kPowerCut: {
      const auto points = sectorCutPoints(offset, data.size());
      const std::size_t keep = points[std::min(keep_, points.size() - 1)] - offset;
      p.landed.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(keep));
      if (garbleRest_) {
        std::mt19937 rng(seed_);
        const Bytes rest = noise(data.size() - keep, rng);
        p.landed.insert(p.landed.end(), rest.begin(), rest.end());
      }
      if (Status s = file.writeAt(offset, p.landed); !s) return s;
      pending_[path].push_back(std::move(p));
      throw card::PowerLost{writeCount_};
    }
    case WriteFault::kNone: break;
  }
  return Status::ok();
}

Status FaultyPosixEnv::syncThrough(card::RandomAccessFile& file, const std::string& path) {
  ++syncCount_;
  if (syncCutAt_ != 0 && syncCount_ == syncCutAt_) {
    syncCutAt_ = 0;
    fired_ = true;
    throw card::PowerLost{syncCount_};
  }
  if (syncFailAt_ != 0 && syncCount_ == syncFailAt_) {
    syncFailAt_ = 0;
    fired_ = true;
    if (syncWritesLost_) {
      if (Status s = undoPending(path); !s) return s;
    }
    pending_.erase(path);
    return injected("cannot sync", path, EIO);
  }
  if (Status s = file.sync(); !s) return s;
  pending_.erase(path);
  return Status::ok();
}

Status FaultyPosixEnv::undoPending(const std::string& path) {
  auto it = pending_.find(path);
  if (it == pending_.end()) return Status::ok();
  auto file = target_.openForUpdate(path);
  if (!file) return file.error();
  for (auto p = it->second.rbegin(); p != it->second.rend(); ++p) {
    if (Status s = (*file)->writeAt(p->offset, p->before); !s) return s;
  }
  return (*file)->sync();
}

Status FaultyPosixEnv::crash(CrashMode mode, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Status result = Status::ok();
  for (auto& [path, writes] : pending_) {
    if (writes.empty()) continue;
    auto file = target_.openForUpdate(path);
    if (!file) return file.error();
    switch (mode) {
      case CrashMode::kKeepUnsynced: break;
      case CrashMode::kDropUnsynced:
        for (auto p = writes.rbegin(); p != writes.rend() && result; ++p) result = (*file)->writeAt(p->offset, p->before);
        break;
      case CrashMode::kGarbleUnsynced:
        for (const Pending& p : writes) {
          if (result) result = (*file)->writeAt(p.offset, noise(p.landed.size(), rng));
        }
        break;
      case CrashMode::kTearLastWrite: {  // a sector-aligned prefix of the last one survives
        const Pending& last = writes.back();
        const auto points = sectorCutPoints(last.offset, last.landed.size());
        const std::size_t keep = points[rng() % points.size()] - last.offset;
        result = (*file)->writeAt(last.offset, last.before);
        if (result) result = (*file)->writeAt(last.offset, ByteView(last.landed).first(keep));
        break;
      }
    }
    if (result) result = (*file)->sync();
    if (!result) return result;
  }
  pending_.clear();
  return result;
}

bool FaultyPosixEnv::fileExists(const std::string& path) { return target_.fileExists(path); }

Status FaultyPosixEnv::writeNewFile(const std::string& path, ByteView contents) {
  // Created, written and synced in one call: a fault here leaves what the write left.
  struct Scratch final : card::RandomAccessFile {
    explicit Scratch(Bytes& b) : bytes(b) {}
    Status writeAt(std::uint64_t offset, ByteView data) override {
      if (bytes.size() < offset + data.size()) bytes.resize(offset + data.size());
      std::copy(data.begin(), data.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
      return Status::ok();
    }
    Status sync() override { return Status::ok(); }
    Result<Bytes> readAll() override { return bytes; }
    Bytes& bytes;
  };
  Bytes staged;
  Scratch scratch(staged);
  Status s = Status::ok();
  try {
    s = writeThrough(scratch, path, 0, contents);
  } catch (const card::PowerLost&) {
    if (Status w = target_.writeNewFile(path, staged); !w) return w;
    pending_.erase(path);
    throw;
  }
  pending_.erase(path);
  if (Status w = target_.writeNewFile(path, staged); !w) return w;
  return s;
}

Result<std::unique_ptr<card::RandomAccessFile>> FaultyPosixEnv::openForUpdate(const std::string& path) {
  auto inner = target_.openForUpdate(path);
  if (!inner) return inner.error();
  return std::unique_ptr<card::RandomAccessFile>(new FaultyFile(*this, std::move(*inner), path));
}

Status FaultyPosixEnv::renameFile(const std::string& from, const std::string& to) {
  return target_.renameFile(from, to);
}

Status FaultyPosixEnv::removeFile(const std::string& path) { return target_.removeFile(path); }

Result<std::unique_ptr<card::FileLock>> FaultyPosixEnv::lockFile(const std::string& path) {
  return target_.lockFile(path);
}

}  // namespace epurse::testing
