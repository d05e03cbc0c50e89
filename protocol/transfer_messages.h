// The data of the Mondex transfer commands.
//
// START FROM (to the payer) and START TO (to the payee) carry the same layout, 217 bytes:
//   0 177 the counterparty's card certificate   177 4 value   181 4 the counterparty's nextSeq
//   185 32 purchase reference
// START FROM answers pd (62 bytes). START TO answers REQ.
// REQ, VAL and ACK are pd (62) || the sender's signature (64) over transferPayload(message, pd).
#pragma once

#include "base/bytes.h"
#include "base/result.h"
#include "protocol/card_certificate.h"
#include "protocol/payment_details.h"
#include "protocol/signed_payloads.h"

namespace epurse::protocol {

struct StartOrder {
  static constexpr std::size_t kSize = CardCertificate::kEncodedSize + 4 + 4 + kReferenceSize;
  Bytes counterpartyCertificate;  // encoded, 177 bytes
  Amount value = 0;
  std::uint32_t counterpartySeq = 0;
  PurchaseReference reference{};
  Bytes encode() const;
  static Result<StartOrder> decode(ByteView in);
  bool operator==(const StartOrder&) const = default;
};

struct SignedTransferMessage {
  static constexpr std::size_t kSize = PaymentDetails::kSize + kSignatureSize;
  PaymentDetails pd;
  Bytes signature;
  Bytes encode() const;
  static Result<SignedTransferMessage> decode(ByteView in);
  bool operator==(const SignedTransferMessage&) const = default;
};

}  // namespace epurse::protocol
