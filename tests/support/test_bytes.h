// Byte helpers for tests that check the APDU library. Expected bytes never come from the
// code under test, so this header carries its own small hex codec.
#pragma once

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace boost::test_tools::tt_detail {
template <>
struct print_log_value<epurse::ErrorCode> {
  void operator()(std::ostream& os, epurse::ErrorCode c) { os << epurse::errorCodeName(c); }
};
}  // namespace boost::test_tools::tt_detail

namespace epurse::testing {

// "3B 8C 81" -> bytes; upper-case digits and spaces only.
inline Bytes h(std::string_view text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  int high = -1;
  for (char c : text) {
    if (c == ' ') continue;
    const int v = nibble(c);
    if (v < 0) throw std::logic_error("bad hex in test");
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) throw std::logic_error("odd hex in test");
  return out;
}

// Bytes -> upper-case hex without spaces.
inline std::string hx(ByteView bytes) {
  static const char* const kDigits = "0123456789ABCDEF";
  std::string s;
  for (std::uint8_t b : bytes) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 0x0F]);
  }
  return s;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A heap copy of exactly `bytes.size()` bytes, so that AddressSanitizer reports a parser that
// reads even one byte past the end (a std::vector's spare capacity would hide it).
struct ExactBuffer {
  explicit ExactBuffer(const Bytes& bytes) : p(new std::uint8_t[bytes.size()]), n(bytes.size()) {
    std::copy(bytes.begin(), bytes.end(), p.get());
  }
  ByteView view() const { return ByteView(p.get(), n); }
  std::unique_ptr<std::uint8_t[]> p;
  std::size_t n;
};

}  // namespace epurse::testing
