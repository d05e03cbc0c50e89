// Mondex's payment details, pd: what one value transfer is, as both purses store it and every
// protocol message signs it.
//
//   0   8  from purse ID        8   4  from sequence number
//   12  8  to purse ID          20  4  to sequence number
//   24  4  value (minor units)  28  2  currency (ISO 4217 numeric)
//   30 32  purchase reference (the merchant's order binding; zero if none)
//   62     total
#pragma once

#include "base/byte_codec.h"
#include "base/bytes.h"
#include "base/result.h"
#include "protocol/purse_types.h"

namespace epurse::protocol {

struct PaymentDetails {
  static constexpr std::size_t kSize = 62;

  PurseId fromId{};
  std::uint32_t fromSeq = 0;
  PurseId toId{};
  std::uint32_t toSeq = 0;
  Amount value = 0;
  Currency currency = 0;
  PurchaseReference reference{};

  Bytes encode() const;
  void encodeTo(ByteWriter& out) const;
  static Result<PaymentDetails> decode(ByteView in);
  // Reads the kSize bytes at the reader's position, for the formats pd is a part of; the
  // caller's finish() reports a short read.
  static PaymentDetails readFrom(ByteReader& in);

  bool operator==(const PaymentDetails&) const = default;
};

}  // namespace epurse::protocol
