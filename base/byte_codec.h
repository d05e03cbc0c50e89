// The one byte codec every wire format and memory layout is written with (LevelDB's coding.h
// in spirit): big-endian integers, fixed arrays, length-prefixed fields, never an offset
// computed by hand.
//
// ByteReader is bounds-checked and its failure is sticky: a read past the end returns zeros
// and marks the reader failed, so a decoder reads all of its fields in order and checks once,
// at the end, with finish() (which also insists that every byte was consumed). Nothing is
// ever read outside the view it was given.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse {

class ByteReader {
 public:
  explicit ByteReader(ByteView in) : in_(in) {}

  std::size_t remaining() const { return failed_ ? 0 : in_.size() - pos_; }
  std::size_t position() const { return pos_; }
  // False once any read ran past the end.
  bool ok() const { return !failed_; }

  std::uint8_t u8() { return static_cast<std::uint8_t>(uint(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(uint(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(uint(4)); }
  std::uint64_t u64() { return uint(8); }

  // The next n bytes (empty, and the reader failed, if fewer are left).
  ByteView bytes(std::size_t n);
  template <std::size_t N>
  std::array<std::uint8_t, N> array() {
    std::array<std::uint8_t, N> out{};
    const ByteView b = bytes(N);
    for (std::size_t i = 0; i < b.size(); ++i) out[i] = b[i];
    return out;
  }
  // A field preceded by its length in one byte.
  ByteView lengthPrefixed8() { return bytes(u8()); }
  // Everything not yet read.
  ByteView rest() { return bytes(remaining()); }

  // Ok when every read stayed in bounds and every byte was consumed; otherwise a kMalformed
  // error naming `what`.
  Status finish(std::string_view what) const;
  // Ok when every read stayed in bounds (bytes may be left).
  Status check(std::string_view what) const;

 private:
  std::uint64_t uint(std::size_t width);

  ByteView in_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

// Appends to a byte string: its own, or one the caller passes in.
class ByteWriter {
 public:
  ByteWriter() : out_(&own_) {}
  explicit ByteWriter(Bytes& out) : out_(&out) {}
  ByteWriter(const ByteWriter&) = delete;
  ByteWriter& operator=(const ByteWriter&) = delete;

  ByteWriter& reserve(std::size_t n) {
    out_->reserve(out_->size() + n);
    return *this;
  }
  ByteWriter& u8(std::uint8_t v) {
    out_->push_back(v);
    return *this;
  }
  ByteWriter& u16(std::uint16_t v) { return uint(v, 2); }
  ByteWriter& u32(std::uint32_t v) { return uint(v, 4); }
  ByteWriter& u64(std::uint64_t v) { return uint(v, 8); }
  ByteWriter& bytes(ByteView b) {
    out_->insert(out_->end(), b.begin(), b.end());
    return *this;
  }
  // The characters of an ASCII tag ("LOAD", "REQ"), as bytes, without a terminator.
  ByteWriter& ascii(std::string_view s) {
    out_->insert(out_->end(), s.begin(), s.end());
    return *this;
  }
  // A field preceded by its length in one byte; a field over 255 bytes is a programming
  // error (std::length_error), never a silently truncated length.
  ByteWriter& lengthPrefixed8(ByteView b);

  std::size_t size() const { return out_->size(); }
  const Bytes& view() const { return *out_; }
  // The written bytes (moved out of a writer that owns them).
  Bytes take() { return std::move(*out_); }

 private:
  ByteWriter& uint(std::uint64_t v, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) out_->push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }

  Bytes own_;
  Bytes* out_;
};

// Writes a layout of known size in place, into a buffer that already holds it (a file or slot
// header inside a larger image). Writing past the buffer's end is a programming error
// (std::length_error), never a short write.
class FixedByteWriter {
 public:
  explicit FixedByteWriter(std::span<std::uint8_t> out) : out_(out) {}
  FixedByteWriter(const FixedByteWriter&) = delete;
  FixedByteWriter& operator=(const FixedByteWriter&) = delete;

  FixedByteWriter& u8(std::uint8_t v) { return uint(v, 1); }
  FixedByteWriter& u16(std::uint16_t v) { return uint(v, 2); }
  FixedByteWriter& u32(std::uint32_t v) { return uint(v, 4); }
  FixedByteWriter& u64(std::uint64_t v) { return uint(v, 8); }
  FixedByteWriter& bytes(ByteView b);

  // Bytes written so far, and room left.
  std::size_t size() const { return pos_; }
  std::size_t remaining() const { return out_.size() - pos_; }

 private:
  FixedByteWriter& uint(std::uint64_t v, std::size_t width);

  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
};

// Exactly N bytes as an array: a view of any other length is refused, never padded or cut.
template <std::size_t N>
Result<std::array<std::uint8_t, N>> toArray(ByteView in) {
  if (in.size() != N) {
    return makeError(ErrorCode::kMalformed,
                     "expected " + std::to_string(N) + " bytes, got " + std::to_string(in.size()));
  }
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = in[i];
  return out;
}

}  // namespace epurse
