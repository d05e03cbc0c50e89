#include <openssl/crypto.h>

#include <cctype>

#include "base/hex.h"

namespace epurse {

std::string toHex(ByteView bytes) {
  if (bytes.empty()) return {};
  std::string out(bytes.size() * 2 + 1, '\0');
  size_t written = 0;
  if (OPENSSL_buf2hexstr_ex(out.data(), out.size(), &written, bytes.data(), bytes.size(), '\0') != 1) {
    return {};
  }
  out.resize(written > 0 ? written - 1 : 0);  // OpenSSL counts the terminating NUL
  return out;
}

Result<Bytes> fromHex(std::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return makeError(ErrorCode::kInvalidArgument, std::string("not a hex digit: '") + c + "'");
    }
    digits.push_back(c);
  }
  if (digits.size() % 2 != 0) {
    return makeError(ErrorCode::kInvalidArgument, "odd number of hex digits");
  }
  Bytes out(digits.size() / 2);
  if (out.empty()) return out;
  size_t len = 0;
  if (OPENSSL_hexstr2buf_ex(out.data(), out.size(), &len, digits.c_str(), '\0') != 1 || len != out.size()) {
    return makeError(ErrorCode::kInvalidArgument, "hex decoding failed");
  }
  return out;
}

}  // namespace epurse
