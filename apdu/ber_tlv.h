// BER-TLV data objects as ISO/IEC 7816-4 clause 6.3 uses them.
//
//   tag     1 to 3 bytes: first byte b8-b6 class+constructed, b5-b1 number; 1F means more
//           bytes follow, each with b8 set except the last (a first subsequent byte of 80 is
//           invalid).
//   length  00-7F one byte; 81 xx; 82 xxxx; 83 xxxxxx; 84 xxxxxxxx. 80 (indefinite) and
//           85+ are refused.
//   value   exactly `length` bytes, which must lie inside the buffer.
//
// 00 and FF bytes before or between objects are padding (ISO 7816-4 6.3) and skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse {

struct TlvObject {
  std::uint32_t tag = 0;  // the tag's bytes read big-endian: 0x6F, 0x9F38, 0x5F2D ...
  ByteView value;         // points into the parsed buffer

  bool isConstructed() const;
};

// Parses one object at the start of `in`; `consumed` receives its full encoded size.
Result<TlvObject> parseTlv(ByteView in, std::size_t& consumed);

// Parses a whole buffer as a sequence of objects (skipping padding).
Result<std::vector<TlvObject>> parseTlvSequence(ByteView in);

// The first object with `tag` in a sequence, or nothing.
std::optional<TlvObject> findTlv(const std::vector<TlvObject>& objects, std::uint32_t tag);

// Encoding. The tag must be a valid BER tag (checked: a programming error throws
// std::invalid_argument).
void appendTlv(Bytes& out, std::uint32_t tag, ByteView value);
Bytes encodeTlv(std::uint32_t tag, ByteView value);

}  // namespace epurse
