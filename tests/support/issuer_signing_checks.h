// What the issuer-side tests (issuer_signing_*_test) share: fresh issuer and card keys, the
// purse IDs and values they use, and a bit flipped anywhere in a byte string.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <utility>

#include "base/bytes.h"
#include "issuer/signing/issuer_key.h"
#include "protocol/ec_key.h"
#include "protocol/purse_types.h"

namespace epurse::testing::issuer_checks {

using namespace epurse::protocol;
using epurse::issuer::IssuerKey;

inline constexpr Currency kEuro = 978;
inline constexpr Date kExpiry = 20301231;

inline Bytes bytesOf(const Digest& d) { return Bytes(d.begin(), d.end()); }

inline PurseId purseId(std::uint8_t n) { return PurseId{1, 2, 3, 4, 5, 6, 7, n}; }

inline IssuerKey freshKey() {
  auto key = IssuerKey::generate();
  BOOST_TEST_REQUIRE(key.isOk());
  return std::move(*key);
}

inline EcPrivateKey freshCardKey() {
  auto key = EcPrivateKey::generate();
  BOOST_TEST_REQUIRE(key.isOk());
  return std::move(*key);
}

inline Bytes flipBit(Bytes b, std::size_t bit) {
  b.at(bit / 8) ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return b;
}

}  // namespace epurse::testing::issuer_checks
