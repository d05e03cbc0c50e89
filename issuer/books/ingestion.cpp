// Collections and imports: a reading of a purse's logs is verified as a whole, compared with
// the purse's history in the ledger, and stored in the same transaction as everything it
// settles (pending orders) and everything it reveals (gaps, clones, and the revocation of a
// cloned purse).
#include <algorithm>
#include <set>

#include "host/evidence_verifier.h"
#include "issuer/books/books.h"
#include "issuer/books/books_failure.h"
#include "issuer/books/books_steps.h"
#include "issuer/books/history_check.h"

namespace epurse::issuer {

using namespace books_internal;

namespace {

ledger::SettlementRow settlement(const ledger::OrderRow& order, ledger::Settlement outcome, const protocol::LogRecord& record,
                                 ledger::UnixTime now) {
  ledger::SettlementRow row;
  row.orderId = order.id;
  row.outcome = outcome;
  row.source = ledger::SettlementSource::kLog;
  row.logNumber = outcome == ledger::Settlement::kConfirmed ? record.number : 0;
  row.evidence = record.encode();
  row.settledAt = now;
  return row;
}

// Pending orders of the purse whose fate the new records tell: the record an order made
// confirms it; a record that used the order's counter for something else voids it. An order
// whose counter no record shows stays pending: the card may still apply it.
void settleFromLog(ledger::Transaction& tx, const protocol::PurseId& purseId, const std::vector<protocol::LogRecord>& records,
                   ledger::UnixTime now, IngestOutcome& outcome) {
  if (records.empty()) return;
  std::set<std::uint32_t> used;  // records that confirmed an order
  for (const auto& order : pendingOrdersWithin(tx, purseId)) {
    for (const auto& r : records) {
      if (r.type != protocol::LogType::kLoad && r.type != protocol::LogType::kUnload) continue;
      if (orderCounterOf(r) != order.order.counter) continue;
      // Of two pending orders matching one record (the same order signed twice), only the
      // first is confirmed; the record's counter then voids the other.
      if (recordMatchesOrder(r, order) && used.insert(r.number).second) {
        check(tx.addSettlement(settlement(order, ledger::Settlement::kConfirmed, r, now)));
        outcome.ordersConfirmed.push_back(order.id);
      } else {
        check(tx.addSettlement(settlement(order, ledger::Settlement::kVoided, r, now)));
        outcome.ordersVoided.push_back(order.id);
      }
      break;
    }
  }
}

IngestOutcome ingestWithin(ledger::Transaction& tx, const host::CollectedEvidence& evidence, const IngestSource& source,
                           const protocol::EcPublicKey& issuerKey, const protocol::IssuerKeyId& issuerKeyId,
                           const IssuerSigner* signer) {
  const auto verified = take(host::verifyEvidence(evidence, issuerKey));
  const protocol::PurseId& id = verified.certificate.purseId;
  IngestOutcome outcome;
  outcome.purseId = id;
  outcome.transactionHead = verified.transactionHead;
  outcome.exceptionHead = verified.exceptionHead;

  auto purse = take(tx.findPurse(id));
  if (!purse) fail(ErrorCode::kProtocol, "purse " + protocol::purseIdHex(id) + " is not registered with this issuer");
  if (!(purse->certificate == verified.certificate)) {
    fail(ErrorCode::kProtocol, "purse " + protocol::purseIdHex(id) + " presents a certificate other than the one issued to it");
  }
  if (take(tx.findCollection(id, evidence.transactionAudit))) {
    outcome.duplicate = true;
    return outcome;
  }

  ledger::CollectionRow collection;
  collection.purseId = id;
  collection.collectedAt = source.now;
  collection.source = source.description;
  collection.challenge = evidence.challenge;
  collection.transactionAudit = evidence.transactionAudit;
  collection.exceptionAudit = evidence.exceptionAudit;
  collection.transactionHead = verified.transactionHead;
  collection.exceptionHead = verified.exceptionHead;

  HistoryCheck history = checkHistory(tx, *purse, verified, source.freshChallenge, issuerKeyId);
  outcome.collectionId = take(tx.addCollection(collection));

  std::vector<ledger::LogRow> logRows;
  logRows.reserve(history.newRecords.size());
  for (const auto& r : history.newRecords) logRows.push_back({id, r, outcome.collectionId});
  check(tx.addLogRecords(logRows));
  std::vector<ledger::ExceptionRow> exceptionRows;
  for (const auto& e : history.newExceptions) exceptionRows.push_back({id, e, outcome.collectionId});
  check(tx.addExceptionRecords(exceptionRows));
  outcome.newRecords = logRows.size();
  outcome.newExceptions = exceptionRows.size();

  bool clone = false;
  for (auto& f : history.findings) {
    f.collectionId = outcome.collectionId;
    f.foundAt = source.now;
    if (!isNewFinding(tx, f)) continue;
    f.id = take(tx.addFinding(f));
    clone = clone || meansClone(f.kind);
    outcome.findings.push_back(f);
  }
  settleFromLog(tx, id, history.newRecords, source.now, outcome);

  if (clone && signer) {
    for (const auto& f : outcome.findings) {
      if (!meansClone(f.kind)) continue;
      if (revokeWithin(tx, *signer, f.purseId, "flagged: " + f.detail, source.now)) outcome.revoked = true;
    }
  }
  return outcome;
}

}  // namespace

Result<IngestOutcome> Books::ingest(const host::CollectedEvidence& evidence, const IngestSource& source) {
  return guarded([&] {
    auto tx = take(ledger_.beginWrite());
    IngestOutcome outcome = ingestWithin(*tx, evidence, source, issuerKey_, ledger_.issuerKeyId(), signer_);
    check(tx->commit());
    return outcome;
  });
}

Result<std::vector<IngestOutcome>> Books::ingestBatch(const std::vector<host::CollectedEvidence>& batch,
                                                      const IngestSource& source, const Progress& progress) {
  return guarded([&] {
    auto tx = take(ledger_.beginWrite());
    std::vector<IngestOutcome> outcomes;
    outcomes.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      try {
        outcomes.push_back(ingestWithin(*tx, batch[i], source, issuerKey_, ledger_.issuerKeyId(), signer_));
      } catch (const BooksFailure& failure) {
        fail(failure.error.code, "export " + std::to_string(i + 1) + " of " + std::to_string(batch.size()) + ": " +
                                     failure.error.message + " (nothing of this batch was stored)");
      }
      if (progress && (i % 256 == 255 || i + 1 == batch.size())) progress(i + 1, batch.size());
    }
    check(tx->commit());
    return outcomes;
  });
}

Result<std::optional<protocol::ExceptionClearOrder>> Books::exceptionClearFor(const protocol::PurseId& purseId,
                                                                              const std::vector<Bytes>& heldRecords,
                                                                              ledger::UnixTime now) {
  return guarded([&]() -> std::optional<protocol::ExceptionClearOrder> {
    auto tx = take(ledger_.beginWrite());
    protocol::ExceptionClearOrder order;
    std::vector<Bytes> archived;
    for (const auto& raw : heldRecords) {
      auto record = protocol::ExceptionRecord::decode(raw);
      if (!record) continue;
      auto stored = take(tx->findExceptionRecord(purseId, record->number));
      if (!stored || stored->record.encode() != raw) continue;  // only what the ledger holds byte for byte
      if (order.numbers.size() == protocol::ExceptionClearOrder::kMaxRecords) break;
      order.numbers.push_back(record->number);
      archived.push_back(raw);
    }
    if (order.numbers.empty()) return std::nullopt;
    order.digest = protocol::exceptionRecordsDigest(archived);
    ledger::ExceptionClearRow row;
    row.purseId = purseId;
    row.order = order;
    row.issuedAt = now;
    check(tx->addExceptionClear(row));
    check(tx->commit());
    return order;
  });
}

}  // namespace epurse::issuer
