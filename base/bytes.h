// Byte strings as both sides of the wire see them. Fields are read and written with the
// bounds-checked codec of base/byte_codec.h, never at offsets computed by hand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace epurse {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline Bytes toBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

inline void appendBytes(Bytes& out, ByteView in) { out.insert(out.end(), in.begin(), in.end()); }

}  // namespace epurse
