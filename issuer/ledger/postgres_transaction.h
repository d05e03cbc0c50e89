// A Transaction on the PostgreSQL backend: BEGIN ISOLATION LEVEL SERIALIZABLE (write) or
// REPEATABLE READ READ ONLY (a read snapshot) on the ledger's connection, COMMIT on commit(),
// ROLLBACK when dropped without one. Split like the SQLite one: postgres_transaction.cpp (life
// cycle, registry, orders, decisions) and postgres_evidence.cpp (collections and records).
//
// PostgreSQL aborts a whole transaction at its first failed statement, where SQLite only
// undoes the statement: every change runs inside a savepoint, so a refused row (a duplicate,
// a missing parent) is undone alone and the transaction goes on, as on SQLite. A
// serialisation failure, a deadlock or a lost connection ends the transaction (kBusy / kIo,
// saying it was rolled back). Internal to the backend.
#pragma once

#include <memory>
#include <string>

#include "issuer/ledger/ledger.h"
#include "issuer/ledger/postgres_connection.h"

namespace epurse::issuer::ledger::postgres {

class PostgresTransaction final : public Transaction {
 public:
  enum class Mode { kWrite, kRead };
  // kBusy if this connection has a transaction open already; kIo if the server is gone.
  static Result<std::unique_ptr<Transaction>> begin(std::shared_ptr<Connection> db, Mode mode);
  ~PostgresTransaction() override;

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
  Result<std::optional<LogRow>> conflictingTransfer(const protocol::PaymentDetails& pd) override;

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
  PostgresTransaction(std::shared_ptr<Connection> db, Mode mode) : db_(std::move(db)), mode_(mode) {}
  Status usable(bool write) const;
  // A read; on failure the transaction is over (PostgreSQL aborted it).
  Result<PgResult> read(const std::string& sql, const Params& params, const char* what);
  // A change inside a savepoint. A refused constraint (23505, 23503) is undone alone and
  // returned as kInvalidArgument with `duplicate` / `missingParent`; any other failure ends
  // the transaction.
  Result<PgResult> change(const std::string& sql, const Params& params, const char* what,
                          const std::string& duplicate, const std::string& missingParent);
  // Savepoint steps for a change made of several statements (addLogRecords' batches).
  Status savepoint();
  Status release();
  void undoToSavepoint();
  // addLogRecords / addExceptionRecords: `rows` in multi-row INSERTs of up to 500, all inside
  // one savepoint (a refused row leaves none of the call's rows behind).
  template <typename Row, typename AddParams>
  Status insertBatches(const char* head, std::size_t columns, const char* what, const char* table,
                       const std::vector<Row>& rows, AddParams addParams);
  template <typename Row>
  Error refusedRecord(const char* what, const char* table, const std::vector<Row>& rows, std::size_t end,
                      const std::string& state);
  // After a failure that is not a refused row: roll back, the transaction is over.
  Error failed(Error error);

  std::shared_ptr<Connection> db_;
  Mode mode_;
  bool open_ = true;
};

}  // namespace epurse::issuer::ledger::postgres
