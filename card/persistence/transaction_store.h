// The card's persistent memory ("EEPROM"), changed only through all-or-nothing transactions
// in the spirit of Java Card's JCSystem.beginTransaction / commitTransaction / abortTransaction.
//
// The image file keeps two copies (slots) of the whole memory. A commit writes the new
// contents into the slot that does not hold the current state, with a higher generation and a
// SHA-256 over it, then syncs: one write and one fdatasync. Loading takes the valid slot with
// the highest generation, so a commit torn at any point leaves the previous state in force:
// after any crash the image holds all of a committed transaction or none of it.
//
// Card image layout (big-endian), docs/persistence.md explains the choices:
//
//   file header, 32 bytes, written once when the image is created
//     0   8  magic "EPCARDIM"
//     8   4  format version (1)
//     12  4  capacity: bytes of persistent memory
//     16 16  reserved, zero
//   slot 0 at 32, slot 1 at 32 + slot size; slot size = 48 + capacity
//     0   4  magic "SLOT"
//     4   4  capacity (again, so a slot is self-describing)
//     8   8  generation, 1 for the first state, +1 per commit
//     16 32  SHA-256 over slot bytes 0..15 and the memory contents
//     48  …  memory contents
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "card/persistence/env.h"
#include "card/persistence/tear_injector.h"

namespace epurse::card {

class TransactionStore {
 public:
  static constexpr std::size_t kFileHeaderSize = 32;
  static constexpr std::size_t kSlotHeaderSize = 48;
  static constexpr std::uint32_t kFormatVersion = 1;
  static constexpr std::size_t kDefaultCapacity = 32 * 1024;
  static constexpr std::size_t kMaxCapacity = 1024 * 1024;

  struct Options {
    std::size_t capacityForNewImage = kDefaultCapacity;
    TearInjector* tear = nullptr;  // tests only
  };

  // Opens the image at `path`, creating a fresh zeroed one if there is none. A file that is
  // there but fails its checks is kCorrupt and is never overwritten. The image is locked
  // against a second process (kBusy).
  static Result<std::unique_ptr<TransactionStore>> open(Env& env, const std::string& path, const Options& options);

  // The bytes of a fresh image of `capacity` bytes, as written on creation.
  static Bytes freshImage(std::size_t capacity);
  static std::size_t imageSize(std::size_t capacity) { return kFileHeaderSize + 2 * (kSlotHeaderSize + capacity); }

  std::size_t capacity() const { return capacity_; }
  std::uint64_t generation() const { return generation_; }
  bool inTransaction() const { return inTransaction_; }

  // Reads see the transaction's own writes. A range outside the memory is a programming
  // error and throws std::out_of_range.
  ByteView read(std::size_t offset, std::size_t length) const;

  // kInvalidArgument when no transaction is open or the range is outside the memory.
  Status write(std::size_t offset, ByteView data);

  Status begin();   // kInvalidArgument if one is already open: transactions do not nest
  Status commit();  // durable when it returns ok; on failure the transaction is rolled back
  void abort();     // no-op when none is open

 private:
  TransactionStore(std::unique_ptr<RandomAccessFile> file, std::unique_ptr<FileLock> lock, std::size_t capacity,
                   TearInjector* tear);
  std::uint8_t* working() { return slot_.data() + kSlotHeaderSize; }
  const std::uint8_t* working() const { return slot_.data() + kSlotHeaderSize; }
  std::uint64_t slotOffset(int slot) const { return kFileHeaderSize + slot * (kSlotHeaderSize + capacity_); }

  std::unique_ptr<RandomAccessFile> file_;
  std::unique_ptr<FileLock> lock_;
  std::size_t capacity_;
  TearInjector* tear_;

  Bytes slot_;       // slot header followed by the working memory: written as is on commit
  Bytes committed_;  // the memory as of the last commit, for abort
  struct Range {
    std::size_t offset, length;
  };
  std::vector<Range> dirty_;
  bool inTransaction_ = false;
  bool failed_ = false;  // a commit's write or sync failed: on-disk state unknown until restart
  int currentSlot_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace epurse::card
