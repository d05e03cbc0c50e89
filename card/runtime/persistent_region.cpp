#include "card/runtime/persistent_region.h"

#include <stdexcept>

#include "card/runtime/iso_exception.h"

namespace epurse::card {

void throwStoreFailure(const Error& error) {
  if (error.code == ErrorCode::kInvalidArgument) throw std::logic_error(error.message);
  IsoException::throwIt(sw::kMemoryFailure);
}

void requireStored(const Status& s) {
  if (!s) throwStoreFailure(s.error());
}

void PersistentRegion::checkRange(std::size_t offset, std::size_t length) const {
  if (offset > size_ || length > size_ - offset) throw std::out_of_range("access outside the applet's memory");
}

ByteView PersistentRegion::read(std::size_t offset, std::size_t length) const {
  checkRange(offset, length);
  return store_->read(offset_ + offset, length);
}

void PersistentRegion::write(std::size_t offset, ByteView data) {
  checkRange(offset, data.size());
  requireStored(store_->write(offset_ + offset, data));
}

void PersistentRegion::writeU8(std::size_t offset, std::uint8_t v) { write(offset, ByteWriter().u8(v).view()); }

void PersistentRegion::writeU16(std::size_t offset, std::uint16_t v) { write(offset, ByteWriter().u16(v).view()); }

void PersistentRegion::writeU32(std::size_t offset, std::uint32_t v) { write(offset, ByteWriter().u32(v).view()); }

void PersistentRegion::writeU64(std::size_t offset, std::uint64_t v) { write(offset, ByteWriter().u64(v).view()); }

}  // namespace epurse::card
