// Steps the books take inside a transaction they already hold, shared between their files.
// Each throws BooksFailure (books_failure.h) on a ledger failure.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "issuer/books/value_effects.h"
#include "issuer/ledger/ledger.h"
#include "issuer/signing/issuer_orders.h"

namespace epurse::issuer::books_internal {

// Signs and adds the next revocation list naming `purseId`, unless the newest list names it
// already; the row added, or nullopt.
std::optional<ledger::RevocationRow> revokeWithin(ledger::Transaction& tx, const IssuerSigner& signer,
                                                  const protocol::PurseId& purseId, const std::string& reason,
                                                  ledger::UnixTime now);

// The purse's orders that have no settlement yet.
std::vector<ledger::OrderRow> pendingOrdersWithin(ledger::Transaction& tx, const protocol::PurseId& purseId);

// Lost transfers whose refund is confirmed or still pending, by pd.
struct RefundState {
  std::set<PdKey> confirmed;
  std::set<PdKey> pending;
};
RefundState refundStateWithin(ledger::Transaction& tx);

}  // namespace epurse::issuer::books_internal
