// A Transaction on the SQLite backend: BEGIN IMMEDIATE (write) or BEGIN (read snapshot) on
// the ledger's connection, COMMIT on commit(), ROLLBACK when dropped without one. Its methods
// are split over two files: sqlite_transaction.cpp (life cycle, registry, orders, decisions)
// and sqlite_evidence.cpp (collections and the records they brought). Internal to the backend.
#pragma once

#include <memory>

#include "issuer/ledger/ledger.h"
#include "issuer/ledger/sqlite_connection.h"

namespace epurse::issuer::ledger::sqlite {

class SqliteTransaction final : public Transaction {
 public:
  enum class Mode { kWrite, kRead };
  // kBusy if another writer holds the lock past the busy timeout (write), or if this
  // connection has a transaction open already.
  static Result<std::unique_ptr<Transaction>> begin(std::shared_ptr<Connection> db, Mode mode);
  ~SqliteTransaction() override;

  Status commit() override;

  Status addPurse(const PurseRow& purse) override;
  Result<std::optional<PurseRow>> findPurse(const protocol::PurseId& id) override;
  Result<std::vector<PurseRow>> purses() override;
  Result<std::uint64_t> takePurseSerial() override;

  Result<RowId> addOrder(const OrderRow& order) override;
  Status addSettlement(const SettlementRow& settlement) override;
  Result<std::vector<OrderRow>> orders() override;
  Result<std::vector<OrderRow>> ordersOf(const protocol::PurseId& id) override;
  Result<std::vector<SettlementRow>> settlements() override;
  Result<std::optional<SettlementRow>> settlementOf(RowId orderId) override;

  Result<RowId> addCollection(const CollectionRow& collection) override;
  Result<std::vector<CollectionRow>> collectionsOf(const protocol::PurseId& id) override;
  Result<std::vector<CollectionRow>> latestCollections() override;
  Result<std::optional<RowId>> findCollection(const protocol::PurseId& id, ByteView transactionAudit) override;

  Status addLogRecords(const std::vector<LogRow>& rows) override;
  Result<std::optional<LogRow>> findLogRecord(const protocol::PurseId& id, std::uint32_t number) override;
  Result<std::vector<LogRow>> logRecordsOf(const protocol::PurseId& id) override;
  Result<std::optional<LogRow>> newestLogRecord(const protocol::PurseId& id) override;
  Result<std::vector<LogRow>> transferRecordsWithPd(const protocol::PaymentDetails& pd) override;
  Result<std::vector<LogRow>> transferRecordsFromSeq(const protocol::PurseId& fromId, std::uint32_t fromSeq) override;

  Status addExceptionRecords(const std::vector<ExceptionRow>& rows) override;
  Result<std::optional<ExceptionRow>> findExceptionRecord(const protocol::PurseId& id, std::uint32_t number) override;
  Result<std::vector<ExceptionRow>> exceptionRecords() override;
  Result<std::vector<ExceptionRow>> exceptionRecordsOf(const protocol::PurseId& id) override;

  Result<RowId> addFinding(const FindingRow& finding) override;
  Result<std::vector<FindingRow>> findings() override;
  Result<std::vector<FindingRow>> findingsOf(const protocol::PurseId& id) override;
  Result<bool> addLostTransfer(const LostTransferRow& lost) override;
  Result<std::vector<LostTransferRow>> lostTransfers() override;

  Status addRevocation(const RevocationRow& revocation) override;
  Result<std::optional<RevocationRow>> latestRevocation() override;
  Result<std::vector<RevocationRow>> revocations() override;
  Status addExceptionClear(const ExceptionClearRow& clear) override;
  Result<std::vector<ExceptionClearRow>> exceptionClearsOf(const protocol::PurseId& id) override;

 private:
  SqliteTransaction(std::shared_ptr<Connection> db, Mode mode) : db_(std::move(db)), mode_(mode) {}
  // ok while the transaction is open (and, for `write`, a write transaction).
  Status usable(bool write) const;
  // After a failed statement: SQLite rolls the whole transaction back on some failures (a
  // full disk, an I/O error); then the transaction is over and says so from then on.
  Error failed(Error error);
  // Runs the body of a multi-row change inside a savepoint, so a refused row leaves none of
  // the call's rows behind while the transaction goes on.
  template <typename Body>
  Status allOrNothing(Body body);
  // A single-row INSERT ... RETURNING id.
  Result<RowId> insertReturningId(Statement& st);

  std::shared_ptr<Connection> db_;
  Mode mode_;
  bool open_ = true;
};

template <typename Body>
Status SqliteTransaction::allOrNothing(Body body) {
  if (Status s = db_->exec("SAVEPOINT all_or_nothing", "starting a savepoint"); !s) return failed(s.error());
  Status result = body();
  if (result) return db_->exec("RELEASE all_or_nothing", "releasing a savepoint");
  if (db_->inTransaction()) {
    (void)db_->exec("ROLLBACK TO all_or_nothing", "undoing a refused change");
    (void)db_->exec("RELEASE all_or_nothing", "releasing a savepoint");
  }
  return result;
}

}  // namespace epurse::issuer::ledger::sqlite
