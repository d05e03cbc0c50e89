// The value types every purse message is made of.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "base/byte_codec.h"  // ByteReader/ByteWriter and the checked toArray<N> the formats use
#include "base/bytes.h"
#include "base/hex.h"

namespace epurse::protocol {

inline constexpr std::size_t kPurseIdSize = 8;
inline constexpr std::size_t kReferenceSize = 32;
inline constexpr std::size_t kIssuerKeyIdSize = 8;

using PurseId = std::array<std::uint8_t, kPurseIdSize>;
using PurchaseReference = std::array<std::uint8_t, kReferenceSize>;
using IssuerKeyId = std::array<std::uint8_t, kIssuerKeyIdSize>;

using Amount = std::uint32_t;    // minor units of the purse's currency
using Currency = std::uint16_t;  // ISO 4217 numeric code, e.g. 978 for EUR
using Date = std::uint32_t;      // YYYYMMDD as a number, e.g. 20261123

inline std::string purseIdHex(const PurseId& id) { return toHex(id); }

}  // namespace epurse::protocol
