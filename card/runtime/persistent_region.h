// An applet's slice of the card's persistent memory. Reads see the open transaction's own
// writes; writes are only allowed inside a transaction (CardContext::beginTransaction).
// Failures throw, Java Card style, and end up as a status word at the dispatcher; which
// status word a store failure becomes is decided once, by throwStoreFailure below.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/byte_codec.h"
#include "base/bytes.h"
#include "base/result.h"
#include "card/persistence/transaction_store.h"

namespace epurse::card {

// The one translation of a TransactionStore failure into what an applet's command answers.
// kInvalidArgument is the caller's own mistake (a nested begin, a write outside a
// transaction or out of range, a commit with none open): an applet bug, std::logic_error,
// 6F00 at the dispatcher. Anything else is the memory itself failing (a commit's write or
// sync, or any use of the store after one): IsoException(6581), memory failure.
[[noreturn]] void throwStoreFailure(const Error& error);
// Returns when `s` is ok; otherwise throwStoreFailure.
void requireStored(const Status& s);

class PersistentRegion {
 public:
  PersistentRegion(TransactionStore& store, std::size_t offset, std::size_t size)
      : store_(&store), offset_(offset), size_(size) {}

  std::size_t size() const { return size_; }

  // A range outside the region is an applet bug: std::out_of_range (6F00), never a read of
  // someone else's memory.
  ByteView read(std::size_t offset, std::size_t length) const;
  // A bounds-checked reader over [offset, offset + length) of the region.
  ByteReader reader(std::size_t offset, std::size_t length) const { return ByteReader(read(offset, length)); }
  std::uint8_t readU8(std::size_t offset) const { return reader(offset, 1).u8(); }
  std::uint16_t readU16(std::size_t offset) const { return reader(offset, 2).u16(); }
  std::uint32_t readU32(std::size_t offset) const { return reader(offset, 4).u32(); }
  std::uint64_t readU64(std::size_t offset) const { return reader(offset, 8).u64(); }

  void write(std::size_t offset, ByteView data);
  void writeU8(std::size_t offset, std::uint8_t v);
  void writeU16(std::size_t offset, std::uint16_t v);
  void writeU32(std::size_t offset, std::uint32_t v);
  void writeU64(std::size_t offset, std::uint64_t v);

 private:
  void checkRange(std::size_t offset, std::size_t length) const;
  TransactionStore* store_;
  std::size_t offset_;
  std::size_t size_;
};

}  // namespace epurse::card
