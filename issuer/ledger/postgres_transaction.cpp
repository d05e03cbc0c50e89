#include "issuer/ledger/postgres_transaction.h"

#include <string>

#include "base/hex.h"
#include "issuer/ledger/postgres_rows.h"

namespace epurse::issuer::ledger::postgres {
namespace {

std::string select(const char* columns, const char* rest) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += ' ';
  sql += rest;
  return sql;
}

std::string purseText(const protocol::PurseId& id) { return "purse " + toHex(id); }

}  // namespace

Result<std::unique_ptr<Transaction>> PostgresTransaction::begin(std::shared_ptr<Connection> db, Mode mode) {
  if (db->inTransaction()) {
    return makeError(ErrorCode::kBusy, db->where() + ": this ledger connection has a transaction open already");
  }
  // The server restarted since the last transaction: connect again (nothing was open).
  if ((db->lost() || db->connectionGone()) && !db->reconnect()) {
    return makeError(ErrorCode::kIo, "lost the connection to the PostgreSQL server, " + db->where() + ", and cannot reconnect");
  }
  const char* sql = mode == Mode::kWrite ? "BEGIN ISOLATION LEVEL SERIALIZABLE" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  Result<PgResult> begun = db->exec(sql, "starting a ledger transaction");
  // A connection that died while idle is only found out now: once more, on a new one.
  if (!begun && db->connectionGone() && db->reconnect()) begun = db->exec(sql, "starting a ledger transaction");
  if (!begun) return begun.error();
  if (mode == Mode::kRead) {
    // The snapshot is taken at the first statement: take it now, so it is of the moment
    // beginRead() returned.
    if (Result<PgResult> r = db->exec("SELECT 1", "taking the read snapshot"); !r) {
      if (db->inTransaction()) (void)db->exec("ROLLBACK", "ending a failed read");
      return r.error();
    }
  }
  return std::unique_ptr<Transaction>(new PostgresTransaction(std::move(db), mode));
}

PostgresTransaction::~PostgresTransaction() {
  if (open_ && db_->inTransaction()) (void)db_->exec("ROLLBACK", "rolling back an unfinished transaction");
}

Status PostgresTransaction::usable(bool write) const {
  if (!open_) return makeError(ErrorCode::kInvalidArgument, "the ledger transaction is over (committed or failed)");
  if (write && mode_ == Mode::kRead) {
    return makeError(ErrorCode::kInvalidArgument, "a read transaction of the ledger cannot change it");
  }
  return Status::ok();
}

Error PostgresTransaction::failed(Error error) {
  open_ = false;
  if (db_->inTransaction()) (void)db_->exec("ROLLBACK", "rolling back a failed transaction");
  error.message += " (the transaction was rolled back; nothing of it was written";
  error.message += error.code == ErrorCode::kBusy ? "; retry it)" : ")";
  return error;
}

Status PostgresTransaction::commit() {
  if (Status s = usable(false); !s) return s;
  open_ = false;
  Result<PgResult> done = db_->exec("COMMIT", "committing to the ledger");
  if (!done) {
    Error error = done.error();
    if (db_->inTransaction()) (void)db_->exec("ROLLBACK", "rolling back after a failed commit");
    error.message += " (the transaction was rolled back; nothing of it was written";
    error.message += error.code == ErrorCode::kBusy ? "; retry it)" : ")";
    return error;
  }
  // COMMIT of an aborted transaction answers ROLLBACK, without an error: nothing was written.
  if (done->command() == "ROLLBACK") {
    return makeError(ErrorCode::kIo, db_->where() + ": the server rolled the transaction back at commit; nothing of it was written");
  }
  return Status::ok();
}

Result<PgResult> PostgresTransaction::read(const std::string& sql, const Params& params, const char* what) {
  Result<PgResult> r = db_->query(sql, params, what);
  if (!r) return failed(r.error());
  return r;
}

Status PostgresTransaction::savepoint() {
  if (Result<PgResult> r = db_->exec("SAVEPOINT epurse_change", "starting a savepoint"); !r) return failed(r.error());
  return Status::ok();
}

Status PostgresTransaction::release() {
  if (Result<PgResult> r = db_->exec("RELEASE SAVEPOINT epurse_change", "releasing a savepoint"); !r) return failed(r.error());
  return Status::ok();
}

void PostgresTransaction::undoToSavepoint() {
  (void)db_->exec("ROLLBACK TO SAVEPOINT epurse_change", "undoing a refused change");
  (void)db_->exec("RELEASE SAVEPOINT epurse_change", "releasing a savepoint");
}

Result<PgResult> PostgresTransaction::change(const std::string& sql, const Params& params, const char* what,
                                             const std::string& duplicate, const std::string& missingParent) {
  if (Status s = savepoint(); !s) return s.error();
  Result<PgResult> r = db_->query(sql, params, what);
  if (r) {
    if (Status s = release(); !s) return s.error();
    return r;
  }
  const std::string state = db_->lastSqlState();
  const bool refusedRow = (state == kUniqueViolation && !duplicate.empty()) ||
                          (state == kForeignKeyViolation && !missingParent.empty());
  if (!refusedRow || db_->connectionGone()) return failed(r.error());
  undoToSavepoint();
  if (db_->inFailedTransaction() || !db_->inTransaction()) return failed(r.error());
  return makeError(ErrorCode::kInvalidArgument, state == kUniqueViolation ? duplicate : missingParent);
}

// --- the registry

Status PostgresTransaction::addPurse(const PurseRow& purse) {
  if (Status s = usable(true); !s) return s;
  Params p;
  p.bytes(purse.purseId).bytes(purse.certificate.encode()).integer(purse.maxBalance).integer(purse.perTransferMax);
  p.integer(purse.noPinLimit).integer(purse.registeredAt);
  return change("INSERT INTO purses (purse_id, certificate, max_balance, per_transfer_max, no_pin_limit, registered_at) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                p, "registering a purse", purseText(purse.purseId) + " is registered already", "")
      .status();
}

Result<std::optional<PurseRow>> PostgresTransaction::findPurse(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kPurseColumns, "FROM purses WHERE purse_id = $1");
  Params p;
  p.bytes(id);
  Result<PgResult> r = read(sql, p, "finding a purse");
  if (!r) return r.error();
  return readFirst(*r, &readPurse);
}

Result<std::vector<PurseRow>> PostgresTransaction::purses() {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kPurseColumns, "FROM purses ORDER BY purse_id");
  Result<PgResult> r = read(sql, Params(), "listing the purses");
  if (!r) return r.error();
  return readRows(*r, &readPurse);
}

Result<std::uint64_t> PostgresTransaction::takePurseSerial() {
  if (Status s = usable(true); !s) return s;
  Result<PgResult> r = change("UPDATE meta SET number = number + 1 WHERE key = 'next_purse_serial' RETURNING number - 1",
                              Params(), "taking a purse serial number", "", "");
  if (!r) return r.error();
  if (r->rows() != 1 || r->integer(0, 0) < 1) {
    return makeError(ErrorCode::kCorrupt, db_->where() + ": the purse serial counter is missing or out of range");
  }
  return static_cast<std::uint64_t>(r->integer(0, 0));
}

// --- orders and settlements

Result<RowId> PostgresTransaction::addOrder(const OrderRow& order) {
  if (Status s = usable(true); !s) return s;
  Params p;
  p.bytes(order.purseId).integer(static_cast<std::int64_t>(order.kind)).bytes(order.order.encode());
  p.integer(order.order.counter).integer(order.order.amount);
  if (order.refundOf) {
    p.bytes(order.refundOf->encode());
  } else {
    p.null();
  }
  p.integer(order.authorisedAt);
  Result<PgResult> r = change(
      "INSERT INTO orders (purse_id, kind, value_order, load_counter, amount, refund_of, authorised_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      p, "adding an order", "", "an order for " + purseText(order.purseId) + ", which is not registered");
  if (!r) return r.error();
  return r->integer(0, 0);
}

Status PostgresTransaction::addSettlement(const SettlementRow& settlement) {
  if (Status s = usable(true); !s) return s;
  Params p;
  p.integer(settlement.orderId).integer(static_cast<std::int64_t>(settlement.outcome));
  p.integer(static_cast<std::int64_t>(settlement.source)).integer(settlement.logNumber).bytes(settlement.evidence);
  p.integer(settlement.settledAt);
  const std::string order = "order " + std::to_string(settlement.orderId);
  return change("INSERT INTO settlements (order_id, outcome, source, log_number, evidence, settled_at) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                p, "settling an order", order + " is settled already", order + " is not in the ledger")
      .status();
}

Result<std::vector<OrderRow>> PostgresTransaction::orders() {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kOrderColumns, "FROM orders ORDER BY id");
  Result<PgResult> r = read(sql, Params(), "listing the orders");
  if (!r) return r.error();
  return readRows(*r, &readOrder);
}

Result<std::vector<OrderRow>> PostgresTransaction::ordersOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kOrderColumns, "FROM orders WHERE purse_id = $1 ORDER BY id");
  Params p;
  p.bytes(id);
  Result<PgResult> r = read(sql, p, "listing a purse's orders");
  if (!r) return r.error();
  return readRows(*r, &readOrder);
}

Result<std::vector<SettlementRow>> PostgresTransaction::settlements() {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kSettlementColumns, "FROM settlements ORDER BY order_id");
  Result<PgResult> r = read(sql, Params(), "listing the settlements");
  if (!r) return r.error();
  return readRows(*r, &readSettlement);
}

Result<std::optional<SettlementRow>> PostgresTransaction::settlementOf(RowId orderId) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kSettlementColumns, "FROM settlements WHERE order_id = $1");
  Params p;
  p.integer(orderId);
  Result<PgResult> r = read(sql, p, "finding a settlement");
  if (!r) return r.error();
  return readFirst(*r, &readSettlement);
}

// --- what the issuer concluded

Result<RowId> PostgresTransaction::addFinding(const FindingRow& finding) {
  if (Status s = usable(true); !s) return s;
  Params p;
  p.bytes(finding.purseId).integer(static_cast<std::int64_t>(finding.kind));
  // No collection (0): NULL, so the reference to collections holds.
  if (finding.collectionId == 0) {
    p.null();
  } else {
    p.integer(finding.collectionId);
  }
  p.integer(static_cast<std::int64_t>(finding.valueAtRisk)).text(finding.detail).integer(finding.foundAt);
  Result<PgResult> r = change(
      "INSERT INTO findings (purse_id, kind, collection_id, value_at_risk, detail, found_at) "
      "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
      p, "adding a finding", "",
      "a finding names collection " + std::to_string(finding.collectionId) + ", which is not in the ledger");
  if (!r) return r.error();
  return r->integer(0, 0);
}

Result<std::vector<FindingRow>> PostgresTransaction::findings() {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kFindingColumns, "FROM findings ORDER BY id");
  Result<PgResult> r = read(sql, Params(), "listing the findings");
  if (!r) return r.error();
  return readRows(*r, &readFinding);
}

Result<std::vector<FindingRow>> PostgresTransaction::findingsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kFindingColumns, "FROM findings WHERE purse_id = $1 ORDER BY id");
  Params p;
  p.bytes(id);
  Result<PgResult> r = read(sql, p, "listing a purse's findings");
  if (!r) return r.error();
  return readRows(*r, &readFinding);
}

Result<bool> PostgresTransaction::addLostTransfer(const LostTransferRow& lost) {
  if (Status s = usable(true); !s) return s;
  Params p;
  p.bytes(lost.pd.encode()).integer(lost.decidedAt);
  Result<PgResult> r = change("INSERT INTO lost_transfers (pd, decided_at) VALUES ($1, $2) ON CONFLICT (pd) DO NOTHING", p,
                              "recording a lost transfer", "", "");
  if (!r) return r.error();
  return r->affected() == 1;
}

Result<std::vector<LostTransferRow>> PostgresTransaction::lostTransfers() {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kLostTransferColumns, "FROM lost_transfers ORDER BY decided_at, pd");
  Result<PgResult> r = read(sql, Params(), "listing the lost transfers");
  if (!r) return r.error();
  return readRows(*r, &readLostTransfer);
}

Status PostgresTransaction::addRevocation(const RevocationRow& revocation) {
  if (Status s = usable(true); !s) return s;
  Result<std::optional<RevocationRow>> latest = latestRevocation();
  if (!latest) return latest.status();
  const std::uint32_t expected = *latest ? (*latest)->list.version + 1 : 1;
  const std::string notNext = "revocation list version " + std::to_string(revocation.list.version) +
                              " is not the next one (" + std::to_string(expected) + ")";
  if (revocation.list.version != expected) return makeError(ErrorCode::kInvalidArgument, notNext);
  Params p;
  p.integer(revocation.list.version).bytes(revocation.list.encode()).bytes(revocation.command).text(revocation.reason);
  p.integer(revocation.issuedAt);
  return change("INSERT INTO revocations (version, list, command, reason, issued_at) VALUES ($1, $2, $3, $4, $5)", p,
                "adding a revocation list", notNext, "")
      .status();
}

Result<std::optional<RevocationRow>> PostgresTransaction::latestRevocation() {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kRevocationColumns, "FROM revocations ORDER BY version DESC LIMIT 1");
  Result<PgResult> r = read(sql, Params(), "finding the latest revocation list");
  if (!r) return r.error();
  return readFirst(*r, &readRevocation);
}

Result<std::vector<RevocationRow>> PostgresTransaction::revocations() {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kRevocationColumns, "FROM revocations ORDER BY version");
  Result<PgResult> r = read(sql, Params(), "listing the revocation lists");
  if (!r) return r.error();
  return readRows(*r, &readRevocation);
}

Status PostgresTransaction::addExceptionClear(const ExceptionClearRow& clear) {
  if (Status s = usable(true); !s) return s;
  Params p;
  p.bytes(clear.purseId).bytes(clear.order.encode()).integer(clear.issuedAt);
  return change("INSERT INTO exception_clears (purse_id, clear_order, issued_at) VALUES ($1, $2, $3)", p,
                "adding an exception clear", "",
                "an exception clear for " + purseText(clear.purseId) + ", which is not registered")
      .status();
}

Result<std::vector<ExceptionClearRow>> PostgresTransaction::exceptionClearsOf(const protocol::PurseId& id) {
  if (Status s = usable(false); !s) return s;
  static const std::string sql = select(kExceptionClearColumns, "FROM exception_clears WHERE purse_id = $1 ORDER BY id");
  Params p;
  p.bytes(id);
  Result<PgResult> r = read(sql, p, "listing a purse's exception clears");
  if (!r) return r.error();
  return readRows(*r, &readExceptionClear);
}

}  // namespace epurse::issuer::ledger::postgres
