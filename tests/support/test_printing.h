// Lets Boost.Test print byte strings in failure messages, as hex.
#pragma once

#include <ostream>
#include <vector>

#include "apdu/bytes.h"

namespace std {
// Found by argument-dependent lookup for std::vector<uint8_t> (Boost.Test's customisation point).
inline std::ostream& boost_test_print_type(std::ostream& out, const std::vector<std::uint8_t>& bytes) {
  return out << '[' << epurse::toHex(bytes) << ']';
}
}  // namespace std
