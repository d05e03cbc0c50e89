// Checking a verified reading of a purse's logs against what the ledger already holds about
// that purse, the clone and rollback detector: record numbers going backwards, the same record
// number with different content, a chain that does not link to what was collected before, a
// balance its own log cannot explain, loads no issuer order made, and records overwritten
// before they were collected (gaps).
#pragma once

#include <vector>

#include "host/evidence_verifier.h"
#include "issuer/ledger/ledger.h"

namespace epurse::issuer::books_internal {

struct HistoryCheck {
  std::vector<protocol::LogRecord> newRecords;  // to store, oldest first (none after a fork)
  std::vector<protocol::ExceptionRecord> newExceptions;
  std::vector<ledger::FindingRow> findings;  // collectionId and foundAt left for the caller
  bool forked = false;
};

// `fresh`: the challenge was the issuer's own, so the heads describe the card as it is now
// (an old export replayed is not a rollback, a card answering an old state is).
HistoryCheck checkHistory(ledger::Transaction& tx, const ledger::PurseRow& purse, const host::VerifiedEvidence& evidence,
                          bool fresh, const protocol::IssuerKeyId& issuerKeyId);

// Findings of the same (purse, kind, detail) already held are not added again.
bool isNewFinding(ledger::Transaction& tx, const ledger::FindingRow& finding);

// Kinds that mean the purse cannot be trusted: it is revoked.
bool meansClone(ledger::FindingKind kind);

}  // namespace epurse::issuer::books_internal
