// One libpq connection to the PostgreSQL server that holds a ledger, with the RAII every
// call needs: a PgResult frees its PGresult, Params owns the values it sends. Statements with
// parameters are prepared once per connection (keyed by their text) and run with binary
// results; byte strings go as binary BYTEA parameters, numbers and text in text form (the
// server infers each parameter's type from its column). Internal to the PostgreSQL backend.
//
// Every failure is an Error, never a crash: a serialisation failure or deadlock (SQLSTATE
// 40001, 40P01) or a lock timeout (55P03) is kBusy; a lost connection is kIo naming the server;
// anything else the server refuses is kIo with its message. lastSqlState() says which
// SQLSTATE the last failed call had, so callers can say a refused constraint in their terms.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace epurse::issuer::ledger::postgres {

inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kForeignKeyViolation = "23503";
inline constexpr std::string_view kDuplicateTable = "42P07";
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kLockNotAvailable = "55P03";

class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result) {}
  int rows() const { return PQntuples(result_.get()); }
  bool isNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) == 1; }
  // A binary integer column (int2, int4 or int8); 0 when NULL.
  std::int64_t integer(int row, int column) const;
  ByteView bytes(int row, int column) const;
  std::string text(int row, int column) const;
  // The row count of an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;
  // The command tag: "COMMIT", or "ROLLBACK" for a COMMIT of an aborted transaction.
  std::string command() const { return PQcmdStatus(result_.get()); }

 private:
  struct Free {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Free> result_;
};

// The parameters of one statement, $1, $2, ... in the order added.
class Params {
 public:
  Params& bytes(ByteView value);
  Params& integer(std::int64_t value);
  Params& text(std::string_view value);
  Params& null();
  int size() const { return static_cast<int>(formats_.size()); }
  void clear();

 private:
  friend class Connection;
  std::vector<std::string> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<bool> nulls_;
};

class Connection {
 public:
  // kIo with libpq's message if the server cannot be reached or refuses the connection.
  static Result<std::unique_ptr<Connection>> open(const std::string& conninfo, int lockTimeoutMs);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // SQL without parameters (may hold several statements), text results.
  Result<PgResult> exec(std::string_view sql, std::string_view what);
  // A prepared statement (prepared on first use on this connection), binary results.
  Result<PgResult> query(const std::string& sql, const Params& params, std::string_view what);
  // The same, not prepared: for statements run once (their text varies).
  Result<PgResult> queryOnce(const std::string& sql, const Params& params, std::string_view what);

  bool inTransaction() const;
  // The transaction is aborted (a statement failed) and only a ROLLBACK (TO SAVEPOINT) helps.
  bool inFailedTransaction() const;
  bool lost() const;
  // The last failure was the connection's (closed, reset, the server shutting down).
  bool connectionGone() const { return connectionGone_; }
  // A lost connection is made again (the server restarted): its prepared statements are gone.
  bool reconnect();
  const std::string& lastSqlState() const { return lastSqlState_; }
  // "database D on H port P": never the password.
  std::string where() const;
  std::string serverVersion() const;

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Result<PgResult> finish(PGresult* result, std::string_view what);
  PGconn* conn_;
  std::string lastSqlState_;
  bool connectionGone_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

}  // namespace epurse::issuer::ledger::postgres
