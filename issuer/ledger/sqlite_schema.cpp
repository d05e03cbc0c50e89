#include "issuer/ledger/sqlite_schema.h"

#include <array>
#include <string>

namespace epurse::issuer::ledger::sqlite {
namespace {

// Byte fields are BLOBs, numbers INTEGERs, times seconds since 1970: the same columns a
// PostgreSQL backend would declare as bytea / bigint. Where a row is evidence, the card's
// exact bytes are kept (record, certificate, audits, signed commands) and decoded on read;
// the decoded columns beside them exist for queries.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  number INTEGER,
  bytes BLOB
);
CREATE TABLE purses (
  purse_id BLOB PRIMARY KEY NOT NULL,
  certificate BLOB NOT NULL,
  max_balance INTEGER NOT NULL,
  per_transfer_max INTEGER NOT NULL,
  no_pin_limit INTEGER NOT NULL,
  registered_at INTEGER NOT NULL
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY NOT NULL,
  purse_id BLOB NOT NULL REFERENCES purses (purse_id),
  kind INTEGER NOT NULL,
  value_order BLOB NOT NULL,
  load_counter INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  refund_of BLOB,
  authorised_at INTEGER NOT NULL
);
CREATE TABLE settlements (
  order_id INTEGER PRIMARY KEY NOT NULL REFERENCES orders (id),
  outcome INTEGER NOT NULL,
  source INTEGER NOT NULL,
  log_number INTEGER NOT NULL,
  evidence BLOB NOT NULL,
  settled_at INTEGER NOT NULL
);
CREATE TABLE collections (
  id INTEGER PRIMARY KEY NOT NULL,
  purse_id BLOB NOT NULL REFERENCES purses (purse_id),
  collected_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  challenge BLOB NOT NULL,
  transaction_audit BLOB NOT NULL,
  exception_audit BLOB NOT NULL,
  transaction_head BLOB NOT NULL,
  exception_head BLOB NOT NULL
);
CREATE TABLE log_records (
  purse_id BLOB NOT NULL,
  number INTEGER NOT NULL,
  type INTEGER NOT NULL,
  pd BLOB NOT NULL,
  balance_after INTEGER NOT NULL,
  record BLOB NOT NULL,
  collection_id INTEGER NOT NULL REFERENCES collections (id),
  PRIMARY KEY (purse_id, number)
);
CREATE INDEX log_records_transfer_pd ON log_records (pd) WHERE type IN (3, 4, 5);
CREATE TABLE exception_records (
  purse_id BLOB NOT NULL,
  number INTEGER NOT NULL,
  aborted_in INTEGER NOT NULL,
  pd BLOB NOT NULL,
  record BLOB NOT NULL,
  collection_id INTEGER NOT NULL REFERENCES collections (id),
  PRIMARY KEY (purse_id, number)
);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY NOT NULL,
  purse_id BLOB NOT NULL,
  kind INTEGER NOT NULL,
  collection_id INTEGER REFERENCES collections (id),
  value_at_risk INTEGER NOT NULL,
  detail TEXT NOT NULL,
  found_at INTEGER NOT NULL
);
CREATE TABLE lost_transfers (
  pd BLOB PRIMARY KEY NOT NULL,
  decided_at INTEGER NOT NULL
);
CREATE TABLE revocations (
  version INTEGER PRIMARY KEY NOT NULL,
  list BLOB NOT NULL,
  command BLOB NOT NULL,
  reason TEXT NOT NULL,
  issued_at INTEGER NOT NULL
);
CREATE TABLE exception_clears (
  id INTEGER PRIMARY KEY NOT NULL,
  purse_id BLOB NOT NULL REFERENCES purses (purse_id),
  clear_order BLOB NOT NULL,
  issued_at INTEGER NOT NULL
);
)sql";

// Version 2: the lookups by purse and by pd that collection, reconciliation and the per-purse
// views make on every run, which version 1 answered with table scans.
constexpr const char* kVersion1To2 = R"sql(
CREATE INDEX exception_records_pd ON exception_records (pd);
CREATE INDEX orders_purse ON orders (purse_id, id);
CREATE INDEX collections_purse ON collections (purse_id, id);
CREATE INDEX findings_purse ON findings (purse_id, id);
CREATE INDEX exception_clears_purse ON exception_clears (purse_id, id);
)sql";

constexpr std::array<MigrationStep, 1> kSteps{{
    {1, "indexes by purse and by pd", kVersion1To2},
}};

Status setSchemaVersion(Connection& db, int version) {
  Result<Statement> st = db.prepare("UPDATE meta SET number = ?1 WHERE key = 'schema_version'");
  if (!st) return st.status();
  if (Status s = st->bind(1, static_cast<std::int64_t>(version)); !s) return s;
  if (Status s = st->run(); !s) return s;
  if (st->changes() != 1) return makeError(ErrorCode::kCorrupt, db.path() + ": the meta table has no schema_version row");
  return Status::ok();
}

// Runs `body` inside BEGIN IMMEDIATE .. COMMIT, rolling back on any failure.
template <typename Body>
Status inWriteTransaction(Connection& db, const char* what, Body body) {
  if (Status s = db.exec("BEGIN IMMEDIATE", what); !s) return s;
  Status result = body();
  if (result) result = db.exec("COMMIT", what);
  if (!result && db.inTransaction()) (void)db.exec("ROLLBACK", what);
  return result;
}

Status applySteps(Connection& db, int fromVersion, int toVersion, std::span<const MigrationStep> steps) {
  for (int version = fromVersion; version < toVersion; ++version) {
    const MigrationStep* step = nullptr;
    for (const MigrationStep& candidate : steps) {
      if (candidate.fromVersion == version) step = &candidate;
    }
    if (step == nullptr) {
      return makeError(ErrorCode::kInternal, "no migration from schema " + std::to_string(version));
    }
    std::string what = "migrating " + db.path() + " from schema ";
    what += std::to_string(version);
    what += " (";
    what += step->description;
    what += ')';
    if (Status s = db.exec(step->sql, what); !s) return s;
  }
  return setSchemaVersion(db, toVersion);
}

}  // namespace

std::span<const MigrationStep> migrationSteps() { return kSteps; }

const char* schemaVersion1Sql() { return kVersion1; }

Status createSchema(Connection& db, const protocol::IssuerKeyId& issuer) {
  return inWriteTransaction(db, "creating the ledger's tables", [&]() -> Status {
    if (Status s = db.exec("PRAGMA application_id = " + std::to_string(kApplicationId), "setting the application id"); !s) {
      return s;
    }
    if (Status s = db.exec(kVersion1, "creating the ledger's tables"); !s) return s;
    Result<Statement> meta = db.prepare("INSERT INTO meta (key, number, bytes) VALUES (?1, ?2, ?3)");
    if (!meta) return meta.status();
    const std::string marker = kApplicationMarker;
    struct Row {
      const char* key;
      std::int64_t number;
      ByteView bytes;
    };
    const Row rows[] = {
        {"application", 0, ByteView(reinterpret_cast<const std::uint8_t*>(marker.data()), marker.size())},
        {"schema_version", 1, {}},
        {"issuer_key_id", 0, issuer},
        {"next_purse_serial", 1, {}},
    };
    for (const Row& row : rows) {
      if (Status s = meta->bind(1, std::string_view(row.key)); !s) return s;
      if (Status s = meta->bind(2, row.number); !s) return s;
      if (Status s = row.bytes.empty() ? meta->bindNull(3) : meta->bind(3, row.bytes); !s) return s;
      if (Status s = meta->run(); !s) return s;
      meta->reset();
    }
    return applySteps(db, 1, kSchemaVersion, kSteps);
  });
}

Result<LedgerMeta> readMeta(Connection& db) {
  const std::string notOurs = db.path() + " is not an epurse ledger";
  {
    Result<Statement> id = db.prepare("PRAGMA application_id");
    if (!id) return id.error();
    Result<bool> row = id->step();
    if (!row) return row.error();
    if (!*row || id->columnInt(0) != kApplicationId) return makeError(ErrorCode::kCorrupt, notOurs + " (foreign application id)");
  }
  Result<Statement> tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  if (!tables) return tables.error();
  Result<bool> hasRow = tables->step();
  if (!hasRow) return hasRow.error();
  if (!*hasRow || tables->columnInt(0) != 1) return makeError(ErrorCode::kCorrupt, notOurs + " (no meta table)");

  Result<Statement> st = db.prepare("SELECT key, number, bytes FROM meta");
  if (!st) return st.error();
  LedgerMeta meta;
  bool marked = false, versioned = false, issued = false;
  for (;;) {
    Result<bool> row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    const std::string key = st->columnText(0);
    if (key == "application") {
      const ByteView value = st->columnBlob(2);
      marked = std::string(value.begin(), value.end()) == kApplicationMarker;
    } else if (key == "schema_version") {
      const std::int64_t version = st->columnInt(1);
      if (version < 1 || version > 1'000'000) return makeError(ErrorCode::kCorrupt, db.path() + ": bad schema version");
      meta.schemaVersion = static_cast<int>(version);
      versioned = true;
    } else if (key == "issuer_key_id") {
      const ByteView value = st->columnBlob(2);
      if (value.size() != meta.issuer.size()) return makeError(ErrorCode::kCorrupt, db.path() + ": bad issuer key ID in meta");
      std::copy(value.begin(), value.end(), meta.issuer.begin());
      issued = true;
    }
  }
  if (!marked) return makeError(ErrorCode::kCorrupt, notOurs + " (no application marker in its meta table)");
  if (!versioned || !issued) return makeError(ErrorCode::kCorrupt, db.path() + ": the meta table lacks its schema version or issuer");
  return meta;
}

Status migrate(Connection& db, int fromVersion, int toVersion, std::span<const MigrationStep> steps) {
  return inWriteTransaction(db, "migrating the ledger", [&]() -> Status {
    // Another program may have migrated the file since it was read: step from what it is now.
    Result<LedgerMeta> now = readMeta(db);
    if (!now) return now.status();
    if (now->schemaVersion == toVersion) return Status::ok();
    if (now->schemaVersion != fromVersion) {
      return makeError(ErrorCode::kBusy, db.path() + ": the schema changed while it was being migrated");
    }
    return applySteps(db, fromVersion, toVersion, steps);
  });
}

}  // namespace epurse::issuer::ledger::sqlite
