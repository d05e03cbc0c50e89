// The SQLite ledger's file format: the application marker, the versioned schema and the
// migrations that step an older file forward. Internal to the SQLite backend.
//
// A file is an epurse ledger when its header's application_id is kApplicationId and its meta
// table holds the marker row ('application', kApplicationMarker). The meta table also holds
// 'schema_version', 'issuer_key_id' and 'next_purse_serial'; it is the only table whose rows
// are ever updated (its bookkeeping), every other table is append-only.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"
#include "issuer/ledger/sqlite_connection.h"
#include "protocol/purse_types.h"

namespace epurse::issuer::ledger::sqlite {

inline constexpr std::int32_t kApplicationId = 0x45505552;  // "EPUR", at offset 68 of the file header
inline constexpr const char* kApplicationMarker = "epurse ledger";
inline constexpr int kSchemaVersion = 2;

// One step forward: SQL that turns a file of `fromVersion` into one of fromVersion + 1.
struct MigrationStep {
  int fromVersion;
  const char* description;
  const char* sql;
};
// The steps from version 1 to kSchemaVersion, in order.
std::span<const MigrationStep> migrationSteps();

// Version 1's tables, exactly as the first release created them (a new file starts here and
// is migrated like any old one, so every step runs on every new ledger too).
const char* schemaVersion1Sql();

// A new, empty file becomes a ledger of kSchemaVersion for `issuer`, in one transaction.
Status createSchema(Connection& db, const protocol::IssuerKeyId& issuer);

struct LedgerMeta {
  int schemaVersion = 0;
  protocol::IssuerKeyId issuer{};
};
// kCorrupt unless the file carries the application id and the marker row.
Result<LedgerMeta> readMeta(Connection& db);

// Applies `steps` from `fromVersion` up to `toVersion` in one write transaction: the file is
// at `toVersion` afterwards, or (on any failure) still at `fromVersion`, unchanged.
Status migrate(Connection& db, int fromVersion, int toVersion, std::span<const MigrationStep> steps);

}  // namespace epurse::issuer::ledger::sqlite
