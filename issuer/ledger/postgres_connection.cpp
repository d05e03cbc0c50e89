#include "issuer/ledger/postgres_connection.h"

#include <cstdlib>
#include <cstring>

namespace epurse::issuer::ledger::postgres {
namespace {

constexpr int kBinary = 1;
constexpr int kText = 0;

std::string trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The server's NOTICEs (an implicit index, a savepoint outside a transaction) are not the
// program's output.
void ignoreNotice(void*, const char*) {}

}  // namespace

std::int64_t PgResult::integer(int row, int column) const {
  if (isNull(row, column)) return 0;
  const auto* p = reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_.get(), row, column));
  const int length = PQgetlength(result_.get(), row, column);
  if (PQfformat(result_.get(), column) == kText) return std::strtoll(reinterpret_cast<const char*>(p), nullptr, 10);
  std::uint64_t value = (length > 0 && (p[0] & 0x80) != 0) ? ~std::uint64_t{0} : 0;  // sign-extended
  for (int i = 0; i < length; ++i) value = (value << 8) | p[i];
  return static_cast<std::int64_t>(value);
}

ByteView PgResult::bytes(int row, int column) const {
  const auto* p = reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_.get(), row, column));
  return ByteView(p, static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::string PgResult::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column), static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t PgResult::affected() const { return std::strtoll(PQcmdTuples(result_.get()), nullptr, 10); }

Params& Params::bytes(ByteView value) {
  values_.emplace_back(reinterpret_cast<const char*>(value.data()), value.size());
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(kBinary);
  nulls_.push_back(false);
  return *this;
}

Params& Params::integer(std::int64_t value) { return text(std::to_string(value)); }

Params& Params::text(std::string_view value) {
  values_.emplace_back(value);
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(kText);
  nulls_.push_back(false);
  return *this;
}

Params& Params::null() {
  values_.emplace_back();
  lengths_.push_back(0);
  formats_.push_back(kText);
  nulls_.push_back(true);
  return *this;
}

void Params::clear() {
  values_.clear();
  lengths_.clear();
  formats_.clear();
  nulls_.clear();
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& conninfo, int lockTimeoutMs) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return makeError(ErrorCode::kIo, "cannot connect to PostgreSQL: out of memory");
  std::unique_ptr<Connection> connection(new Connection(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    return makeError(ErrorCode::kIo, "cannot connect to the PostgreSQL server: " + trimmed(PQerrorMessage(conn)));
  }
  PQsetNoticeProcessor(conn, &ignoreNotice, nullptr);
  // A writer waiting for another's row lock waits this long, then kBusy (55P03).
  const std::string settings = "SET lock_timeout = " + std::to_string(lockTimeoutMs) + "; SET client_encoding = 'UTF8'";
  if (Result<PgResult> r = connection->exec(settings, "setting up the ledger connection"); !r) return r.error();
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

Result<PgResult> Connection::finish(PGresult* result, std::string_view what) {
  lastSqlState_.clear();
  connectionGone_ = false;
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PgResult(result);
  PgResult owned(result);  // freed on every path below
  std::string message(what);
  message += ": ";
  if (result != nullptr) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    lastSqlState_ = state == nullptr ? "" : state;
    message += trimmed(PQresultErrorMessage(result));
  } else {
    message += trimmed(PQerrorMessage(conn_));
  }
  // libpq's own failures carry no SQLSTATE (the socket closed under it); class 08 is the
  // connection's, 57P01..03 the server shutting down.
  connectionGone_ = lost() || lastSqlState_.empty() || lastSqlState_.rfind("08", 0) == 0 ||
                    lastSqlState_.rfind("57P", 0) == 0;
  if (connectionGone_) {
    return makeError(ErrorCode::kIo, message + " (lost the connection to the PostgreSQL server, " + where() + ")");
  }
  if (lastSqlState_ == kSerializationFailure || lastSqlState_ == kDeadlockDetected || lastSqlState_ == kLockNotAvailable) {
    return makeError(ErrorCode::kBusy,
                     message + " (another transaction got there first: this one was rolled back and can be retried)");
  }
  // Connection-class states (08...) and an administrator's shutdown (57P...) are the server's.
  return makeError(ErrorCode::kIo, message + " (" + where() + ")");
}

Result<PgResult> Connection::exec(std::string_view sql, std::string_view what) {
  return finish(PQexec(conn_, std::string(sql).c_str()), what);
}

namespace {
std::vector<const char*> pointers(const std::vector<std::string>& values, const std::vector<bool>& nulls) {
  std::vector<const char*> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = nulls[i] ? nullptr : values[i].data();
  return out;
}
}  // namespace

Result<PgResult> Connection::query(const std::string& sql, const Params& params, std::string_view what) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "epurse_" + std::to_string(prepared_.size() + 1);
    Result<PgResult> made = finish(PQprepare(conn_, name.c_str(), sql.c_str(), params.size(), nullptr), what);
    if (!made) return made.error();
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::vector<const char*> values = pointers(params.values_, params.nulls_);
  return finish(PQexecPrepared(conn_, found->second.c_str(), params.size(), values.data(), params.lengths_.data(),
                               params.formats_.data(), kBinary),
                what);
}

Result<PgResult> Connection::queryOnce(const std::string& sql, const Params& params, std::string_view what) {
  const std::vector<const char*> values = pointers(params.values_, params.nulls_);
  return finish(PQexecParams(conn_, sql.c_str(), params.size(), nullptr, values.data(), params.lengths_.data(),
                             params.formats_.data(), kBinary),
                what);
}

bool Connection::inTransaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

bool Connection::inFailedTransaction() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

bool Connection::lost() const { return PQstatus(conn_) == CONNECTION_BAD; }

bool Connection::reconnect() {
  PQreset(conn_);
  prepared_.clear();
  connectionGone_ = false;
  return PQstatus(conn_) == CONNECTION_OK;
}

std::string Connection::where() const {
  std::string text = "database ";
  text += PQdb(conn_) == nullptr ? "?" : PQdb(conn_);
  const char* host = PQhost(conn_);
  text += " on ";
  text += host == nullptr || *host == '\0' ? "the default socket" : host;
  const char* port = PQport(conn_);
  if (port != nullptr && *port != '\0') {
    text += " port ";
    text += port;
  }
  return text;
}

std::string Connection::serverVersion() const {
  const char* version = PQparameterStatus(conn_, "server_version");
  std::string text = version == nullptr ? "?" : version;
  // "15.18 (Debian 15.18-0+deb12u1)": the number says enough.
  if (const auto space = text.find(' '); space != std::string::npos) text.resize(space);
  return text;
}

}  // namespace epurse::issuer::ledger::postgres
