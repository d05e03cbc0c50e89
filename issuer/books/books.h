// The issuer's books: what epurse-issuer's commands do to the ledger, each change one ledger
// transaction. Every figure the books report is derived from card-signed evidence (receipts,
// signed audit heads, hash-chained log records) that the books verified before storing it.
// docs/issuer.md explains each figure and the identity that ties them together.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "host/collected_evidence.h"
#include "issuer/books/report.h"
#include "issuer/ledger/ledger.h"
#include "issuer/signing/issuer_orders.h"

namespace epurse::issuer {

// Called now and then during long work with (done, total); may be empty.
using Progress = std::function<void(std::size_t done, std::size_t total)>;

struct IngestSource {
  std::string description;     // "reader NAME" or "import FILE"
  bool freshChallenge = false; // the books' own challenge (collect), not a terminal's (import)
  ledger::UnixTime now = 0;
};

// What one collection or imported export did.
struct IngestOutcome {
  protocol::PurseId purseId{};
  bool duplicate = false;          // the same signed answer was ingested before: nothing added
  ledger::RowId collectionId = 0;  // 0 when duplicate
  std::size_t newRecords = 0;
  std::size_t newExceptions = 0;
  std::vector<ledger::FindingRow> findings;  // new findings (gaps, forks, rollbacks, ...)
  std::vector<ledger::RowId> ordersConfirmed;  // pending orders settled from the log
  std::vector<ledger::RowId> ordersVoided;
  bool revoked = false;  // a finding revoked the purse (a new revocation list was signed)
  protocol::AuditHead transactionHead;
  protocol::AuditHead exceptionHead;
};

enum class TransferClass { kLost, kNotLost, kUnresolved };
struct ReconciledTransfer {
  protocol::PaymentDetails pd;
  TransferClass outcome = TransferClass::kUnresolved;
  std::string reason;     // "in both exception logs", "the payee's log shows the credit", ...
  bool newlyLost = false; // recorded lost by this reconciliation
  bool refunded = false;  // a confirmed refund exists
};
struct Reconciliation {
  std::vector<ReconciledTransfer> transfers;  // every pd named by an exception record, once
  std::size_t lost = 0, notLost = 0, unresolved = 0, newlyLost = 0;
};

class Books {
 public:
  // `signer` may be null for commands that sign nothing (import, reconcile, report, cards);
  // revoke and a collection that revokes need it.
  Books(ledger::Ledger& ledger, const protocol::EcPublicKey& issuerKey, const IssuerSigner* signer);

  ledger::Ledger& ledger() { return ledger_; }

  // --- registry
  // A purse ID the issuer has never handed out: issuer key ID's first 4 bytes || serial.
  Result<protocol::PurseId> allocatePurseId();
  // kInvalidArgument if registered already or the certificate is not this issuer's.
  Status registerPurse(const ledger::PurseRow& purse);

  // --- loads, unloads, refunds: pending before the order goes to the card
  // Durable when it returns. For a refund, kInvalidArgument unless refundOf is a lost transfer
  // of this purse as payer with no refund confirmed or pending.
  Result<ledger::RowId> authoriseOrder(const ledger::OrderRow& order);
  // Verifies the card's receipt (card signature, certificate, purse, counter, amount) and
  // settles the order; any other pending order of the purse for the same counter is voided.
  // kProtocol if the receipt does not verify (the order stays pending).
  Result<protocol::ValueReceipt> confirmOrder(ledger::RowId orderId, ByteView receiptResponse,
                                              ledger::UnixTime now);
  // Lost transfers of `purseId` as payer that are owed a refund (no refund confirmed or pending).
  Result<std::vector<protocol::PaymentDetails>> owedRefunds(const protocol::PurseId& purseId);

  // --- collections
  // Verifies everything in `evidence` (certificate under the issuer key and in the registry,
  // both audit signatures over the challenge, the hash chain, the exception digest) and
  // stores it in one transaction: every record once, gaps and clone findings, settlement of
  // pending orders from the log, revocation of a purse found cloned. Nothing is stored when
  // any check fails (kProtocol / kMalformed / kCorrupt naming what failed).
  Result<IngestOutcome> ingest(const host::CollectedEvidence& evidence, const IngestSource& source);
  // Many exports in one transaction (import of a batch): all stored, or none.
  Result<std::vector<IngestOutcome>> ingestBatch(const std::vector<host::CollectedEvidence>& batch,
                                                 const IngestSource& source, const Progress& progress = {});
  // The CLEAR EXCEPTION LOG order for the records the card holds that are archived in the
  // ledger, byte for byte; nullopt if none is. Recorded in the ledger before it is returned.
  Result<std::optional<protocol::ExceptionClearOrder>> exceptionClearFor(
      const protocol::PurseId& purseId, const std::vector<Bytes>& heldRecords, ledger::UnixTime now);

  // --- revocation
  // Signs and records the next revocation list: the previous one plus `purseId`.
  Result<ledger::RevocationRow> revoke(const protocol::PurseId& purseId, const std::string& reason,
                                       ledger::UnixTime now);
  Result<std::optional<ledger::RevocationRow>> latestRevocation();

  // --- reconciliation and the report
  Result<Reconciliation> reconcile(ledger::UnixTime now, const Progress& progress = {});
  Result<Report> report(ledger::UnixTime now);

 private:
  ledger::Ledger& ledger_;
  const protocol::EcPublicKey& issuerKey_;
  const IssuerSigner* signer_;
};

}  // namespace epurse::issuer
