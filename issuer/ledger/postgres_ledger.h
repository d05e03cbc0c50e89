// The PostgreSQL backend of the ledger (ledger.h), through libpq: for an issuer whose
// exports arrive at several collection points at once, all writing to one database. The
// tables, columns, keys and meanings are those of the SQLite backend (sqlite_ledger.h), with
// BYTEA for byte strings and BIGINT for numbers; the schema is versioned and migrated forward
// the same way. A ledger is one database (its current schema); `conninfo` is anything libpq
// takes: "postgresql://user@host/db", "postgresql:///db?host=/socket/dir", "dbname=... host=...".
//
// beginWrite() is BEGIN ISOLATION LEVEL SERIALIZABLE: the server, not a lock of ours, makes
// concurrent writers' transactions come out as if one ran after the other. Where they could
// not, a statement or the COMMIT fails with a serialisation failure or deadlock (SQLSTATE
// 40001, 40P01), reported as kBusy saying the transaction was rolled back: CALLERS RETRY the
// whole transaction (read, decide, write again) on kBusy. beginRead() is REPEATABLE READ
// READ ONLY: one snapshot for a report, never blocked by writers.
//
// A refused row (a purse registered twice, a record stored already, a second settlement, a
// revocation version that is not the next) is kInvalidArgument exactly as on SQLite, and the
// transaction goes on (each change runs in a savepoint). A lost connection is kIo naming the
// server; the transaction it was in is gone, and the next beginWrite()/beginRead() reconnects.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "issuer/ledger/ledger.h"

namespace epurse::issuer::ledger {

struct PostgresLedgerOptions {
  int lockTimeoutMs = 10000;  // how long a statement waits for another writer's row lock before kBusy
};

// A new ledger in the database `conninfo` names, which must hold no tables (in its current
// schema): kInvalidArgument if it holds an epurse ledger already (never overwritten) or tables
// of something else; kIo if the server cannot be reached (libpq's message).
Result<std::unique_ptr<Ledger>> createPostgresLedger(const std::string& conninfo, const protocol::IssuerKeyId& issuer,
                                                     PostgresLedgerOptions options = {});

// An existing ledger. kIo if the server cannot be reached (libpq's message); kCorrupt if the
// database is not an epurse ledger (no meta table, no or a foreign marker); kUnsupported if
// its schema is newer than this program knows; an older schema is migrated forward in one
// transaction. Never writes to a database it refuses.
Result<std::unique_ptr<Ledger>> openPostgresLedger(const std::string& conninfo, PostgresLedgerOptions options = {});

// true for a libpq URI (postgresql://, postgres://): what ledger_locator.h sends here.
bool isPostgresLocator(const std::string& locator);

}  // namespace epurse::issuer::ledger
