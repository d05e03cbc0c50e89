// The ledger's schema is versioned and an older file is stepped forward on open, in one
// transaction: a ledger of schema version 1 (made here by raw SQL from a frozen copy of
// version 1's tables) opens with the current program, is migrated, and keeps its rows; a
// migration that fails part-way leaves the file at its old version with none of the steps.
#define BOOST_TEST_MODULE ledger_migration_test
#include <boost/test/unit_test.hpp>

#include <string>

#include "base/hex.h"
#include "issuer/ledger/sqlite_connection.h"
#include "issuer/ledger/sqlite_ledger.h"
#include "issuer/ledger/sqlite_schema.h"
#include "tests/support/ledger_samples.h"
#include "tests/support/raw_sqlite.h"
#include "tests/support/test_bytes.h"

using namespace epurse;
using namespace epurse::testing::ledger;
namespace sq = epurse::issuer::ledger::sqlite;

namespace {

// Version 1 as it was released. A released version never changes: a change is a new step.
constexpr const char* kFrozenVersion1 = R"sql(
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

std::string blob(ByteView bytes) { return "x'" + toHex(bytes) + "'"; }

// A version-1 ledger of issuerId(3) holding purse 1, one collection and two log records,
// written as version 1's program wrote them.
void makeVersion1(const std::string& path) {
  const il::PurseRow purse = purseRow(1);
  const il::CollectionRow c = collectionRow(1, 5);
  std::string sql = "PRAGMA application_id = 1162892626; PRAGMA journal_mode = WAL; BEGIN;";
  sql += kFrozenVersion1;
  sql += "INSERT INTO meta VALUES ('application', 0, " + blob(toBytes("epurse ledger")) + "), ('schema_version', 1, NULL),"
         " ('issuer_key_id', 0, " + blob(issuerId(3)) + "), ('next_purse_serial', 4, NULL);";
  sql += "INSERT INTO purses VALUES (" + blob(purse.purseId) + ", " + blob(purse.certificate.encode()) + ", " +
         std::to_string(purse.maxBalance) + ", " + std::to_string(purse.perTransferMax) + ", " +
         std::to_string(purse.noPinLimit) + ", " + std::to_string(purse.registeredAt) + ");";
  sql += "INSERT INTO collections VALUES (1, " + blob(c.purseId) + ", " + std::to_string(c.collectedAt) + ", '" + c.source +
         "', " + blob(c.challenge) + ", " + blob(c.transactionAudit) + ", " + blob(c.exceptionAudit) + ", " +
         blob(c.transactionHead.encode()) + ", " + blob(c.exceptionHead.encode()) + ");";
  for (std::uint32_t n = 1; n <= 2; ++n) {
    const il::LogRow row = logRow(1, n, protocol::LogType::kTransferOut, pd(1, n, 2, 7, 30), 1);
    const Bytes record = row.record.encode();
    sql += "INSERT INTO log_records VALUES (" + blob(row.purseId) + ", " + std::to_string(n) + ", 4, " +
           blob(ByteView(record).subspan(5, 62)) + ", " + std::to_string(row.record.balanceAfter) + ", " + blob(record) +
           ", 1);";
  }
  sql += "COMMIT;";
  rawSql(path, sql);
}

std::int64_t schemaVersionOf(const std::string& path) {
  return rawInteger(path, "SELECT number FROM meta WHERE key = 'schema_version'");
}

std::int64_t tablesNamed(const std::string& path, const std::string& name) {
  return rawInteger(path, "SELECT count(*) FROM sqlite_master WHERE name = '" + name + "'");
}

}  // namespace

BOOST_AUTO_TEST_CASE(version_1_is_never_edited) {
  BOOST_TEST(std::string(sq::schemaVersion1Sql()) == kFrozenVersion1);
}

BOOST_AUTO_TEST_CASE(the_steps_lead_from_1_to_the_current_version) {
  int version = 1;
  for (const sq::MigrationStep& step : sq::migrationSteps()) {
    BOOST_TEST(step.fromVersion == version);
    ++version;
  }
  BOOST_TEST(version == sq::kSchemaVersion);
}

BOOST_AUTO_TEST_CASE(a_version_1_ledger_is_migrated_on_open_and_keeps_its_rows) {
  ScratchDir dir;
  const std::string path = dir.file("old.db");
  makeVersion1(path);
  BOOST_TEST_REQUIRE(schemaVersionOf(path) == 1);
  BOOST_TEST_REQUIRE(tablesNamed(path, "exception_records_pd") == 0);
  {
    auto ledger = required(il::openSqliteLedger(path));
    BOOST_TEST(ledger->describe().find("schema 2") != std::string::npos);
    BOOST_TEST(ledger->issuerKeyId() == issuerId(3));
    required(ledger->checkIntegrity());
    auto tx = required(ledger->beginWrite());
    const auto purse = required(tx->findPurse(purseId(1)));
    BOOST_TEST_REQUIRE(purse.has_value());
    BOOST_TEST(same(*purse, purseRow(1)));
    const auto records = required(tx->logRecordsOf(purseId(1)));
    BOOST_TEST_REQUIRE(records.size() == 2u);
    BOOST_TEST(same(records[1], logRow(1, 2, protocol::LogType::kTransferOut, pd(1, 2, 2, 7, 30), 1)));
    BOOST_TEST(required(tx->transferRecordsFromSeq(purseId(1), 2)).size() == 1u);
    BOOST_TEST(required(tx->takePurseSerial()) == 4u);  // version 1's counter goes on
    required(tx->commit());
  }
  BOOST_TEST(schemaVersionOf(path) == sq::kSchemaVersion);
  for (const char* index : {"exception_records_pd", "orders_purse", "collections_purse", "findings_purse",
                            "exception_clears_purse"}) {
    BOOST_TEST(tablesNamed(path, index) == 1, index);
  }
  // Opened again: nothing left to migrate.
  auto again = required(il::openSqliteLedger(path));
  BOOST_TEST(again->describe().find("schema 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(steps_run_in_order_in_one_transaction) {
  ScratchDir dir;
  const std::string path = dir.file("old.db");
  makeVersion1(path);
  const sq::MigrationStep steps[] = {
      {2, "second", "ALTER TABLE extra ADD COLUMN y INTEGER"},
      {1, "first", "CREATE TABLE extra (x INTEGER)"},
  };
  {
    auto db = required(sq::Connection::open(path, 1000));
    required(sq::migrate(*db, 1, 3, steps));
  }
  BOOST_TEST(schemaVersionOf(path) == 3);
  BOOST_TEST(rawInteger(path, "SELECT count(*) FROM pragma_table_info('extra') WHERE name = 'y'") == 1);
  // A file newer than the program is now refused.
  BOOST_TEST(il::openSqliteLedger(path).error().code == ErrorCode::kUnsupported);
}

BOOST_AUTO_TEST_CASE(a_migration_that_fails_part_way_leaves_the_old_version) {
  ScratchDir dir;
  const std::string path = dir.file("old.db");
  makeVersion1(path);
  const sq::MigrationStep steps[] = {
      {1, "good", "CREATE TABLE extra (x INTEGER); INSERT INTO extra VALUES (1);"},
      {2, "broken", "CREATE TABLE half (x INTEGER); ALTER TABLE no_such_table ADD COLUMN y INTEGER;"},
  };
  {
    auto db = required(sq::Connection::open(path, 1000));
    const Status failed = sq::migrate(*db, 1, 3, steps);
    BOOST_TEST_REQUIRE(!failed.isOk());
    BOOST_TEST(failed.error().message.find("migrating " + path + " from schema 2 (broken)") != std::string::npos,
               failed.error().message);
    BOOST_TEST(!db->inTransaction());
    // A step the list does not have: refused, and what ran before it rolled back.
    const Status missing = sq::migrate(*db, 1, 4, std::span(steps, 1));
    BOOST_TEST(missing.error().message.find("no migration from schema 2") != std::string::npos, missing.error().message);
  }
  BOOST_TEST(schemaVersionOf(path) == 1);
  BOOST_TEST(tablesNamed(path, "extra") == 0);
  BOOST_TEST(tablesNamed(path, "half") == 0);
  // The real program still steps it forward.
  auto ledger = required(il::openSqliteLedger(path));
  BOOST_TEST(schemaVersionOf(path) == sq::kSchemaVersion);
}
