// What the issuer's books hold, row by row. Every row is evidence or a decision made from
// evidence, and is appended, never edited: a settlement, a finding or a revocation is a new
// row that names the row it concerns. Backends (SQLite, later PostgreSQL) store exactly these
// fields; nothing here knows which one is in use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "protocol/card_certificate.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"
#include "protocol/payment_details.h"
#include "protocol/purse_types.h"

namespace epurse::issuer::ledger {

using RowId = std::int64_t;
using UnixTime = std::int64_t;  // seconds since 1970, UTC

// A purse the issuer personalised: its certificate and the limits it was given.
struct PurseRow {
  protocol::PurseId purseId{};
  protocol::CardCertificate certificate;  // holds the card key, currency and expiry
  protocol::Amount maxBalance = 0;
  protocol::Amount perTransferMax = 0;
  protocol::Amount noPinLimit = 0;
  UnixTime registeredAt = 0;
};

// A value order the issuer signed, recorded as pending before it is sent to the card.
enum class OrderKind : std::uint8_t { kLoad = 1, kUnload = 2, kRefund = 3 };  // a refund is a LOAD
struct OrderRow {
  RowId id = 0;  // assigned by the ledger
  protocol::PurseId purseId{};
  OrderKind kind = OrderKind::kLoad;
  protocol::ValueOrder order;       // counter, amount, currency, date as signed
  std::optional<protocol::PaymentDetails> refundOf;  // kRefund: the lost transfer it refunds
  UnixTime authorisedAt = 0;
};

// How an order ended, from card-signed evidence: its receipt, or the purse's log (a record
// with the order's counter shows it applied; a signed audit whose load counter moved past it
// without such a record, or that shows it never arrived, voids it).
enum class Settlement : std::uint8_t { kConfirmed = 1, kVoided = 2 };
enum class SettlementSource : std::uint8_t { kReceipt = 1, kLog = 2 };
struct SettlementRow {
  RowId orderId = 0;  // at most one settlement per order (the ledger refuses a second)
  Settlement outcome = Settlement::kConfirmed;
  SettlementSource source = SettlementSource::kReceipt;
  std::uint32_t logNumber = 0;  // the purse's log record of the order (0 when voided)
  Bytes evidence;               // the receipt || signature, or the log record, as the card sent it
  UnixTime settledAt = 0;
};

// One reading of a purse's logs, from a card in a reader or from an export file, with the two
// signed audit answers exactly as the card sent them (head || signature).
struct CollectionRow {
  RowId id = 0;
  protocol::PurseId purseId{};
  UnixTime collectedAt = 0;
  std::string source;  // "reader NAME" or "import FILE"
  Bytes challenge;
  Bytes transactionAudit;  // AuditHead (54) || signature (64)
  Bytes exceptionAudit;
  protocol::AuditHead transactionHead;  // decoded from the above, for queries
  protocol::AuditHead exceptionHead;
};

// A transaction-log record, stored once per (purse, number).
struct LogRow {
  protocol::PurseId purseId{};
  protocol::LogRecord record;  // decoded; record.encode() is the card's bytes
  RowId collectionId = 0;      // the collection that first brought it
};

// An exception record, stored once per (purse, number).
struct ExceptionRow {
  protocol::PurseId purseId{};
  protocol::ExceptionRecord record;
  RowId collectionId = 0;
};

// What a collection found wrong with a purse's history.
enum class FindingKind : std::uint8_t {
  kGap = 1,             // records overwritten before they were collected
  kRollback = 2,        // the purse's signed history went backwards
  kFork = 3,            // the same record number with different content: a copy or a restore
  kDuplicateSeq = 4,    // the same (purse, sequence number) in two different transfers
  kUnexplained = 5,     // a balance its own log cannot explain, or value no issuer order made
};
struct FindingRow {
  RowId id = 0;
  protocol::PurseId purseId{};
  FindingKind kind = FindingKind::kGap;
  RowId collectionId = 0;
  protocol::Amount valueAtRisk = 0;  // spent beyond what the issuer's evidence allows
  std::string detail;
  UnixTime foundAt = 0;
};

// A transfer the reconciliation proved lost: its pd is in both purses' exception logs.
struct LostTransferRow {
  protocol::PaymentDetails pd;  // unique: a pd is found lost once
  UnixTime decidedAt = 0;
};

// A signed revocation list as the issuer issued it; versions rise by one.
struct RevocationRow {
  protocol::RevocationList list;
  Bytes command;  // the signed PUT REVOCATION LIST APDU, to push to cards as it is
  std::string reason;  // for the purse this version added, if any
  UnixTime issuedAt = 0;
};

// An exception-log clear the issuer signed after archiving the records it names.
struct ExceptionClearRow {
  protocol::PurseId purseId{};
  protocol::ExceptionClearOrder order;
  UnixTime issuedAt = 0;
};

}  // namespace epurse::issuer::ledger
