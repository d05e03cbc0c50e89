#include "card/runtime/persistent_region.h"

#include <stdexcept>

namespace epurse::card {

void PersistentRegion::checkRange(std::size_t offset, std::size_t length) const {
  if (offset > size_ || length > size_ - offset) throw std::out_of_range("access outside the applet's memory");
}

ByteView PersistentRegion::read(std::size_t offset, std::size_t length) const {
  checkRange(offset, length);
  return store_->read(offset_ + offset, length);
}

void PersistentRegion::write(std::size_t offset, ByteView data) {
  checkRange(offset, data.size());
  if (Status s = store_->write(offset_ + offset, data); !s) throw std::logic_error(s.error().message);
}

void PersistentRegion::writeU8(std::size_t offset, std::uint8_t v) { write(offset, ByteView(&v, 1)); }

void PersistentRegion::writeU16(std::size_t offset, std::uint16_t v) {
  Bytes b;
  appendU16(b, v);
  write(offset, b);
}

void PersistentRegion::writeU32(std::size_t offset, std::uint32_t v) {
  std::uint8_t b[4];
  storeU32(b, v);
  write(offset, ByteView(b, sizeof b));
}

void PersistentRegion::writeU64(std::size_t offset, std::uint64_t v) {
  std::uint8_t b[8];
  storeU64(b, v);
  write(offset, ByteView(b, sizeof b));
}

}  // namespace epurse::card
