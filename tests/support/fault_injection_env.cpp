#include "tests/support/fault_injection_env.h"

#include <algorithm>
#include <random>

namespace epurse::testing {

const char* crashModeName(CrashMode mode) {
  switch (mode) {
    case CrashMode::kDropUnsynced: return "drop unsynced writes";
    case CrashMode::kKeepUnsynced: return "keep unsynced writes";
    case CrashMode::kTearLastWrite: return "tear the last write";
    case CrashMode::kGarbleUnsynced: return "garble unsynced writes";
  }
  return "?";
}

namespace {

void applyWrite(Bytes& file, std::uint64_t offset, ByteView data) {
  if (file.size() < offset + data.size()) file.resize(offset + data.size(), 0);
  std::copy(data.begin(), data.end(), file.begin() + static_cast<std::ptrdiff_t>(offset));
}

}  // namespace

class MemFile final : public card::RandomAccessFile {
 public:
  MemFile(FaultInjectionEnv& env, std::string path) : env_(env), path_(std::move(path)) {}

  Status writeAt(std::uint64_t offset, ByteView data) override {
    if (Status s = env_.beforeOperation(); !s) return s;
    auto& f = env_.files_.at(path_);
    applyWrite(f.current, offset, data);
    f.pending.push_back({offset, Bytes(data.begin(), data.end())});
    return Status::ok();
  }

  Status sync() override {
    if (Status s = env_.beforeOperation(); !s) return s;
    auto& f = env_.files_.at(path_);
    f.durable = f.current;
    f.pending.clear();
    return Status::ok();
  }

  Result<Bytes> readAll() override { return env_.files_.at(path_).current; }

 private:
  FaultInjectionEnv& env_;
  std::string path_;
};

namespace {
class NoLock final : public card::FileLock {};
}  // namespace

Status FaultInjectionEnv::beforeOperation() {
  ++ops_;
  if (failAt_ != 0 && ops_ == failAt_) {
    failAt_ = 0;
    return makeError(ErrorCode::kIo, "injected I/O error");
  }
  if (tear_) tear_->beforeWrite();
  return Status::ok();
}

bool FaultInjectionEnv::fileExists(const std::string& path) { return files_.count(path) != 0; }

Status FaultInjectionEnv::writeNewFile(const std::string& path, ByteView contents) {
  files_[path] = FileState{};
  MemFile file(*this, path);
  if (Status s = file.writeAt(0, contents); !s) return s;
  return file.sync();
}

Result<std::unique_ptr<card::RandomAccessFile>> FaultInjectionEnv::openForUpdate(const std::string& path) {
  if (!fileExists(path)) return makeError(ErrorCode::kIo, "no file '" + path + "'");
  return std::unique_ptr<card::RandomAccessFile>(new MemFile(*this, path));
}

Status FaultInjectionEnv::renameFile(const std::string& from, const std::string& to) {
  auto it = files_.find(from);
  if (it == files_.end()) return makeError(ErrorCode::kIo, "no file '" + from + "'");
  FileState moved = std::move(it->second);
  files_.erase(it);
  files_[to] = std::move(moved);  // renames are durable: PosixEnv syncs the directory
  return Status::ok();
}

Status FaultInjectionEnv::removeFile(const std::string& path) {
  files_.erase(path);
  return Status::ok();
}

Result<std::unique_ptr<card::FileLock>> FaultInjectionEnv::lockFile(const std::string& /*path*/) {
  return std::unique_ptr<card::FileLock>(new NoLock());
}

void FaultInjectionEnv::crash(CrashMode mode, std::uint32_t seed) {
  std::mt19937 rng(seed);
  for (auto& [path, f] : files_) {
    Bytes result = f.durable;
    for (std::size_t i = 0; i < f.pending.size(); ++i) {
      const PendingWrite& w = f.pending[i];
      switch (mode) {
        case CrashMode::kDropUnsynced: break;
        case CrashMode::kKeepUnsynced: applyWrite(result, w.offset, w.data); break;
        case CrashMode::kTearLastWrite:
          if (i + 1 < f.pending.size()) {
            applyWrite(result, w.offset, w.data);
          } else {
            const std::size_t keep = w.data.empty() ? 0 : rng() % w.data.size();
            applyWrite(result, w.offset, ByteView(w.data).first(keep));
          }
          break;
        case CrashMode::kGarbleUnsynced: {
          Bytes noise(w.data.size());
          for (auto& b : noise) b = static_cast<std::uint8_t>(rng());
          applyWrite(result, w.offset, noise);
          break;
        }
      }
    }
    f.current = result;
    f.durable = result;
    f.pending.clear();
  }
}

Bytes FaultInjectionEnv::contents(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? Bytes{} : it->second.current;
}

void FaultInjectionEnv::setContents(const std::string& path, Bytes contents) {
  FileState f;
  f.current = contents;
  f.durable = std::move(contents);
  files_[path] = std::move(f);
}

}  // namespace epurse::testing
