// The PostgreSQL ledger's schema: the same tables, columns, keys and indexes as the SQLite
// backend (sqlite_schema.cpp), BYTEA for byte strings and BIGINT for numbers, versioned and
// migrated forward the same way. A database is an epurse ledger when its current schema holds
// the meta table with the marker row ('application', kApplicationMarker); PostgreSQL has no
// file header to carry an application id. Internal to the PostgreSQL backend.
#pragma once

#include <span>

#include "base/result.h"
#include "issuer/ledger/postgres_connection.h"
#include "protocol/purse_types.h"

namespace epurse::issuer::ledger::postgres {

inline constexpr const char* kApplicationMarker = "epurse ledger";
inline constexpr int kSchemaVersion = 2;

struct MigrationStep {
  int fromVersion;
  const char* description;
  const char* sql;
};
std::span<const MigrationStep> migrationSteps();
const char* schemaVersion1Sql();

// An empty database (no tables in its current schema) becomes a ledger of kSchemaVersion for
// `issuer`, in one transaction. kInvalidArgument if it holds an epurse ledger already or
// tables of something else: nothing is ever created beside or over them.
Status createSchema(Connection& db, const protocol::IssuerKeyId& issuer);

struct LedgerMeta {
  int schemaVersion = 0;
  protocol::IssuerKeyId issuer{};
};
// kCorrupt unless the database holds the meta table with the marker row.
Result<LedgerMeta> readMeta(Connection& db);

// Steps the schema from `fromVersion` to `toVersion` in one SERIALIZABLE transaction (DDL is
// transactional in PostgreSQL): all the steps, or none.
Status migrate(Connection& db, int fromVersion, int toVersion, std::span<const MigrationStep> steps);

// What PostgreSQL can check cheaply: the meta rows, the schema version, and that every key,
// reference and index of the schema exists (a table altered behind the ledger's back).
Status checkSchema(Connection& db);

}  // namespace epurse::issuer::ledger::postgres
