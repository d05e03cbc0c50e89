#include "issuer/ledger/sqlite_transaction.h"

#include <sqlite3.h>

#include <string>

#include "base/hex.h"
#include "issuer/ledger/sqlite_rows.h"

namespace epurse::issuer::ledger::sqlite {
namespace {

std::string select(const char* columns, const char* rest) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += ' ';
  sql += rest;
  return sql;
}

// A constraint SQLite refused, said in the ledger's terms.
Error refused(Error error, int extendedCode, const std::string& duplicate, const std::string& missingParent) {
  if (extendedCode == SQLITE_CONSTRAINT_PRIMARYKEY || extendedCode == SQLITE_CONSTRAINT_UNIQUE) {
    return makeError(ErrorCode::kInvalidArgument, duplicate);
  }
  if (extendedCode == SQLITE_CONSTRAINT_FOREIGNKEY) return makeError(ErrorCode::kInvalidArgument, missingParent);
  return error;
}

std::string purseText(const protocol::PurseId& id) {
  std::string text = "purse ";
  text += toHex(id);
  return text;
}

}  // namespace

Result<std::unique_ptr<Transaction>> SqliteTransaction::begin(std::shared_ptr<Connection> db, Mode mode) {
  if (db->inTransaction()) {
    return makeError(ErrorCode::kBusy, db->path() + ": this ledger connection has a transaction open already");
  }
  if (mode == Mode::kWrite) {
    if (Status s = db->exec("BEGIN IMMEDIATE", "taking the ledger's write lock"); !s) return s.error();
  } else {
    if (Status s = db->exec("BEGIN", "starting a read of the ledger"); !s) return s.error();
    // A deferred transaction takes its snapshot at its first read: read now, so the snapshot
    // is of the moment beginRead() returned.
    Result<Statement> st = db->prepare("SELECT number FROM meta WHERE key = 'schema_version'");
    Status read = st ? st->step().status() : st.status();
    if (!read) {
      (void)db->exec("ROLLBACK", "ending a failed read");
      return read.error();
    }
  }
  return std::unique_ptr<Transaction>(new SqliteTransaction(std::move(db), mode));
}

SqliteTransaction::~SqliteTransaction() {
  if (open_ && db_->inTransaction()) (void)db_->exec("ROLLBACK", "rolling back an unfinished transaction");
}

Status SqliteTransaction::usable(bool write) const {
  if (!open_) return makeError(ErrorCode::kInvalidArgument, "the ledger transaction is over (committed or failed)");
  if (write && mode_ == Mode::kRead) {
    return makeError(ErrorCode::kInvalidArgument, "a read transaction of the ledger cannot change it");
  }
  return Status::ok();
}

Error SqliteTransaction::failed(Error error) {
  if (!db_->inTransaction()) {
    open_ = false;
    error.message += " (the transaction was rolled back; nothing of it was written)";
  }
  return error;
}

Status SqliteTransaction::commit() {
  if (Status s = usable(false); !s) return s;
  open_ = false;
  Status done = db_->exec("COMMIT", "committing to the ledger");
  // A failed COMMIT can leave the transaction open (busy): it is over all the same.
  if (!done && db_->inTransaction()) (void)db_->exec("ROLLBACK", "rolling back after a failed commit");
  return done;
}

Result<RowId> SqliteTransaction::insertReturningId(Statement& st) {
  Result<bool> row = st.step();
  if (!row) return row.error();
  if (!*row) return makeError(ErrorCode::kInternal, "INSERT ... RETURNING gave no row");
  const RowId id = st.columnInt(0);
  if (Result<bool> end = st.step(); !end) return end.error();
  return id;
}

// --- the registry

Status SqliteTransaction::addPurse(const PurseRow& purse) {
  if (Status s = usable(true); !s) return s;
  Result<Statement> st = db_->prepare(
      "INSERT INTO purses (purse_id, certificate, max_balance, per_transfer_max, no_pin_limit, registered_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return st.status();
  const Bytes certificate = purse.certificate.encode();
  if (Status s = st->bindAll(purse.purseId, certificate, purse.maxBalance, purse.perTransferMax, purse.noPinLimit,
                             purse.registeredAt);
      !s) {
    return s;
  }
  if (Status s = st->run(); !s) {
    return failed(refused(s.error(), st->extendedErrorCode(), purseText(purse.purseId) + " is registered already", ""));
  }
  return Status::ok();
}

Result<std::optional<PurseRow>> SqliteTransaction::findPurse(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kPurseColumns, "FROM purses WHERE purse_id = ?1"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id); !s) return s;
  return readFirst(*st, &readPurse);
}

Result<std::vector<PurseRow>> SqliteTransaction::purses() {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kPurseColumns, "FROM purses ORDER BY purse_id"));
  if (!st) return st.error();
  return readRows(*st, &readPurse);
}

Result<std::uint64_t> SqliteTransaction::takePurseSerial() {
  if (Status s = usable(true); !s) return s;
  // The meta table's bookkeeping: the one counter the ledger updates in place.
  Result<Statement> st =
      db_->prepare("UPDATE meta SET number = number + 1 WHERE key = 'next_purse_serial' RETURNING number - 1");
  if (!st) return st.error();
  Result<RowId> serial = insertReturningId(*st);
  if (!serial) return failed(serial.error());
  if (*serial < 1) return makeError(ErrorCode::kCorrupt, db_->path() + ": the purse serial counter is out of range");
  return static_cast<std::uint64_t>(*serial);
}

// --- orders and settlements

Result<RowId> SqliteTransaction::addOrder(const OrderRow& order) {
  if (Status s = usable(true); !s) return s;
  Result<Statement> st = db_->prepare(
      "INSERT INTO orders (purse_id, kind, value_order, load_counter, amount, refund_of, authorised_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
  if (!st) return st.error();
  const Bytes valueOrder = order.order.encode();
  if (Status s = st->bindAll(order.purseId, order.kind, valueOrder, order.order.counter, order.order.amount); !s) return s;
  const Bytes refundOf = order.refundOf ? order.refundOf->encode() : Bytes();
  if (Status s = order.refundOf ? st->bind(6, ByteView(refundOf)) : st->bindNull(6); !s) return s;
  if (Status s = st->bind(7, order.authorisedAt); !s) return s;
  Result<RowId> id = insertReturningId(*st);
  if (!id) {
    return failed(refused(id.error(), st->extendedErrorCode(), "",
                          "an order for " + purseText(order.purseId) + ", which is not registered"));
  }
  return id;
}

Status SqliteTransaction::addSettlement(const SettlementRow& settlement) {
  if (Status s = usable(true); !s) return s;
  Result<Statement> st = db_->prepare(
      "INSERT INTO settlements (order_id, outcome, source, log_number, evidence, settled_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st) return st.status();
  if (Status s = st->bindAll(settlement.orderId, settlement.outcome, settlement.source, settlement.logNumber,
                             settlement.evidence, settlement.settledAt);
      !s) {
    return s;
  }
  if (Status s = st->run(); !s) {
    const std::string order = "order " + std::to_string(settlement.orderId);
    return failed(refused(s.error(), st->extendedErrorCode(), order + " is settled already", order + " is not in the ledger"));
  }
  return Status::ok();
}

Result<std::vector<OrderRow>> SqliteTransaction::orders() {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kOrderColumns, "FROM orders ORDER BY id"));
  if (!st) return st.error();
  return readRows(*st, &readOrder);
}

Result<std::vector<OrderRow>> SqliteTransaction::ordersOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kOrderColumns, "FROM orders WHERE purse_id = ?1 ORDER BY id"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id); !s) return s;
  return readRows(*st, &readOrder);
}

Result<std::vector<SettlementRow>> SqliteTransaction::settlements() {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kSettlementColumns, "FROM settlements ORDER BY order_id"));
  if (!st) return st.error();
  return readRows(*st, &readSettlement);
}

Result<std::optional<SettlementRow>> SqliteTransaction::settlementOf(RowId orderId) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kSettlementColumns, "FROM settlements WHERE order_id = ?1"));
  if (!st) return st.error();
  if (Status s = st->bindAll(orderId); !s) return s;
  return readFirst(*st, &readSettlement);
}

// --- what the issuer concluded

Result<RowId> SqliteTransaction::addFinding(const FindingRow& finding) {
  if (Status s = usable(true); !s) return s;
  Result<Statement> st = db_->prepare(
      "INSERT INTO findings (purse_id, kind, collection_id, value_at_risk, detail, found_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
  if (!st) return st.error();
  if (Status s = st->bindAll(finding.purseId, finding.kind); !s) return s;
  // No collection (0): NULL, so the reference to collections holds.
  if (Status s = finding.collectionId == 0 ? st->bindNull(3) : st->bind(3, finding.collectionId); !s) return s;
  if (Status s = st->bind(4, static_cast<std::int64_t>(finding.valueAtRisk)); !s) return s;
  if (Status s = st->bind(5, std::string_view(finding.detail)); !s) return s;
  if (Status s = st->bind(6, finding.foundAt); !s) return s;
  Result<RowId> id = insertReturningId(*st);
  if (!id) {
    return failed(refused(id.error(), st->extendedErrorCode(), "",
                          "a finding names collection " + std::to_string(finding.collectionId) + ", which is not in the ledger"));
  }
  return id;
}

Result<std::vector<FindingRow>> SqliteTransaction::findings() {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kFindingColumns, "FROM findings ORDER BY id"));
  if (!st) return st.error();
  return readRows(*st, &readFinding);
}

Result<std::vector<FindingRow>> SqliteTransaction::findingsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kFindingColumns, "FROM findings WHERE purse_id = ?1 ORDER BY id"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id); !s) return s;
  return readRows(*st, &readFinding);
}

Result<bool> SqliteTransaction::addLostTransfer(const LostTransferRow& lost) {
  if (Status s = usable(true); !s) return s;
  Result<Statement> st =
      db_->prepare("INSERT INTO lost_transfers (pd, decided_at) VALUES (?1, ?2) ON CONFLICT (pd) DO NOTHING");
  if (!st) return st.error();
  const Bytes pd = lost.pd.encode();
  if (Status s = st->bindAll(pd, lost.decidedAt); !s) return s;
  if (Status s = st->run(); !s) return failed(s.error());
  return st->changes() == 1;
}

Result<std::vector<LostTransferRow>> SqliteTransaction::lostTransfers() {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kLostTransferColumns, "FROM lost_transfers ORDER BY decided_at, pd"));
  if (!st) return st.error();
  return readRows(*st, &readLostTransfer);
}

Status SqliteTransaction::addRevocation(const RevocationRow& revocation) {
  if (Status s = usable(true); !s) return s;
  Result<std::optional<RevocationRow>> latest = latestRevocation();
  if (!latest) return latest.status();
  const std::uint32_t expected = *latest ? (*latest)->list.version + 1 : 1;
  if (revocation.list.version != expected) {
    return makeError(ErrorCode::kInvalidArgument, "revocation list version " + std::to_string(revocation.list.version) +
                                                      " is not the next one (" + std::to_string(expected) + ")");
  }
  Result<Statement> st = db_->prepare(
      "INSERT INTO revocations (version, list, command, reason, issued_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) return st.status();
  const Bytes list = revocation.list.encode();
  if (Status s = st->bindAll(revocation.list.version, list, revocation.command, revocation.reason, revocation.issuedAt);
      !s) {
    return s;
  }
  if (Status s = st->run(); !s) return failed(s.error());
  return Status::ok();
}

Result<std::optional<RevocationRow>> SqliteTransaction::latestRevocation() {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kRevocationColumns, "FROM revocations ORDER BY version DESC LIMIT 1"));
  if (!st) return st.error();
  return readFirst(*st, &readRevocation);
}

Result<std::vector<RevocationRow>> SqliteTransaction::revocations() {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st = db_->prepare(select(kRevocationColumns, "FROM revocations ORDER BY version"));
  if (!st) return st.error();
  return readRows(*st, &readRevocation);
}

Status SqliteTransaction::addExceptionClear(const ExceptionClearRow& clear) {
  if (Status s = usable(true); !s) return s;
  Result<Statement> st =
      db_->prepare("INSERT INTO exception_clears (purse_id, clear_order, issued_at) VALUES (?1, ?2, ?3)");
  if (!st) return st.status();
  const Bytes order = clear.order.encode();
  if (Status s = st->bindAll(clear.purseId, order, clear.issuedAt); !s) return s;
  if (Status s = st->run(); !s) {
    return failed(refused(s.error(), st->extendedErrorCode(), "",
                          "an exception clear for " + purseText(clear.purseId) + ", which is not registered"));
  }
  return Status::ok();
}

Result<std::vector<ExceptionClearRow>> SqliteTransaction::exceptionClearsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  Result<Statement> st =
      db_->prepare(select(kExceptionClearColumns, "FROM exception_clears WHERE purse_id = ?1 ORDER BY id"));
  if (!st) return st.error();
  if (Status s = st->bindAll(id); !s) return s;
  return readRows(*st, &readExceptionClear);
}

}  // namespace epurse::issuer::ledger::sqlite
