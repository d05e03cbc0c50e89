// One SQLite prepared statement in use, and the translation of SQLite's result codes into
// epurse's errors. Internal to the SQLite backend: nothing outside issuer/ledger/sqlite_*
// includes it (callers see only ledger.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/bytes.h"
#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace epurse::issuer::ledger::sqlite {

// kBusy for a lock held past the busy timeout, kCorrupt for a damaged or foreign file,
// kInvalidArgument for a constraint the caller broke, kIo for the file system; the message
// says what was being done and what SQLite said.
Error sqliteError(sqlite3* db, int rc, std::string_view what);
ErrorCode errorCodeForSqlite(int rc);

// A statement borrowed from the connection's cache for one use: bindings are cleared and the
// statement reset when it goes out of scope, so the next use starts clean even after an error.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Parameters are numbered from 1, as in the SQL (?1, ?2, ...). Text and blobs are copied
  // by SQLite unless bound with bindStaticBlob, whose bytes must outlive the step.
  Status bind(int index, std::int64_t value);
  Status bind(int index, ByteView value);
  Status bind(int index, std::string_view value);
  Status bindNull(int index);
  Status bindStaticBlob(int index, ByteView value);
  // Binds ?1, ?2, ... in order: integers and enums, byte strings, text, nullptr for NULL.
  template <typename... Values>
  Status bindAll(const Values&... values) {
    Status result;
    int index = 1;
    auto one = [&](const auto& value) {
      if (result) result = bindOne(index, value);
      ++index;
    };
    (one(values), ...);
    return result;
  }

  // true: a row is ready to be read; false: the statement is done.
  Result<bool> step();
  // Runs a statement that returns no row (INSERT, UPDATE).
  Status run();
  // Rewinds for the next row of a loop (bindings stay until rebound).
  void reset();

  std::int64_t columnInt(int column) const;
  ByteView columnBlob(int column) const;
  std::string columnText(int column) const;
  bool columnIsNull(int column) const;
  // The number of rows the last INSERT/UPDATE on this connection changed.
  int changes() const;

  std::string sql() const;
  // SQLite's extended code of the connection's last failure (e.g. which constraint failed).
  int extendedErrorCode() const;

 private:
  template <typename T>
  Status bindOne(int index, const T& value) {
    if constexpr (std::is_enum_v<T>) {
      return bind(index, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_integral_v<T>) {
      return bind(index, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_same_v<T, std::nullptr_t>) {
      return bindNull(index);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      return bind(index, std::string_view(value));
    } else {
      return bind(index, ByteView(value));
    }
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace epurse::issuer::ledger::sqlite
