#include "issuer/ledger/postgres_ledger.h"

#include <string>

#include "issuer/ledger/postgres_connection.h"
#include "issuer/ledger/postgres_schema.h"
#include "issuer/ledger/postgres_transaction.h"

namespace epurse::issuer::ledger {
namespace {

using postgres::Connection;
using postgres::PostgresTransaction;

class PostgresLedger final : public Ledger {
 public:
  PostgresLedger(std::shared_ptr<Connection> db, const protocol::IssuerKeyId& issuer, int schemaVersion)
      : db_(std::move(db)), issuer_(issuer), schemaVersion_(schemaVersion) {}

  Result<std::unique_ptr<Transaction>> beginWrite() override {
    return PostgresTransaction::begin(db_, PostgresTransaction::Mode::kWrite);
  }
  Result<std::unique_ptr<Transaction>> beginRead() override {
    return PostgresTransaction::begin(db_, PostgresTransaction::Mode::kRead);
  }
  const protocol::IssuerKeyId& issuerKeyId() const override { return issuer_; }

  // The meta rows and schema version, and that every primary key, reference and index of the
  // schema is there (postgres_schema.h). Pages and rows are the server's to check (its WAL
  // and, if enabled, data checksums); references are enforced by the server on every write.
  Status checkIntegrity() override {
    if (db_->inTransaction()) return makeError(ErrorCode::kBusy, db_->where() + ": a transaction is open on this ledger");
    if ((db_->lost() || db_->connectionGone()) && !db_->reconnect()) {
      return makeError(ErrorCode::kIo, "lost the connection to the PostgreSQL server, " + db_->where());
    }
    Result<postgres::PgResult> begun = db_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "checking the ledger");
    if (!begun) return begun.error();
    Status checked = postgres::checkSchema(*db_);
    if (db_->inTransaction()) (void)db_->exec("ROLLBACK", "ending the check");
    return checked;
  }

  std::string describe() const override {
    return "PostgreSQL " + db_->serverVersion() + ", " + db_->where() + ", schema " + std::to_string(schemaVersion_);
  }

 private:
  std::shared_ptr<Connection> db_;
  protocol::IssuerKeyId issuer_;
  int schemaVersion_;
};

}  // namespace

bool isPostgresLocator(const std::string& locator) {
  return locator.rfind("postgresql://", 0) == 0 || locator.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Ledger>> createPostgresLedger(const std::string& conninfo, const protocol::IssuerKeyId& issuer,
                                                     PostgresLedgerOptions options) {
  Result<std::unique_ptr<Connection>> opened = Connection::open(conninfo, options.lockTimeoutMs);
  if (!opened) return opened.error();
  std::shared_ptr<Connection> db = std::move(*opened);
  if (Status s = postgres::createSchema(*db, issuer); !s) return s.error();
  return std::unique_ptr<Ledger>(std::make_unique<PostgresLedger>(std::move(db), issuer, postgres::kSchemaVersion));
}

Result<std::unique_ptr<Ledger>> openPostgresLedger(const std::string& conninfo, PostgresLedgerOptions options) {
  Result<std::unique_ptr<Connection>> opened = Connection::open(conninfo, options.lockTimeoutMs);
  if (!opened) return opened.error();
  std::shared_ptr<Connection> db = std::move(*opened);
  Result<postgres::LedgerMeta> meta = postgres::readMeta(*db);
  if (!meta) return meta.error();
  if (meta->schemaVersion > postgres::kSchemaVersion) {
    return makeError(ErrorCode::kUnsupported, db->where() + " is a ledger of schema " + std::to_string(meta->schemaVersion) +
                                                  "; this program knows schemas up to " +
                                                  std::to_string(postgres::kSchemaVersion) + ": use a newer epurse");
  }
  if (meta->schemaVersion < postgres::kSchemaVersion) {
    if (Status s = postgres::migrate(*db, meta->schemaVersion, postgres::kSchemaVersion, postgres::migrationSteps()); !s) {
      return s.error();
    }
  }
  return std::unique_ptr<Ledger>(std::make_unique<PostgresLedger>(std::move(db), meta->issuer, postgres::kSchemaVersion));
}

}  // namespace epurse::issuer::ledger
