#include "tests/bench/ingest_floor.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"
#include "protocol/signed_payloads.h"

namespace epurse::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Offsets in the card's bytes the floor reads without decoding anything.
constexpr std::size_t kHeadHashOffset = 13;  // AuditHead: purse ID (8), log (1), appended (4)
constexpr std::size_t kRecordTypeOffset = 4;
constexpr std::size_t kRecordPdOffset = 5;
constexpr std::size_t kRecordBalanceOffset = 67;
constexpr std::size_t kExceptionStatusOffset = 4;
constexpr std::int64_t kCollectedAt = 1764590400;

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

ByteView slice(ByteView in, std::size_t offset, std::size_t size) { return in.subspan(offset, size); }

bool verifyAudit(const protocol::EcPublicKey& cardKey, ByteView challenge, ByteView answer) {
  if (answer.size() != protocol::AuditHead::kSize + protocol::kSignatureSize) return false;
  // The payload auditPayload() builds: "AUDT" || challenge length || challenge || head.
  Bytes payload;
  payload.reserve(protocol::kDomainAudit.size() + 1 + challenge.size() + protocol::AuditHead::kSize);
  payload.insert(payload.end(), protocol::kDomainAudit.begin(), protocol::kDomainAudit.end());
  payload.push_back(static_cast<std::uint8_t>(challenge.size()));
  payload.insert(payload.end(), challenge.begin(), challenge.end());
  const ByteView head = slice(answer, 0, protocol::AuditHead::kSize);
  payload.insert(payload.end(), head.begin(), head.end());
  return cardKey.verify(payload, slice(answer, protocol::AuditHead::kSize, protocol::kSignatureSize));
}

bool sameBytes(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

}  // namespace

Result<double> verificationFloor(const std::vector<host::CollectedEvidence>& batch,
                                 const protocol::EcPublicKey& issuerKey) {
  const auto t0 = Clock::now();
  std::size_t failures = 0;
  for (const host::CollectedEvidence& e : batch) {
    if (!e.certificate.verify(issuerKey)) ++failures;
    auto cardKey = protocol::EcPublicKey::fromUncompressed(e.certificate.publicKey);
    if (!cardKey) return cardKey.error();
    if (!verifyAudit(*cardKey, e.challenge, e.transactionAudit)) ++failures;
    if (!verifyAudit(*cardKey, e.challenge, e.exceptionAudit)) ++failures;

    protocol::Digest link{};  // record 1's predecessor: the zero hash
    for (const Bytes& record : e.transactionRecords) {
      if (record.size() != protocol::LogRecord::kSize) return makeError(ErrorCode::kCorrupt, "floor: record size");
      const ByteView r(record);
      link = protocol::sha256(link, slice(r, 0, protocol::LogRecord::kHashedSize));
      if (!sameBytes(link, slice(r, protocol::LogRecord::kHashedSize, protocol::kSha256Size))) ++failures;
    }
    if (!sameBytes(link, slice(e.transactionAudit, kHeadHashOffset, protocol::kSha256Size))) ++failures;
    const protocol::Digest digest = protocol::exceptionRecordsDigest(e.exceptionRecords);
    if (!sameBytes(digest, slice(e.exceptionAudit, kHeadHashOffset, protocol::kSha256Size))) ++failures;
  }
  const double s = seconds(t0);
  if (failures != 0) {
    return makeError(ErrorCode::kCorrupt, "verification floor: " + std::to_string(failures) + " checks failed");
  }
  return s;
}

}  // namespace epurse::bench

namespace epurse::bench {

namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinaliser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinaliser>;

Error sqliteError(sqlite3* db, const std::string& what) {
  return makeError(ErrorCode::kIo, "storage floor: " + what + ": " + sqlite3_errmsg(db));
}

Status exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sqliteError(db, sql);
  return Status::ok();
}

Result<Stmt> prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
    return sqliteError(db, "prepare " + sql);
  }
  return Stmt(raw);
}

// Binds ?1, ?2, ... in turn, the way the backend's statements number their parameters.
class Binder {
 public:
  explicit Binder(sqlite3_stmt* s) : s_(s) {}
  const Binder& blob(ByteView b) const {
    sqlite3_bind_blob(s_, ++i_, b.data(), static_cast<int>(b.size()), SQLITE_STATIC);
    return *this;
  }
  const Binder& integer(std::int64_t v) const {
    sqlite3_bind_int64(s_, ++i_, v);
    return *this;
  }
  const Binder& text(const std::string& t) const {
    sqlite3_bind_text(s_, ++i_, t.c_str(), static_cast<int>(t.size()), SQLITE_STATIC);
    return *this;
  }
  void restart() const { i_ = 0; }

 private:
  sqlite3_stmt* s_;
  mutable int i_ = 0;
};

Status stepOnce(sqlite3* db, sqlite3_stmt* s, const char* what) {
  const int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return sqliteError(db, what);
  return Status::ok();
}

std::int64_t be32(ByteView b, std::size_t at) {
  return (std::int64_t{b[at]} << 24) | (std::int64_t{b[at + 1]} << 16) | (std::int64_t{b[at + 2]} << 8) | b[at + 3];
}

}  // namespace

Result<StorageFloor> storageFloor(const std::string& ledgerPath, const std::vector<host::CollectedEvidence>& batch,
                                  const StorageSql& sql) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(ledgerPath.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    Db closer(raw);
    return sqliteError(raw, "open " + ledgerPath);
  }
  Db db(raw);
  for (const std::string& pragma : sql.connectionPragmas) {
    if (Status s = exec(db.get(), pragma.c_str()); !s) return s;
  }
  auto collection = prepare(db.get(), sql.insertCollection);
  if (!collection) return collection.error();
  auto log = prepare(db.get(), sql.insertLogRecord);
  if (!log) return log.error();
  auto exception = prepare(db.get(), sql.insertException);
  if (!exception) return exception.error();

  const Binder c(collection->get()), l(log->get()), x(exception->get());
  const std::string source = "import synthetic archive";

  StorageFloor out;
  const auto t0 = Clock::now();
  if (Status s = exec(db.get(), "BEGIN IMMEDIATE"); !s) return s;
  for (const host::CollectedEvidence& e : batch) {
    const ByteView purse(e.certificate.purseId);
    const ByteView tx(e.transactionAudit), ex(e.exceptionAudit);
    c.blob(purse).integer(kCollectedAt).text(source).blob(e.challenge).blob(tx).blob(ex);
    c.blob(tx.first(protocol::AuditHead::kSize)).blob(ex.first(protocol::AuditHead::kSize)).restart();
    if (Status s = stepOnce(db.get(), collection->get(), "insert collection"); !s) return s;
    const std::int64_t collectionId = sqlite3_last_insert_rowid(db.get());
    for (const Bytes& record : e.transactionRecords) {
      const ByteView r(record);
      l.blob(purse).integer(be32(r, 0)).integer(r[kRecordTypeOffset]);
      l.blob(slice(r, kRecordPdOffset, protocol::PaymentDetails::kSize)).integer(be32(r, kRecordBalanceOffset));
      l.blob(r).integer(collectionId).restart();
      if (Status s = stepOnce(db.get(), log->get(), "insert log record"); !s) return s;
    }
    for (const Bytes& record : e.exceptionRecords) {
      const ByteView r(record);
      x.blob(purse).integer(be32(r, 0)).integer(r[kExceptionStatusOffset]);
      x.blob(slice(r, kRecordPdOffset, protocol::PaymentDetails::kSize)).blob(r).integer(collectionId).restart();
      if (Status s = stepOnce(db.get(), exception->get(), "insert exception record"); !s) return s;
    }
    out.rows += 1 + e.transactionRecords.size() + e.exceptionRecords.size();
  }
  if (Status s = exec(db.get(), "COMMIT"); !s) return s;
  out.seconds = seconds(t0);
  return out;
}

}  // namespace epurse::bench
