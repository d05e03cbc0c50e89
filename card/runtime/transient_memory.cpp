#include "card/runtime/transient_memory.h"

#include <cstring>

namespace epurse::card {

std::span<std::uint8_t> TransientMemory::allocate(std::size_t size, ClearOn when, const void* owner) {
  Buffer b{std::make_unique<std::uint8_t[]>(size), size, when, owner};
  std::memset(b.bytes.get(), 0, size);
  buffers_.push_back(std::move(b));
  return {buffers_.back().bytes.get(), size};
}

void TransientMemory::clearAll() {
  for (auto& b : buffers_) std::memset(b.bytes.get(), 0, b.size);
}

void TransientMemory::clearOnDeselect(const void* owner) {
  for (auto& b : buffers_) {
    if (b.owner == owner && b.when == ClearOn::kDeselect) std::memset(b.bytes.get(), 0, b.size);
  }
}

std::size_t TransientMemory::totalSize() const {
  std::size_t n = 0;
  for (const auto& b : buffers_) n += b.size;
  return n;
}

}  // namespace epurse::card
