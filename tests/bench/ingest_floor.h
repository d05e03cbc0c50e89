// The floor under the issuer's batch ingest, in two parts measured separately:
//   verification  exactly the cryptography the books cannot skip: per purse one certificate
//                 verify, the card key parsed once, two audit-signature verifies, one SHA-256
//                 per log record (the chain) and one over the held exception records
//   storage       the same rows the books store (one collection per purse, its log records,
//                 its exception records) inserted by a bare prepared-statement loop in one
//                 SQLite transaction into the ledger's own tables of a fresh ledger file
// Nothing else: no decoding into structs, no lookups, no findings. Floor = the sum.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "host/collected_evidence.h"
#include "protocol/ec_key.h"

namespace epurse::bench {

// Seconds for the verification floor over the whole batch. kCorrupt if anything fails to
// verify (the floor must do the real work, so it also checks that it did).
Result<double> verificationFloor(const std::vector<host::CollectedEvidence>& batch,
                                 const protocol::EcPublicKey& issuerKey);

// How the floor reaches the ledger's tables: the backend's INSERTs, parameters numbered
//   collection     ?1 purse ID, ?2 collected at, ?3 source, ?4 challenge, ?5 transaction audit,
//                  ?6 exception audit, ?7 transaction head, ?8 exception head (the heads: the
//                  audits' first 54 bytes); its row ID is the records' collection ID
//   log record     ?1 purse ID, ?2 number, ?3 type, ?4 pd, ?5 balance after, ?6 the record's
//                  103 bytes, ?7 collection ID
//   exception      ?1 purse ID, ?2 number, ?3 status aborted in, ?4 pd, ?5 the record's 67
//                  bytes, ?6 collection ID
struct StorageSql {
  std::string insertCollection;
  std::string insertLogRecord;
  std::string insertException;
  // The backend's per-connection settings (journal mode, synchronous, foreign keys, cache
  // size, ...), run in order after opening: the floor must write the way the backend writes.
  std::vector<std::string> connectionPragmas;
};

struct StorageFloor {
  double seconds = 0;        // BEGIN .. COMMIT, every row bound and stepped
  std::size_t rows = 0;      // log + exception + collection rows
};

// Opens `ledgerPath` (a ledger file fresh from its backend, or a scratch file holding only its
// tables) with the raw SQLite C API and the backend's connection settings, and inserts the
// batch's rows in one transaction.
Result<StorageFloor> storageFloor(const std::string& ledgerPath, const std::vector<host::CollectedEvidence>& batch,
                                  const StorageSql& sql);

}  // namespace epurse::bench
