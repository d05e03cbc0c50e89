#include "issuer/ledger/sqlite_connection.h"

#include <sqlite3.h>

namespace epurse::issuer::ledger::sqlite {

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, int busyTimeoutMs) {
  sqlite3* db = nullptr;
  // NOFOLLOW: the ledger is the file named, not whatever a symlink points to; FULLMUTEX is not
  // needed (a connection is used by one thread at a time).
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqliteError(db, rc, "opening " + path);
    sqlite3_close(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busyTimeoutMs);
  return std::unique_ptr<Connection>(new Connection(db, path, busyTimeoutMs));
}

Connection::~Connection() {
  for (auto& entry : statements_) sqlite3_finalize(entry.second);
  // The last connection to close checkpoints the WAL into the file and removes it.
  sqlite3_close(db_);
}

Status Connection::configure() {
  // journal_mode is stored in the file (set when it was created); asking again is a no-op
  // for a WAL file and makes sure of it. The others are per connection.
  if (Status s = exec("PRAGMA foreign_keys = ON", "enabling foreign keys"); !s) return s;
  if (Status s = exec("PRAGMA synchronous = FULL", "setting synchronous=FULL"); !s) return s;
  Result<Statement> mode = prepare("PRAGMA journal_mode = WAL");
  if (!mode) return mode.status();
  Result<bool> row = mode->step();
  if (!row) return row.status();
  if (!*row || mode->columnText(0) != "wal") {
    return makeError(ErrorCode::kIo, path_ + ": the ledger could not be put in WAL mode");
  }
  return Status::ok();
}

Status Connection::exec(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::ok();
  std::string full(what);
  full += ": ";
  full += message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  if ((rc & 0xFF) == SQLITE_BUSY) full += " (another program holds the ledger's lock; waited the busy timeout)";
  return makeError(errorCodeForSqlite(rc), std::move(full));
}

Result<Statement> Connection::prepare(std::string_view sql) {
  const std::string key(sql);
  auto found = statements_.find(key);
  if (found != statements_.end()) return Statement(db_, found->second);
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                    nullptr);
  if (rc != SQLITE_OK) return sqliteError(db_, rc, "preparing " + key);
  statements_.emplace(key, stmt);
  return Statement(db_, stmt);
}

bool Connection::inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace epurse::issuer::ledger::sqlite
