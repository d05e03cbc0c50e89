#include "issuer/ledger/sqlite_statement.h"

#include <sqlite3.h>

namespace epurse::issuer::ledger::sqlite {

ErrorCode errorCodeForSqlite(int rc) {
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kBusy;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return ErrorCode::kCorrupt;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return ErrorCode::kInvalidArgument;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
      return ErrorCode::kIo;
    default:
      return ErrorCode::kInternal;
  }
}

Error sqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  // The connection's message belongs to the last call; the code's text is the fallback.
  const char* detail = db != nullptr && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += detail;
  if ((rc & 0xFF) == SQLITE_BUSY) message += " (another program holds the ledger's lock; waited the busy timeout)";
  return makeError(errorCodeForSqlite(rc), std::move(message));
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::reset() { sqlite3_reset(stmt_); }

namespace {
Status bound(sqlite3* db, int rc, const char* what) {
  if (rc == SQLITE_OK) return Status::ok();
  return sqliteError(db, rc, what);
}
}  // namespace

Status Statement::bind(int index, std::int64_t value) {
  return bound(db_, sqlite3_bind_int64(stmt_, index, value), "binding an integer");
}

Status Statement::bind(int index, ByteView value) {
  // A zero-length blob is still a blob (never NULL): data() of an empty span may be null.
  static const std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  return bound(db_, sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT), "binding a blob");
}

Status Statement::bindStaticBlob(int index, ByteView value) {
  static const std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  return bound(db_, sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_STATIC), "binding a blob");
}

Status Statement::bind(int index, std::string_view value) {
  return bound(db_, sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
               "binding text");
}

Status Statement::bindNull(int index) { return bound(db_, sqlite3_bind_null(stmt_, index), "binding NULL"); }

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step's own code is generic for some errors; the extended code names the cause.
  const int extended = sqlite3_extended_errcode(db_);
  return sqliteError(db_, (extended & 0xFF) == (rc & 0xFF) ? extended : rc, sql());
}

Status Statement::run() {
  Result<bool> row = step();
  if (!row) return row.status();
  if (*row) return makeError(ErrorCode::kInternal, "statement returned a row where none was expected: " + sql());
  return Status::ok();
}

std::int64_t Statement::columnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

ByteView Statement::columnBlob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return ByteView(static_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size));
}

std::string Statement::columnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr || size <= 0) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

bool Statement::columnIsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

int Statement::extendedErrorCode() const { return sqlite3_extended_errcode(db_); }

int Statement::changes() const { return sqlite3_changes(db_); }

std::string Statement::sql() const {
  const char* text = sqlite3_sql(stmt_);
  return text != nullptr ? std::string(text) : std::string();
}

}  // namespace epurse::issuer::ledger::sqlite
