// One open SQLite database file: the handle, the pragmas every epurse connection runs with,
// and the cache of prepared statements (prepared once per connection, reset and rebound per
// use). Internal to the SQLite backend.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "issuer/ledger/sqlite_statement.h"

namespace epurse::issuer::ledger::sqlite {

class Connection {
 public:
  // Opens an existing file read-write; never creates one (the factory creates files itself,
  // exclusively). Sets the busy timeout, nothing else: no pragma that writes runs here.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, int busyTimeoutMs);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The settings of every working connection: foreign keys, synchronous=FULL (a committed
  // transaction survives power loss), WAL. Run once the file is known to be an epurse ledger.
  Status configure();

  // Runs SQL that returns no rows (may hold several statements).
  Status exec(std::string_view sql, std::string_view what);
  // `sql` is cached by its text: the first use prepares it (persistent), later uses reuse it.
  Result<Statement> prepare(std::string_view sql);

  // true while a BEGIN is open on this connection.
  bool inTransaction() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }
  int busyTimeoutMs() const { return busyTimeoutMs_; }

 private:
  Connection(sqlite3* db, std::string path, int busyTimeoutMs) : db_(db), path_(std::move(path)), busyTimeoutMs_(busyTimeoutMs) {}
  sqlite3* db_;
  std::string path_;
  int busyTimeoutMs_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace epurse::issuer::ledger::sqlite
