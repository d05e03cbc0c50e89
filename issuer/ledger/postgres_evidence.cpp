// PostgresTransaction's collections and the records they brought (postgres_transaction.h).
#include <set>
#include <string>
#include <utility>

#include "base/hex.h"
#include "issuer/ledger/postgres_rows.h"
#include "issuer/ledger/postgres_transaction.h"

namespace epurse::issuer::ledger::postgres {
namespace {

// In both record layouts the pd is bytes 5..66 (after number and type/status).
constexpr std::size_t kPdOffset = 5;
constexpr const char* kTransferTypes = "type IN (3, 4, 5)";
// Rows per multi-row INSERT: 500 log rows are 3,500 parameters (the protocol allows 65,535).
// Measured on the 2-core CI machine, 200,000 log rows in one transaction on the private test
// server: one row per prepared INSERT 5,800 rows/s, 50 per statement 24,000, 500 40,000-44,000,
// 2,000 42,000-45,000 (within the noise of 500): past a few hundred rows the server's work,
// not the round trips, bounds it.
constexpr std::size_t kBatchRows = 500;

std::string select(const char* columns, const std::string& rest) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += ' ';
  sql += rest;
  return sql;
}

std::string recordText(const char* what, const protocol::PurseId& id, std::uint32_t number) {
  std::string text = what;
  text += ' ';
  text += std::to_string(number);
  text += " of purse ";
  text += toHex(id);
  return text;
}

// "INSERT INTO table (columns) VALUES ($1..$k), ($k+1..$2k), ..." for `rows` rows.
std::string multiRowInsert(const char* head, std::size_t columns, std::size_t rows) {
  std::string sql = head;
  sql += " VALUES ";
  std::size_t n = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (std::size_t c = 0; c < columns; ++c, ++n) {
      if (c > 0) sql += ", ";
      sql += '$';
      sql += std::to_string(n);
    }
    sql += ')';
  }
  return sql;
}

struct PayerSideRange {
  Bytes low;
  Bytes high;
};
// As in sqlite_evidence.cpp: BYTEA compares as unsigned bytes, so a range on the pd index.
PayerSideRange payerSideRange(const protocol::PurseId& fromId, std::uint32_t fromSeq) {
  protocol::PaymentDetails pd;
  pd.fromId = fromId;
  pd.fromSeq = fromSeq;
  const Bytes encoded = pd.encode();
  PayerSideRange range;
  range.low.assign(encoded.begin(), encoded.begin() + protocol::kPurseIdSize + 4);
  range.high = range.low;
  range.high.resize(protocol::PaymentDetails::kSize, 0xFF);
  return range;
}

}  // namespace

Result<RowId> PostgresTransaction::addCollection(const CollectionRow& collection) {
  if (Status s = usable(true); !s) return s;
  Params p;
  p.bytes(collection.purseId).integer(collection.collectedAt).text(collection.source).bytes(collection.challenge);
  p.bytes(collection.transactionAudit).bytes(collection.exceptionAudit);
  p.bytes(collection.transactionHead.encode()).bytes(collection.exceptionHead.encode());
  Result<PgResult> r = change(
      "INSERT INTO collections (purse_id, collected_at, source, challenge, transaction_audit, exception_audit, "
      "transaction_head, exception_head) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
      p, "adding a collection", "", "a collection of purse " + toHex(collection.purseId) + ", which is not registered");
  if (!r) return r.error();
  return r->integer(0, 0);
}

Result<std::vector<CollectionRow>> PostgresTransaction::collectionsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kCollectionColumns, "FROM collections WHERE purse_id = $1 ORDER BY id");
  Params p;
  p.bytes(id);
  Result<PgResult> r = read(sql, p, "listing a purse's collections");
  if (!r) return r.error();
  return readRows(*r, &readCollection);
}

Result<std::vector<CollectionRow>> PostgresTransaction::latestCollections() {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(
      kCollectionColumns,
      "FROM collections AS c WHERE c.id = (SELECT max(n.id) FROM collections AS n WHERE n.purse_id = c.purse_id) "
      "ORDER BY c.purse_id");
  Result<PgResult> r = read(sql, Params(), "listing the newest collections");
  if (!r) return r.error();
  return readRows(*r, &readCollection);
}

Result<std::optional<RowId>> PostgresTransaction::findCollection(const protocol::PurseId& id, ByteView transactionAudit) {
  if (Status s = usable(false); !s) return s;
  Params p;
  p.bytes(id).bytes(transactionAudit);
  Result<PgResult> r = read("SELECT id FROM collections WHERE purse_id = $1 AND transaction_audit = $2 ORDER BY id LIMIT 1",
                            p, "finding a collection");
  if (!r) return r.error();
  if (r->rows() == 0) return std::optional<RowId>();
  return std::optional<RowId>(r->integer(0, 0));
}

// Which row of a refused batch was refused, said as the SQLite backend says it: looked up
// only after the savepoint undid the batch (the slow path).
template <typename Row>
Error PostgresTransaction::refusedRecord(const char* what, const char* table, const std::vector<Row>& rows, std::size_t end,
                                         const std::string& state) {
  if (state == kUniqueViolation) {
    std::set<std::pair<protocol::PurseId, std::uint32_t>> seen;
    for (std::size_t i = 0; i < end; ++i) {
      const Row& row = rows[i];
      Params p;
      p.bytes(row.purseId).integer(row.record.number);
      Result<PgResult> r = read(std::string("SELECT 1 FROM ") + table + " WHERE purse_id = $1 AND number = $2", p,
                                "finding a refused record");
      if (!r) return r.error();
      if (!seen.insert({row.purseId, row.record.number}).second || r->rows() > 0) {
        return makeError(ErrorCode::kInvalidArgument, recordText(what, row.purseId, row.record.number) + " is stored already");
      }
    }
    return makeError(ErrorCode::kInvalidArgument, std::string("a ") + what + " of the batch is stored already");
  }
  for (std::size_t i = 0; i < end; ++i) {
    const Row& row = rows[i];
    Params p;
    p.integer(row.collectionId);
    Result<PgResult> r = read("SELECT 1 FROM collections WHERE id = $1", p, "finding a refused record's collection");
    if (!r) return r.error();
    if (r->rows() == 0) {
      return makeError(ErrorCode::kInvalidArgument, recordText(what, row.purseId, row.record.number) + " names collection " +
                                                        std::to_string(row.collectionId) + ", which is not in the ledger");
    }
  }
  return makeError(ErrorCode::kInvalidArgument, std::string("a ") + what + " of the batch names a collection not in the ledger");
}

template <typename Row, typename AddParams>
Status PostgresTransaction::insertBatches(const char* head, std::size_t columns, const char* what, const char* table,
                                          const std::vector<Row>& rows, AddParams addParams) {
  if (rows.empty()) return Status::ok();
  if (Status s = savepoint(); !s) return s;
  Params p;
  for (std::size_t first = 0; first < rows.size(); first += kBatchRows) {
    const std::size_t count = std::min(kBatchRows, rows.size() - first);
    p.clear();
    for (std::size_t i = first; i < first + count; ++i) addParams(p, rows[i]);
    // Full batches reuse one prepared statement; the last, shorter one is run once.
    const std::string sql = multiRowInsert(head, columns, count);
    Result<PgResult> r = count == kBatchRows ? db_->query(sql, p, what) : db_->queryOnce(sql, p, what);
    if (r) continue;
    const std::string state = db_->lastSqlState();
    if ((state != kUniqueViolation && state != kForeignKeyViolation) || db_->connectionGone()) return failed(r.error());
    undoToSavepoint();
    if (db_->inFailedTransaction() || !db_->inTransaction()) return failed(r.error());
    return refusedRecord(what, table, rows, first + count, state);
  }
  return release();
}

Status PostgresTransaction::addLogRecords(const std::vector<LogRow>& rows) {
  if (Status s = usable(true); !s) return s;
  return insertBatches(
      "INSERT INTO log_records (purse_id, number, type, pd, balance_after, record, collection_id)", 7, "log record",
      "log_records", rows, [](Params& p, const LogRow& row) {
        const Bytes record = row.record.encode();
        const ByteView bytes(record);
        p.bytes(row.purseId).integer(row.record.number).integer(static_cast<std::int64_t>(row.record.type));
        p.bytes(bytes.subspan(kPdOffset, protocol::PaymentDetails::kSize)).integer(row.record.balanceAfter);
        p.bytes(bytes).integer(row.collectionId);
      });
}

Result<std::optional<LogRow>> PostgresTransaction::findLogRecord(const protocol::PurseId& id, std::uint32_t number) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kLogColumns, "FROM log_records WHERE purse_id = $1 AND number = $2");
  Params p;
  p.bytes(id).integer(number);
  Result<PgResult> r = read(sql, p, "finding a log record");
  if (!r) return r.error();
  return readFirst(*r, &readLogRecord);
}

Result<std::vector<LogRow>> PostgresTransaction::logRecordsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kLogColumns, "FROM log_records WHERE purse_id = $1 ORDER BY number");
  Params p;
  p.bytes(id);
  Result<PgResult> r = read(sql, p, "listing a purse's log records");
  if (!r) return r.error();
  return readRows(*r, &readLogRecord);
}

Result<std::optional<LogRow>> PostgresTransaction::newestLogRecord(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kLogColumns, "FROM log_records WHERE purse_id = $1 ORDER BY number DESC LIMIT 1");
  Params p;
  p.bytes(id);
  Result<PgResult> r = read(sql, p, "finding a purse's newest log record");
  if (!r) return r.error();
  return readFirst(*r, &readLogRecord);
}

Result<std::vector<LogRow>> PostgresTransaction::transferRecordsWithPd(const protocol::PaymentDetails& pd) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql =
      select(kLogColumns, std::string("FROM log_records WHERE pd = $1 AND ") + kTransferTypes + " ORDER BY purse_id, number");
  Params p;
  p.bytes(pd.encode());
  Result<PgResult> r = read(sql, p, "finding the records of a transfer");
  if (!r) return r.error();
  return readRows(*r, &readLogRecord);
}

Result<std::vector<LogRow>> PostgresTransaction::transferRecordsFromSeq(const protocol::PurseId& fromId,
                                                                         std::uint32_t fromSeq) {
  if (Status s = usable(false); !s) return s;
  const PayerSideRange range = payerSideRange(fromId, fromSeq);
  static const std::string sql = select(kLogColumns, std::string("FROM log_records WHERE pd >= $1 AND pd <= $2 AND ") +
                                                         kTransferTypes + " ORDER BY purse_id, number");
  Params p;
  p.bytes(range.low).bytes(range.high);
  Result<PgResult> r = read(sql, p, "finding the transfers of a payer's sequence number");
  if (!r) return r.error();
  return readRows(*r, &readLogRecord);
}

Result<std::optional<LogRow>> PostgresTransaction::conflictingTransfer(const protocol::PaymentDetails& pd) {
  if (Status s = usable(false); !s) return s;
  const PayerSideRange range = payerSideRange(pd.fromId, pd.fromSeq);
  static const std::string sql = select(
      kLogColumns, std::string("FROM log_records WHERE pd >= $1 AND pd <= $2 AND pd <> $3 AND ") + kTransferTypes + " LIMIT 1");
  Params p;
  p.bytes(range.low).bytes(range.high).bytes(pd.encode());
  Result<PgResult> r = read(sql, p, "finding a conflicting transfer");
  if (!r) return r.error();
  return readFirst(*r, &readLogRecord);
}

Status PostgresTransaction::addExceptionRecords(const std::vector<ExceptionRow>& rows) {
  if (Status s = usable(true); !s) return s;
  return insertBatches("INSERT INTO exception_records (purse_id, number, aborted_in, pd, record, collection_id)", 6,
                       "exception record", "exception_records", rows, [](Params& p, const ExceptionRow& row) {
                         const Bytes record = row.record.encode();
                         const ByteView bytes(record);
                         p.bytes(row.purseId).integer(row.record.number).integer(static_cast<std::int64_t>(row.record.abortedIn));
                         p.bytes(bytes.subspan(kPdOffset, protocol::PaymentDetails::kSize)).bytes(bytes).integer(row.collectionId);
                       });
}

Result<std::optional<ExceptionRow>> PostgresTransaction::findExceptionRecord(const protocol::PurseId& id,
                                                                              std::uint32_t number) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kExceptionColumns, "FROM exception_records WHERE purse_id = $1 AND number = $2");
  Params p;
  p.bytes(id).integer(number);
  Result<PgResult> r = read(sql, p, "finding an exception record");
  if (!r) return r.error();
  return readFirst(*r, &readExceptionRecord);
}

Result<std::vector<ExceptionRow>> PostgresTransaction::exceptionRecords() {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kExceptionColumns, "FROM exception_records ORDER BY purse_id, number");
  Result<PgResult> r = read(sql, Params(), "listing the exception records");
  if (!r) return r.error();
  return readRows(*r, &readExceptionRecord);
}

Result<std::vector<ExceptionRow>> PostgresTransaction::exceptionRecordsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kExceptionColumns, "FROM exception_records WHERE purse_id = $1 ORDER BY number");
  Params p;
  p.bytes(id);
  Result<PgResult> r = read(sql, p, "listing a purse's exception records");
  if (!r) return r.error();
  return readRows(*r, &readExceptionRecord);
}

}  // namespace epurse::issuer::ledger::postgres
