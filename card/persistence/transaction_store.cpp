#include "card/persistence/transaction_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <stdexcept>

#include "base/byte_codec.h"

namespace epurse::card {
namespace {

constexpr std::uint8_t kFileMagic[8] = {'E', 'P', 'C', 'A', 'R', 'D', 'I', 'M'};
constexpr std::uint8_t kSlotMagic[4] = {'S', 'L', 'O', 'T'};
// The slot header (docs/persistence.md): magic, capacity, generation, then the digest over
// those first fields and the memory that follows the header.
constexpr std::size_t kSlotHashedHeaderSize = sizeof kSlotMagic + 4 + 8;
constexpr std::size_t kDigestSize = 32;
using SlotDigest = std::array<std::uint8_t, kDigestSize>;

SlotDigest slotDigest(const std::uint8_t* slot, std::size_t capacity) {
  SlotDigest out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned len = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, slot, kSlotHashedHeaderSize) == 1 &&
                  EVP_DigestUpdate(ctx, slot + TransactionStore::kSlotHeaderSize, capacity) == 1 &&
                  EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == kDigestSize;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("SHA-256 unavailable");  // OpenSSL itself is broken
  return out;
}

// Fills the slot header in `slot` (header + memory), its digest last.
void sealSlot(std::uint8_t* slot, std::size_t capacity, std::uint64_t generation) {
  FixedByteWriter header(std::span<std::uint8_t>(slot, TransactionStore::kSlotHeaderSize));
  header.bytes(kSlotMagic).u32(static_cast<std::uint32_t>(capacity)).u64(generation);
  header.bytes(slotDigest(slot, capacity));  // over the fields just written
}

// The generation of a valid slot, or 0.
std::uint64_t validGeneration(const std::uint8_t* slot, std::size_t capacity) {
  ByteReader header(ByteView(slot, TransactionStore::kSlotHeaderSize));
  const ByteView magic = header.bytes(sizeof kSlotMagic);
  const std::uint32_t slotCapacity = header.u32();
  const std::uint64_t generation = header.u64();
  const ByteView digest = header.bytes(kDigestSize);
  if (!header.finish("slot header") || !std::ranges::equal(magic, kSlotMagic)) return 0;
  if (slotCapacity != capacity) return 0;
  if (!std::ranges::equal(slotDigest(slot, capacity), digest)) return 0;
  return generation;
}

}  // namespace

Bytes TransactionStore::freshImage(std::size_t capacity) {
  Bytes image(imageSize(capacity), 0);
  FixedByteWriter header(std::span<std::uint8_t>(image).first(kFileHeaderSize));
  header.bytes(kFileMagic).u32(kFormatVersion).u32(static_cast<std::uint32_t>(capacity));  // the rest: reserved, zero
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
  ByteReader header(img);
  const ByteView magic = header.bytes(sizeof kFileMagic);
  const std::uint32_t version = header.u32();
  const std::size_t cap = header.u32();
  if (img.size() < kFileHeaderSize || !std::ranges::equal(magic, kFileMagic)) {
    return corrupt("it is not an epurse card image");
  }
  if (version != kFormatVersion) return corrupt("unknown format version");
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
