#include "card/persistence/transaction_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace epurse::card {
namespace {

constexpr char kFileMagic[8] = {'E', 'P', 'C', 'A', 'R', 'D', 'I', 'M'};
constexpr char kSlotMagic[4] = {'S', 'L', 'O', 'T'};
constexpr std::size_t kFileMagicOffset = 0;
constexpr std::size_t kFileVersionOffset = 8;
constexpr std::size_t kFileCapacityOffset = 12;
constexpr std::size_t kSlotMagicOffset = 0;
constexpr std::size_t kSlotCapacityOffset = 4;
constexpr std::size_t kSlotGenerationOffset = 8;
constexpr std::size_t kSlotHashedHeaderSize = 16;  // magic, capacity, generation
constexpr std::size_t kSlotHashOffset = 16;

constexpr std::size_t kDigestSize = 32;

// SHA-256 over the slot's fixed header fields and its memory contents.
void slotDigest(const std::uint8_t* slot, std::size_t capacity, std::uint8_t* out) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned len = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, slot, kSlotHashedHeaderSize) == 1 &&
                  EVP_DigestUpdate(ctx, slot + TransactionStore::kSlotHeaderSize, capacity) == 1 &&
                  EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == kDigestSize;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("SHA-256 unavailable");  // OpenSSL itself is broken
}

// Fills the slot header in `slot` (header + memory) and its hash.
void sealSlot(std::uint8_t* slot, std::size_t capacity, std::uint64_t generation) {
  std::memcpy(slot + kSlotMagicOffset, kSlotMagic, sizeof kSlotMagic);
  storeU32(slot + kSlotCapacityOffset, static_cast<std::uint32_t>(capacity));
  storeU64(slot + kSlotGenerationOffset, generation);
  slotDigest(slot, capacity, slot + kSlotHashOffset);
}

// The generation of a valid slot, or 0.
std::uint64_t validGeneration(const std::uint8_t* slot, std::size_t capacity) {
  if (std::memcmp(slot + kSlotMagicOffset, kSlotMagic, sizeof kSlotMagic) != 0) return 0;
  if (loadU32(slot + kSlotCapacityOffset) != capacity) return 0;
  std::uint8_t digest[kDigestSize];
  slotDigest(slot, capacity, digest);
  if (std::memcmp(digest, slot + kSlotHashOffset, sizeof digest) != 0) return 0;
  return loadU64(slot + kSlotGenerationOffset);
}

}  // namespace

Bytes TransactionStore::freshImage(std::size_t capacity) {
  Bytes image(imageSize(capacity), 0);
  std::memcpy(image.data() + kFileMagicOffset, kFileMagic, sizeof kFileMagic);
  storeU32(image.data() + kFileVersionOffset, kFormatVersion);
  storeU32(image.data() + kFileCapacityOffset, static_cast<std::uint32_t>(capacity));
  sealSlot(image.data() + kFileHeaderSize, capacity, 1);  // slot 1 stays all zero: invalid
  return image;
}

Result<std::unique_ptr<TransactionStore>> TransactionStore::open(Env& env, const std::string& path,
                                                                 const Options& options) {
  auto lock = env.lockFile(path + ".lock");
  if (!lock) {
    if (lock.error().code == ErrorCode::kBusy) {
      return makeError(ErrorCode::kBusy, "card image '" + path + "' is in use by another card process");
    }
    return lock.error();
  }
  if (!env.fileExists(path)) {
    const std::size_t cap = options.capacityForNewImage;
    if (cap == 0 || cap > kMaxCapacity) {
      return makeError(ErrorCode::kInvalidArgument, "persistent memory size must be 1 byte to 1 MiB");
    }
    // Created under a temporary name and renamed, so a crash here leaves no half image.
    const std::string tmp = path + ".new";
    if (Status s = env.writeNewFile(tmp, freshImage(cap)); !s) return s.error();
    if (Status s = env.renameFile(tmp, path); !s) return s.error();
  }
  auto file = env.openForUpdate(path);
  if (!file) return file.error();
  auto contents = (*file)->readAll();
  if (!contents) return contents.error();

  const Bytes& img = *contents;
  auto corrupt = [&](const std::string& why) {
    return makeError(ErrorCode::kCorrupt, "card image '" + path + "' is not usable: " + why);
  };
  if (img.size() < kFileHeaderSize || std::memcmp(img.data(), kFileMagic, sizeof kFileMagic) != 0) {
    return corrupt("it is not an epurse card image");
  }
  if (loadU32(img.data() + kFileVersionOffset) != kFormatVersion) return corrupt("unknown format version");
  const std::size_t cap = loadU32(img.data() + kFileCapacityOffset);
  if (cap == 0 || cap > kMaxCapacity) return corrupt("bad memory size in header");
  if (img.size() != imageSize(cap)) {
    return corrupt("size is " + std::to_string(img.size()) + " bytes, expected " + std::to_string(imageSize(cap)));
  }

  std::unique_ptr<TransactionStore> store(
      new TransactionStore(std::move(*file), std::move(*lock), cap, options.tear));
  const std::uint64_t gen0 = validGeneration(img.data() + store->slotOffset(0), cap);
  const std::uint64_t gen1 = validGeneration(img.data() + store->slotOffset(1), cap);
  if (gen0 == 0 && gen1 == 0) return corrupt("neither copy of the memory passes its checksum");
  store->currentSlot_ = gen1 > gen0 ? 1 : 0;
  store->generation_ = std::max(gen0, gen1);
  const std::uint8_t* src = img.data() + store->slotOffset(store->currentSlot_) + kSlotHeaderSize;
  std::memcpy(store->working(), src, cap);
  std::memcpy(store->committed_.data(), src, cap);
  return store;
}

TransactionStore::TransactionStore(std::unique_ptr<RandomAccessFile> file, std::unique_ptr<FileLock> lock,
                                   std::size_t capacity, TearInjector* tear)
    : file_(std::move(file)),
      lock_(std::move(lock)),
      capacity_(capacity),
      tear_(tear),
      slot_(kSlotHeaderSize + capacity, 0),
      committed_(capacity, 0) {}

ByteView TransactionStore::read(std::size_t offset, std::size_t length) const {
  if (offset > capacity_ || length > capacity_ - offset) throw std::out_of_range("persistent read out of range");
  return ByteView(working() + offset, length);
}

Status TransactionStore::write(std::size_t offset, ByteView data) {
  if (failed_) return makeError(ErrorCode::kIo, "persistent memory failed; restart the card");
  if (!inTransaction_) {
    return makeError(ErrorCode::kInvalidArgument, "persistent write outside a transaction");
  }
  if (offset > capacity_ || data.size() > capacity_ - offset) {
    return makeError(ErrorCode::kInvalidArgument, "persistent write out of range");
  }
  if (tear_) tear_->beforeWrite();
  std::memcpy(working() + offset, data.data(), data.size());
  dirty_.push_back({offset, data.size()});
  return Status::ok();
}

Status TransactionStore::begin() {
  if (failed_) return makeError(ErrorCode::kIo, "persistent memory failed; restart the card");
  if (inTransaction_) return makeError(ErrorCode::kInvalidArgument, "transaction already in progress");
  inTransaction_ = true;
  return Status::ok();
}

void TransactionStore::abort() {
  for (const Range& r : dirty_) std::memcpy(working() + r.offset, committed_.data() + r.offset, r.length);
  dirty_.clear();
  inTransaction_ = false;
}

Status TransactionStore::commit() {
  if (!inTransaction_) return makeError(ErrorCode::kInvalidArgument, "no transaction to commit");
  if (dirty_.empty()) {  // nothing changed: nothing to make durable
    inTransaction_ = false;
    return Status::ok();
  }
  const int target = 1 - currentSlot_;
  const std::uint64_t gen = generation_ + 1;
  sealSlot(slot_.data(), capacity_, gen);
  Status s = file_->writeAt(slotOffset(target), slot_);
  if (s) s = file_->sync();
  if (!s) {
    // The target slot may or may not have reached the disk; either outcome is a whole
    // transaction, but this process can no longer tell which, so it stops writing.
    failed_ = true;
    abort();
    return s;
  }
  for (const Range& r : dirty_) std::memcpy(committed_.data() + r.offset, working() + r.offset, r.length);
  dirty_.clear();
  inTransaction_ = false;
  currentSlot_ = target;
  generation_ = gen;
  return Status::ok();
}

}  // namespace epurse::card
