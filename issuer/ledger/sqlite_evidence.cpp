// SqliteTransaction's collections and the records they brought (sqlite_transaction.h).
#include <sqlite3.h>

#include <string>

#include "base/hex.h"
#include "issuer/ledger/sqlite_ledger.h"
#include "issuer/ledger/sqlite_rows.h"
#include "issuer/ledger/sqlite_transaction.h"

namespace epurse::issuer::ledger {
namespace {

// The one INSERT addLogRecords runs per record (and the benchmark's floor loop too).
constexpr const char* kLogRecordInsert =
    "INSERT INTO log_records (purse_id, number, type, pd, balance_after, record, collection_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

constexpr const char* kExceptionRecordInsert =
    "INSERT INTO exception_records (purse_id, number, aborted_in, pd, record, collection_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

// In both record layouts the pd is bytes 5..66 (after number and type/status).
constexpr std::size_t kPdOffset = 5;

// Transfers only: loads and unloads carry a pd form too, but name the issuer, not a payer.
constexpr const char* kTransferTypes = "type IN (3, 4, 5)";

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

}  // namespace

const char* sqliteLogRecordInsertSql() { return kLogRecordInsert; }

namespace sqlite {

Result<RowId> SqliteTransaction::addCollection(const CollectionRow& collection) {
  if (Status s = usable(true); !s) return s;
  Result<Statement> st = db_->prepare(
      "INSERT INTO collections (purse_id, collected_at, source, challenge, transaction_audit, exception_audit, "
      "transaction_head, exception_head) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
  if (!st) return st.error();
  const Bytes transactionHead = collection.transactionHead.encode();
  const Bytes exceptionHead = collection.exceptionHead.encode();
  if (Status s = st->bindAll(collection.purseId, collection.collectedAt, collection.source, collection.challenge,
                             collection.transactionAudit, collection.exceptionAudit, transactionHead, exceptionHead);
      !s) {
    return s;
  }
  Result<RowId> id = insertReturningId(*st);
  if (!id && st->extendedErrorCode() == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return makeError(ErrorCode::kInvalidArgument,
                     "a collection of purse " + toHex(collection.purseId) + ", which is not registered");
  }
  if (!id) return failed(id.error());
  return id;
}

Result<std::vector<CollectionRow>> SqliteTransaction::collectionsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kCollectionColumns, "FROM collections WHERE purse_id = ?1 ORDER BY id"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id); !s) return s;
  return readRows(*st, &readCollection);
}

Result<std::vector<CollectionRow>> SqliteTransaction::latestCollections() {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(
      kCollectionColumns,
      "FROM collections AS c WHERE c.id = (SELECT max(n.id) FROM collections AS n WHERE n.purse_id = c.purse_id) "
      "ORDER BY c.purse_id"));
  if (!st) return st.error();
  return readRows(*st, &readCollection);
}

Result<std::optional<RowId>> SqliteTransaction::findCollection(const protocol::PurseId& id, ByteView transactionAudit) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(
      "SELECT id FROM collections WHERE purse_id = ?1 AND transaction_audit = ?2 ORDER BY id LIMIT 1");
  if (!st) return st.error();
  if (Status s = st->bindAll(id, transactionAudit); !s) return s;
  Result<bool> found = st->step();
  if (!found) return found.error();
  if (!*found) return std::optional<RowId>();
  return std::optional<RowId>(st->columnInt(0));
}

Status SqliteTransaction::addLogRecords(const std::vector<LogRow>& rows) {
  if (Status s = usable(true); !s) return s;
  if (rows.empty()) return Status::ok();
  Result<Statement> st = db_->prepare(kLogRecordInsert);
  if (!st) return st.status();
  return allOrNothing([&]() -> Status {
    for (const LogRow& row : rows) {
      // Bound without copying: `record` lives until the step is done.
      const Bytes record = row.record.encode();
      const ByteView bytes(record);
      Status s = st->bindStaticBlob(1, row.purseId);
      if (s) s = st->bind(2, static_cast<std::int64_t>(row.record.number));
      if (s) s = st->bind(3, static_cast<std::int64_t>(row.record.type));
      if (s) s = st->bindStaticBlob(4, bytes.subspan(kPdOffset, protocol::PaymentDetails::kSize));
      if (s) s = st->bind(5, static_cast<std::int64_t>(row.record.balanceAfter));
      if (s) s = st->bindStaticBlob(6, bytes);
      if (s) s = st->bind(7, row.collectionId);
      if (s) s = st->run();
      if (!s) {
        const int code = st->extendedErrorCode();
        st->reset();
        if (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE) {
          return makeError(ErrorCode::kInvalidArgument,
                           recordText("log record", row.purseId, row.record.number) + " is stored already");
        }
        if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
          return makeError(ErrorCode::kInvalidArgument,
                           recordText("log record", row.purseId, row.record.number) + " names collection " +
                               std::to_string(row.collectionId) + ", which is not in the ledger");
        }
        return failed(s.error());
      }
      st->reset();
    }
    return Status::ok();
  });
}

Result<std::optional<LogRow>> SqliteTransaction::findLogRecord(const protocol::PurseId& id, std::uint32_t number) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kLogColumns, "FROM log_records WHERE purse_id = ?1 AND number = ?2"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id, number); !s) return s;
  return readFirst(*st, &readLogRecord);
}

Result<std::vector<LogRow>> SqliteTransaction::logRecordsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kLogColumns, "FROM log_records WHERE purse_id = ?1 ORDER BY number"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id); !s) return s;
  return readRows(*st, &readLogRecord);
}

Result<std::optional<LogRow>> SqliteTransaction::newestLogRecord(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st =
      db_->prepare(select(kLogColumns, "FROM log_records WHERE purse_id = ?1 ORDER BY number DESC LIMIT 1"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id); !s) return s;
  return readFirst(*st, &readLogRecord);
}

Result<std::vector<LogRow>> SqliteTransaction::transferRecordsWithPd(const protocol::PaymentDetails& pd) {
  if (Status s = usable(false); !s) return s;
  std::string where = "FROM log_records WHERE pd = ?1 AND ";
  where += kTransferTypes;
  where += " ORDER BY purse_id, number";
  Result<Statement> st = db_->prepare(select(kLogColumns, where));
  if (!st) return st.error();
  const Bytes bytes = pd.encode();
  if (Status s = st->bindAll(bytes); !s) return s;
  return readRows(*st, &readLogRecord);
}

Result<std::vector<LogRow>> SqliteTransaction::transferRecordsFromSeq(const protocol::PurseId& fromId,
                                                                       std::uint32_t fromSeq) {
  if (Status s = usable(false); !s) return s;
  // Every pd that starts with fromId || fromSeq sorts between the 12-byte prefix itself and
  // the prefix followed by 50 bytes of FF: a range on the pd index, in any engine that
  // compares byte strings as unsigned bytes.
  protocol::PaymentDetails low;
  low.fromId = fromId;
  low.fromSeq = fromSeq;
  const Bytes encoded = low.encode();
  const ByteView prefix = ByteView(encoded).first(protocol::kPurseIdSize + 4);
  Bytes high(prefix.begin(), prefix.end());
  high.resize(protocol::PaymentDetails::kSize, 0xFF);
  std::string where = "FROM log_records WHERE pd >= ?1 AND pd <= ?2 AND ";
  where += kTransferTypes;
  where += " ORDER BY purse_id, number";
  Result<Statement> st = db_->prepare(select(kLogColumns, where));
  if (!st) return st.error();
  if (Status s = st->bindAll(prefix, high); !s) return s;
  return readRows(*st, &readLogRecord);
}

Status SqliteTransaction::addExceptionRecords(const std::vector<ExceptionRow>& rows) {
  if (Status s = usable(true); !s) return s;
  if (rows.empty()) return Status::ok();
  Result<Statement> st = db_->prepare(kExceptionRecordInsert);
  if (!st) return st.status();
  return allOrNothing([&]() -> Status {
    for (const ExceptionRow& row : rows) {
      const Bytes record = row.record.encode();
      const ByteView bytes(record);
      Status s = st->bindStaticBlob(1, row.purseId);
      if (s) s = st->bind(2, static_cast<std::int64_t>(row.record.number));
      if (s) s = st->bind(3, static_cast<std::int64_t>(row.record.abortedIn));
      if (s) s = st->bindStaticBlob(4, bytes.subspan(kPdOffset, protocol::PaymentDetails::kSize));
      if (s) s = st->bindStaticBlob(5, bytes);
      if (s) s = st->bind(6, row.collectionId);
      if (s) s = st->run();
      if (!s) {
        const int code = st->extendedErrorCode();
        st->reset();
        if (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE) {
          return makeError(ErrorCode::kInvalidArgument,
                           recordText("exception record", row.purseId, row.record.number) + " is stored already");
        }
        if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
          return makeError(ErrorCode::kInvalidArgument,
                           recordText("exception record", row.purseId, row.record.number) + " names collection " +
                               std::to_string(row.collectionId) + ", which is not in the ledger");
        }
        return failed(s.error());
      }
      st->reset();
    }
    return Status::ok();
  });
}

Result<std::optional<ExceptionRow>> SqliteTransaction::findExceptionRecord(const protocol::PurseId& id,
                                                                            std::uint32_t number) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st =
      db_->prepare(select(kExceptionColumns, "FROM exception_records WHERE purse_id = ?1 AND number = ?2"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id, number); !s) return s;
  return readFirst(*st, &readExceptionRecord);
}

Result<std::vector<ExceptionRow>> SqliteTransaction::exceptionRecords() {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kExceptionColumns, "FROM exception_records ORDER BY purse_id, number"));
  if (!st) return st.error();
  return readRows(*st, &readExceptionRecord);
}

Result<std::vector<ExceptionRow>> SqliteTransaction::exceptionRecordsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st =
      db_->prepare(select(kExceptionColumns, "FROM exception_records WHERE purse_id = ?1 ORDER BY number"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id); !s) return s;
  return readRows(*st, &readExceptionRecord);
}

}  // namespace sqlite
}  // namespace epurse::issuer::ledger
