// RAM that never reaches the card image: cleared at power-up and reset (Java Card's
// CLEAR_ON_RESET) or, for deselect-scoped buffers, also whenever the owning applet is
// deselected (CLEAR_ON_DESELECT). Applets allocate it once, in Applet::attach.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace epurse::card {

enum class ClearOn { kReset, kDeselect };

class TransientMemory {
 public:
  // The span stays valid for the life of this object.
  std::span<std::uint8_t> allocate(std::size_t size, ClearOn when, const void* owner);

  void clearAll();                         // power-up, power-off, reset
  void clearOnDeselect(const void* owner);  // the owner's kDeselect buffers only
  std::size_t totalSize() const;

 private:
  struct Buffer {
    std::unique_ptr<std::uint8_t[]> bytes;
    std::size_t size;
    ClearOn when;
    const void* owner;
  };
  std::vector<Buffer> buffers_;
};

}  // namespace epurse::card
