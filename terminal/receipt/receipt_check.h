// Checking a payment receipt offline (receipt_file.h), with nothing but the issuer's public
// key and, optionally, the order: every check is run and reported by name, so a refused
// receipt says exactly what does not hold.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/ec_key.h"
#include "terminal/receipt/receipt_file.h"

namespace epurse::terminal {

struct ReceiptCheck {
  std::string name;    // "payer certificate", "REQ signature", ...
  bool passed = false;
  std::string detail;  // why it failed, or what it established
};

struct ReceiptVerdict {
  std::vector<ReceiptCheck> checks;
  bool passed() const;
  // The failed checks' names and details, "; "-separated.
  std::string failures() const;
};

// In order:
//   payer certificate / payee certificate: verifies under `issuerKey` (and names it), holds
//     a usable key, certifies the purse and the currency "payment" names;
//   pd in REQ / VAL / ACK: each message's pd equals "payment";
//   REQ signature (payee), VAL signature (payer), ACK signature (payee): over
//     transferPayload(message, pd) with the certified card key;
//   purchase reference: the pd's reference equals orderHash;
//   order (only with `order`): SHA-256(order) equals orderHash.
ReceiptVerdict verifyReceipt(const PaymentReceipt& receipt, const protocol::EcPublicKey& issuerKey,
                             const std::optional<Bytes>& order);

}  // namespace epurse::terminal
