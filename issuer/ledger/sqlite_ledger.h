// The SQLite backend of the ledger (ledger.h): one file, in WAL mode with synchronous=FULL,
// foreign keys on, a busy timeout, a versioned schema migrated forward on open.
//
// A file is checked before anything is written to it: it must be an SQLite database whose
// header carries epurse's application_id and whose meta table carries the epurse marker. A
// file that was not closed cleanly (its -wal file is still there) gets PRAGMA quick_check on
// open; checkIntegrity() runs the full PRAGMA integrity_check and foreign_key_check.
//
// The table the benchmark's floor loop inserts into, exactly as addLogRecords does:
//   log_records (
//     purse_id      BLOB    8 bytes          } PRIMARY KEY (purse_id, number)
//     number        INTEGER the record's number
//     type          INTEGER protocol::LogType
//     pd            BLOB    62 bytes, bytes 5..66 of the record; indexed for types 3, 4, 5
//     balance_after INTEGER
//     record        BLOB    the card's 103 bytes (LogRecord::encode())
//     collection_id INTEGER REFERENCES collections (id)
//   )
// with the statement sqliteLogRecordInsertSql() (parameters ?1..?7 in that column order).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "issuer/ledger/ledger.h"

namespace epurse::issuer::ledger {

struct SqliteLedgerOptions {
  int busyTimeoutMs = 10000;  // how long beginWrite() waits for another writer before kBusy
};

// A new ledger file; kInvalidArgument if `path` exists (never overwritten), kIo if it cannot
// be created.
Result<std::unique_ptr<Ledger>> createSqliteLedger(const std::string& path, const protocol::IssuerKeyId& issuer,
                                                   SqliteLedgerOptions options = {});

// An existing ledger. kIo if missing; kCorrupt (saying which) if not an SQLite file, not an
// epurse ledger (no or a foreign application marker), or failing its integrity check;
// kUnsupported if its schema is newer than this program knows; an older schema is migrated
// forward in one transaction. Never writes to a file it refuses.
Result<std::unique_ptr<Ledger>> openSqliteLedger(const std::string& path, SqliteLedgerOptions options = {});

// The exact INSERT addLogRecords runs for each record, for the benchmark's floor loop.
const char* sqliteLogRecordInsertSql();

}  // namespace epurse::issuer::ledger
