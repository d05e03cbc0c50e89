#include "apdu/ber_tlv.h"

#include <stdexcept>
#include <string>

namespace epurse {
namespace {

constexpr std::uint8_t kConstructedBit = 0x20;
constexpr std::uint8_t kTagNumberMask = 0x1F;   // all ones: the number continues in more bytes
constexpr std::uint8_t kMoreTagBytes = 0x80;
constexpr std::size_t kMaxTagBytes = 3;
constexpr std::uint8_t kLongLengthFlag = 0x80;  // 8x: x length bytes follow
constexpr std::size_t kMaxLengthBytes = 4;
constexpr std::uint8_t kPaddingZero = 0x00;
constexpr std::uint8_t kPaddingFF = 0xFF;

Error malformed(const std::string& why) { return makeError(ErrorCode::kMalformed, "BER-TLV: " + why); }

std::size_t tagByteCount(std::uint32_t tag) {
  if (tag <= 0xFF) return 1;
  if (tag <= 0xFFFF) return 2;
  return 3;
}

}  // namespace

bool TlvObject::isConstructed() const {
  const std::uint32_t first = tag >> (8 * (tagByteCount(tag) - 1));
  return (first & kConstructedBit) != 0;
}

Result<TlvObject> parseTlv(ByteView in, std::size_t& consumed) {
  std::size_t pos = 0;
  if (in.empty()) return malformed("empty input");
  std::uint32_t tag = in[pos++];
  if ((tag & kTagNumberMask) == kTagNumberMask) {
    for (std::size_t n = 1;; ++n) {
      if (n == kMaxTagBytes) return malformed("tag longer than 3 bytes");
      if (pos >= in.size()) return malformed("truncated tag");
      const std::uint8_t b = in[pos++];
      if (n == 1 && b == kMoreTagBytes) return malformed("tag with a leading 80 byte");
      tag = (tag << 8) | b;
      if ((b & kMoreTagBytes) == 0) break;
    }
  }
  if (pos >= in.size()) return malformed("missing length");
  const std::uint8_t l0 = in[pos++];
  std::size_t length = l0;
  if (l0 & kLongLengthFlag) {
    const std::size_t count = l0 & ~kLongLengthFlag;
    if (count == 0) return malformed("indefinite length is not allowed");
    if (count > kMaxLengthBytes) return malformed("length field of more than 4 bytes");
    if (in.size() - pos < count) return malformed("truncated length");
    length = 0;
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | in[pos++];
  }
  if (in.size() - pos < length) {
    return malformed("value of " + std::to_string(length) + " bytes but only " + std::to_string(in.size() - pos) +
                     " remain");
  }
  consumed = pos + length;
  return TlvObject{tag, in.subspan(pos, length)};
}

Result<std::vector<TlvObject>> parseTlvSequence(ByteView in) {
  std::vector<TlvObject> out;
  std::size_t pos = 0;
  while (pos < in.size()) {
    if (in[pos] == kPaddingZero || in[pos] == kPaddingFF) {
      ++pos;
      continue;
    }
    std::size_t used = 0;
    auto obj = parseTlv(in.subspan(pos), used);
    if (!obj) return obj.error();
    out.push_back(*obj);
    pos += used;
  }
  return out;
}

std::optional<TlvObject> findTlv(const std::vector<TlvObject>& objects, std::uint32_t tag) {
  for (const auto& o : objects) {
    if (o.tag == tag) return o;
  }
  return std::nullopt;
}

// True when `tag` encodes to bytes that parseTlv reads back as the same tag.
bool isEncodableTag(std::uint32_t tag) {
  if ((tag >> 24) != 0) return false;
  const std::size_t n = tagByteCount(tag);
  auto byteAt = [&](std::size_t i) { return static_cast<std::uint8_t>(tag >> (8 * (n - 1 - i))); };
  const std::uint8_t first = byteAt(0);
  if (first == kPaddingZero || first == kPaddingFF) return false;  // would read as padding
  const bool multi = (first & kTagNumberMask) == kTagNumberMask;
  if (multi != (n > 1)) return false;
  for (std::size_t i = 1; i < n; ++i) {
    const bool last = i == n - 1;
    if (((byteAt(i) & kMoreTagBytes) != 0) == last) return false;  // b8 set on all but the last
  }
  return n == 1 || byteAt(1) != kMoreTagBytes;
}

void appendTlv(Bytes& out, std::uint32_t tag, ByteView value) {
  if (!isEncodableTag(tag)) throw std::invalid_argument("not a valid BER-TLV tag");
  const std::size_t n = tagByteCount(tag);
  for (std::size_t i = n; i-- > 0;) out.push_back(static_cast<std::uint8_t>(tag >> (8 * i)));
  const std::size_t len = value.size();
  if (len < kLongLengthFlag) {
    out.push_back(static_cast<std::uint8_t>(len));
  } else {
    std::size_t count = 0;
    for (std::size_t v = len; v != 0; v >>= 8) ++count;
    out.push_back(static_cast<std::uint8_t>(kLongLengthFlag | count));
    for (std::size_t i = count; i-- > 0;) out.push_back(static_cast<std::uint8_t>(len >> (8 * i)));
  }
  appendBytes(out, value);
}

Bytes encodeTlv(std::uint32_t tag, ByteView value) {
  Bytes out;
  appendTlv(out, tag, value);
  return out;
}

}  // namespace epurse
