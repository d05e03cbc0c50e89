#include "base/byte_codec.h"

#include <algorithm>
#include <stdexcept>

namespace epurse {

ByteView ByteReader::bytes(std::size_t n) {
  if (failed_ || n > in_.size() - pos_) {
    failed_ = true;
    return {};
  }
  const ByteView out = in_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::uint64_t ByteReader::uint(std::size_t width) {
  std::uint64_t v = 0;
  for (std::uint8_t b : bytes(width)) v = (v << 8) | b;
  return v;
}

Status ByteReader::check(std::string_view what) const {
  if (failed_) return makeError(ErrorCode::kMalformed, std::string(what) + " is too short");
  return Status::ok();
}

Status ByteReader::finish(std::string_view what) const {
  if (Status s = check(what); !s) return s;
  if (pos_ != in_.size()) {
    return makeError(ErrorCode::kMalformed, std::string(what) + " has " + std::to_string(in_.size() - pos_) +
                                                " bytes too many");
  }
  return Status::ok();
}

ByteWriter& ByteWriter::lengthPrefixed8(ByteView b) {
  if (b.size() > 0xFF) throw std::length_error("a length-prefixed field holds at most 255 bytes");
  u8(static_cast<std::uint8_t>(b.size()));
  return bytes(b);
}

FixedByteWriter& FixedByteWriter::bytes(ByteView b) {
  if (b.size() > remaining()) throw std::length_error("a fixed layout does not fit its buffer");
  std::copy(b.begin(), b.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos_));
  pos_ += b.size();
  return *this;
}

FixedByteWriter& FixedByteWriter::uint(std::uint64_t v, std::size_t width) {
  if (width > remaining()) throw std::length_error("a fixed layout does not fit its buffer");
  for (std::size_t i = width; i-- > 0;) out_[pos_++] = static_cast<std::uint8_t>(v >> (8 * i));
  return *this;
}

}  // namespace epurse
