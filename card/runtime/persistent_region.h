// An applet's slice of the card's persistent memory. Reads see the open transaction's own
// writes; writes are only allowed inside a transaction (CardContext::beginTransaction).
// Failures throw, Java Card style, and end up as a status word at the dispatcher:
// a write outside a transaction or out of range is an applet bug (std::logic_error, 6F00).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "card/persistence/transaction_store.h"

namespace epurse::card {

class PersistentRegion {
 public:
  PersistentRegion(TransactionStore& store, std::size_t offset, std::size_t size)
      : store_(&store), offset_(offset), size_(size) {}

  std::size_t size() const { return size_; }

  ByteView read(std::size_t offset, std::size_t length) const;
  std::uint8_t readU8(std::size_t offset) const { return read(offset, 1)[0]; }
  std::uint16_t readU16(std::size_t offset) const { return loadU16(read(offset, 2).data()); }
  std::uint32_t readU32(std::size_t offset) const { return loadU32(read(offset, 4).data()); }
  std::uint64_t readU64(std::size_t offset) const { return loadU64(read(offset, 8).data()); }

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
