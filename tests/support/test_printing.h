// Lets Boost.Test print byte strings and status words in failure messages, as hex.
#pragma once

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "apdu/status_word.h"
#include "base/bytes.h"
#include "base/hex.h"

namespace std {
// Found by argument-dependent lookup for std::vector<uint8_t> (Boost.Test's customisation point).
inline std::ostream& boost_test_print_type(std::ostream& out, const std::vector<std::uint8_t>& bytes) {
  return out << '[' << epurse::toHex(bytes) << ']';
}
}  // namespace std

namespace epurse::testing {

// The error text of a failed Result or Outcome, or nothing: Boost formats a check's message
// even when the check passes, so the message must not touch the error of a success.
template <typename R>
std::string why(const R& r) {
  return r ? std::string() : r.error().toString();
}

// "6A86": a status word as the tests print it in failure messages.
inline std::string swHex(sw::StatusWord s) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(s));
  return buf;
}

}  // namespace epurse::testing
