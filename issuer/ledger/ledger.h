// The issuer's books: one interface, one backend per database engine (SQLite now in
// sqlite_ledger.h, PostgreSQL to follow). Everything the issuer changes is changed inside one
// Transaction and becomes visible all together at commit(), or not at all; a Transaction
// destroyed without commit() rolls back. Rows are only ever added (ledger_rows.h).
//
// Callers never see SQL or an engine's types; a backend keeps its own schema and
// migrations and must pass the same ledger tests.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "issuer/ledger/ledger_rows.h"

namespace epurse::issuer::ledger {

class Transaction {
 public:
  virtual ~Transaction() = default;
  // Makes every change durable (kBusy if another writer got there first, kIo on a failed
  // write). After commit() (failed or not) the transaction is over.
  virtual Status commit() = 0;

  // --- the registry
  // kInvalidArgument if the purse ID is registered already.
  virtual Status addPurse(const PurseRow& purse) = 0;
  virtual Result<std::optional<PurseRow>> findPurse(const protocol::PurseId& id) = 0;
  virtual Result<std::vector<PurseRow>> purses() = 0;  // by purse ID
  // The next purse serial number the issuer allocates (1, 2, ...), taken: never handed out twice.
  virtual Result<std::uint64_t> takePurseSerial() = 0;

  // --- value orders and how they ended
  virtual Result<RowId> addOrder(const OrderRow& order) = 0;  // sets nothing in `order`
  // kInvalidArgument if the order is unknown or already settled.
  virtual Status addSettlement(const SettlementRow& settlement) = 0;
  virtual Result<std::vector<OrderRow>> orders() = 0;  // by id
  virtual Result<std::vector<OrderRow>> ordersOf(const protocol::PurseId& id) = 0;
  virtual Result<std::vector<SettlementRow>> settlements() = 0;  // by order id
  virtual Result<std::optional<SettlementRow>> settlementOf(RowId orderId) = 0;

  // --- collections and the records they brought
  virtual Result<RowId> addCollection(const CollectionRow& collection) = 0;
  virtual Result<std::vector<CollectionRow>> collectionsOf(const protocol::PurseId& id) = 0;  // oldest first
  // The newest collection of every purse that has one, by purse ID.
  virtual Result<std::vector<CollectionRow>> latestCollections() = 0;
  // A collection of `id` whose transaction-log audit answer is exactly `transactionAudit`
  // (the same signed answer imported again).
  virtual Result<std::optional<RowId>> findCollection(const protocol::PurseId& id, ByteView transactionAudit) = 0;

  // Records must be new: kInvalidArgument if a (purse, number) is stored already.
  virtual Status addLogRecords(const std::vector<LogRow>& rows) = 0;
  virtual Result<std::optional<LogRow>> findLogRecord(const protocol::PurseId& id, std::uint32_t number) = 0;
  virtual Result<std::vector<LogRow>> logRecordsOf(const protocol::PurseId& id) = 0;  // by number
  // The newest stored record of the purse (highest number).
  virtual Result<std::optional<LogRow>> newestLogRecord(const protocol::PurseId& id) = 0;
  // Every stored transfer record (in, out, acked) carrying exactly this pd, from any purse.
  virtual Result<std::vector<LogRow>> transferRecordsWithPd(const protocol::PaymentDetails& pd) = 0;
  // Every stored transfer record whose pd names (fromId, fromSeq) as its payer side.
  virtual Result<std::vector<LogRow>> transferRecordsFromSeq(const protocol::PurseId& fromId,
                                                             std::uint32_t fromSeq) = 0;
  // A stored transfer record naming the same payer side (fromId, fromSeq) as `pd` but with a
  // different pd: the first such, or nullopt — the normal case, answered from the index alone.
  virtual Result<std::optional<LogRow>> conflictingTransfer(const protocol::PaymentDetails& pd) = 0;

  virtual Status addExceptionRecords(const std::vector<ExceptionRow>& rows) = 0;  // must be new
  virtual Result<std::optional<ExceptionRow>> findExceptionRecord(const protocol::PurseId& id,
                                                                  std::uint32_t number) = 0;
  virtual Result<std::vector<ExceptionRow>> exceptionRecords() = 0;  // by purse, number
  virtual Result<std::vector<ExceptionRow>> exceptionRecordsOf(const protocol::PurseId& id) = 0;

  // --- what the issuer concluded
  virtual Result<RowId> addFinding(const FindingRow& finding) = 0;
  virtual Result<std::vector<FindingRow>> findings() = 0;  // by id
  virtual Result<std::vector<FindingRow>> findingsOf(const protocol::PurseId& id) = 0;
  // false (and nothing added) if this pd is recorded lost already.
  virtual Result<bool> addLostTransfer(const LostTransferRow& lost) = 0;
  virtual Result<std::vector<LostTransferRow>> lostTransfers() = 0;

  virtual Status addRevocation(const RevocationRow& revocation) = 0;  // version must be latest + 1
  virtual Result<std::optional<RevocationRow>> latestRevocation() = 0;
  virtual Result<std::vector<RevocationRow>> revocations() = 0;  // by version
  virtual Status addExceptionClear(const ExceptionClearRow& clear) = 0;
  virtual Result<std::vector<ExceptionClearRow>> exceptionClearsOf(const protocol::PurseId& id) = 0;
};

class Ledger {
 public:
  virtual ~Ledger() = default;
  // A transaction that will write: it holds the engine's write lock from the start, so two
  // programs that read, decide and write never decide on the same state. Waits for another
  // writer up to the busy timeout, then kBusy.
  virtual Result<std::unique_ptr<Transaction>> beginWrite() = 0;
  // A consistent snapshot for reports; commit() only ends it.
  virtual Result<std::unique_ptr<Transaction>> beginRead() = 0;
  // The issuer this ledger belongs to (set when it was created).
  virtual const protocol::IssuerKeyId& issuerKeyId() const = 0;
  // The engine's own full consistency check; kCorrupt naming what it found.
  virtual Status checkIntegrity() = 0;
  // "SQLite 3.40.1, /path/ledger.db, schema 1": for --help and reports.
  virtual std::string describe() const = 0;
};

}  // namespace epurse::issuer::ledger
