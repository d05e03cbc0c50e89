// The payment receipt file `epurse pay` writes and `epurse verify-receipt` checks: what was
// paid, for which order, and the three signed transfer messages with both purses'
// certificates, so that either side can prove the payment offline with only the issuer's
// public key. The format is defined here once and documented byte for byte in
// docs/protocol.md, "Payment receipt file". Reading is strict (cli/json_fields.h): an unknown,
// missing or mistyped field is a kMalformed error naming it, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/payment_details.h"
#include "protocol/transfer_messages.h"

namespace epurse::terminal {

inline constexpr std::string_view kReceiptFormat = "epurse-payment-receipt";
inline constexpr std::uint64_t kReceiptVersion = 1;
// A receipt is about 2 KB; anything much bigger is not one.
inline constexpr std::size_t kMaxReceiptFileSize = 64 * 1024;

struct PaymentReceipt {
  protocol::PaymentDetails pd;  // the "payment" object: the transfer as both purses signed it
  protocol::Digest orderHash{};  // SHA-256 over the order's bytes
  protocol::SignedTransferMessage req, val, ack;
  protocol::CardCertificate payerCertificate, payeeCertificate;
  std::string paidAt;  // the terminal's clock, ISO 8601 UTC; not signed, for people

  bool operator==(const PaymentReceipt&) const = default;
};

// The purchase reference a payment for `order` carries: all 32 bytes of SHA-256(order).
protocol::PurchaseReference purchaseReferenceFor(ByteView order);

// The file's text: one JSON object, fields in a fixed order, ending in a newline.
std::string encodeReceipt(const PaymentReceipt& receipt);
// The inverse; kMalformed naming the first bad field. Checks shapes only (hex lengths, the
// certificates' and messages' layouts), not signatures: that is verifyReceipt's.
Result<PaymentReceipt> parseReceipt(std::string_view text);

// Writes the file all at once (a temporary file next to it, then link()), refusing with kIo
// if `path` exists: a receipt is never overwritten.
Status writeReceiptFile(const std::string& path, const PaymentReceipt& receipt);
// Reads and parses; kIo if unreadable, kMalformed if over kMaxReceiptFileSize or bad.
Result<PaymentReceipt> readReceiptFile(const std::string& path);

}  // namespace epurse::terminal
