#include "issuer/ledger/sqlite_ledger.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "issuer/ledger/sqlite_connection.h"
#include "issuer/ledger/sqlite_schema.h"
#include "issuer/ledger/sqlite_transaction.h"

namespace epurse::issuer::ledger {
namespace {

using sqlite::Connection;
using sqlite::SqliteTransaction;

constexpr std::size_t kHeaderSize = 100;
constexpr std::size_t kApplicationIdOffset = 68;
constexpr char kSqliteMagic[] = "SQLite format 3";  // and its NUL: the first 16 bytes

class SqliteLedger final : public Ledger {
 public:
  SqliteLedger(std::shared_ptr<Connection> db, const protocol::IssuerKeyId& issuer, int schemaVersion)
      : db_(std::move(db)), issuer_(issuer), schemaVersion_(schemaVersion) {}

  Result<std::unique_ptr<Transaction>> beginWrite() override {
    return SqliteTransaction::begin(db_, SqliteTransaction::Mode::kWrite);
  }
  Result<std::unique_ptr<Transaction>> beginRead() override {
    return SqliteTransaction::begin(db_, SqliteTransaction::Mode::kRead);
  }
  const protocol::IssuerKeyId& issuerKeyId() const override { return issuer_; }

  Status checkIntegrity() override {
    if (db_->inTransaction()) return makeError(ErrorCode::kBusy, db_->path() + ": a transaction is open on this ledger");
    std::string problems;
    int count = 0;
    {
      Result<sqlite::Statement> st = db_->prepare("PRAGMA integrity_check");
      if (!st) return st.status();
      for (;;) {
        Result<bool> row = st->step();
        if (!row) return row.status();
        if (!*row) break;
        const std::string line = st->columnText(0);
        if (line == "ok") continue;
        // The first few lines say enough; a damaged file can report thousands.
        if (++count <= 5) {
          problems += problems.empty() ? "" : "; ";
          problems += line;
        }
      }
    }
    {
      Result<sqlite::Statement> st = db_->prepare("PRAGMA foreign_key_check");
      if (!st) return st.status();
      Result<bool> row = st->step();
      if (!row) return row.status();
      if (*row) {
        ++count;
        problems += problems.empty() ? "" : "; ";
        problems += "a row of ";
        problems += st->columnText(0);
        problems += " names a ";
        problems += st->columnText(2);
        problems += " row that does not exist";
      }
    }
    if (count == 0) return Status::ok();
    return makeError(ErrorCode::kCorrupt, db_->path() + " fails its integrity check: " + problems);
  }

  std::string describe() const override {
    std::string text = "SQLite ";
    text += sqlite3_libversion();
    text += ", ";
    text += db_->path();
    text += ", schema ";
    text += std::to_string(schemaVersion_);
    return text;
  }

 private:
  std::shared_ptr<Connection> db_;
  protocol::IssuerKeyId issuer_;
  int schemaVersion_;
};

bool exists(const std::string& path) {
  struct stat info {};
  return lstat(path.c_str(), &info) == 0;
}

// The file's own header, read without SQLite, so a file that is not ours is refused before
// SQLite has opened (and could write) anything.
Status checkHeader(const std::string& path) {
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0) {
    return makeError(ErrorCode::kIo, "no ledger at " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) return makeError(ErrorCode::kIo, path + " is not a regular file");
  if (info.st_size == 0) return makeError(ErrorCode::kCorrupt, path + " is empty: not an epurse ledger");
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::kIo, "cannot read " + path);
  std::array<char, kHeaderSize> header{};
  in.read(header.data(), header.size());
  if (in.gcount() != static_cast<std::streamsize>(header.size()) ||
      std::memcmp(header.data(), kSqliteMagic, sizeof kSqliteMagic) != 0) {
    return makeError(ErrorCode::kCorrupt, path + " is not an SQLite database, so not an epurse ledger");
  }
  std::uint32_t applicationId = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    applicationId = (applicationId << 8) | static_cast<std::uint8_t>(header[kApplicationIdOffset + i]);
  }
  if (applicationId != static_cast<std::uint32_t>(sqlite::kApplicationId)) {
    return makeError(ErrorCode::kCorrupt,
                     path + " is an SQLite database of another application (application_id " +
                         std::to_string(applicationId) + "), not an epurse ledger");
  }
  return Status::ok();
}

Status quickCheck(Connection& db) {
  Result<sqlite::Statement> st = db.prepare("PRAGMA quick_check");
  if (!st) return st.status();
  Result<bool> row = st->step();
  if (!row) return row.status();
  if (!*row || st->columnText(0) != "ok") {
    std::string message = db.path() + " was not closed cleanly and fails its quick check: ";
    message += *row ? st->columnText(0) : "no answer";
    return makeError(ErrorCode::kCorrupt, std::move(message));
  }
  return Status::ok();
}

// SQLite reports a damaged file as kCorrupt already; a file it cannot read as a database at
// all is not a ledger either.
Error notALedger(Error error, const std::string& path) {
  if (error.code == ErrorCode::kCorrupt && error.message.find(path) == std::string::npos) {
    error.message = path + " is damaged or not an epurse ledger: " + error.message;
  }
  return error;
}

void removeCreated(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::string file = path;
    file += suffix;
    (void)::unlink(file.c_str());
  }
}

}  // namespace

Result<std::unique_ptr<Ledger>> createSqliteLedger(const std::string& path, const protocol::IssuerKeyId& issuer,
                                                   SqliteLedgerOptions options) {
  // A -wal or -journal file left beside the name belongs to some other database: SQLite
  // would replay it into the new file.
  for (const char* suffix : {"-wal", "-journal"}) {
    std::string side = path;
    side += suffix;
    if (exists(side)) {
      return makeError(ErrorCode::kInvalidArgument, side + " exists (left by another database): remove it first");
    }
  }
  // O_EXCL: an existing file, even one created a moment ago by another program, is never
  // taken over.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) {
      return makeError(ErrorCode::kInvalidArgument, path + " exists: a ledger is never created over an existing file");
    }
    return makeError(ErrorCode::kIo, "cannot create " + path + ": " + std::strerror(error));
  }
  ::close(fd);

  Result<std::unique_ptr<Ledger>> ledger = [&]() -> Result<std::unique_ptr<Ledger>> {
    Result<std::unique_ptr<Connection>> opened = Connection::open(path, options.busyTimeoutMs);
    if (!opened) return opened.error();
    std::shared_ptr<Connection> db = std::move(*opened);
    if (Status s = db->configure(); !s) return s.error();
    if (Status s = sqlite::createSchema(*db, issuer); !s) return s.error();
    // Into the main file now, so its header names the application even if this program
    // dies before its first clean close.
    if (Status s = db->exec("PRAGMA wal_checkpoint(TRUNCATE)", "writing the new ledger out"); !s) return s.error();
    return std::unique_ptr<Ledger>(std::make_unique<SqliteLedger>(std::move(db), issuer, sqlite::kSchemaVersion));
  }();
  if (!ledger) removeCreated(path);
  return ledger;
}

Result<std::unique_ptr<Ledger>> openSqliteLedger(const std::string& path, SqliteLedgerOptions options) {
  if (Status s = checkHeader(path); !s) return s.error();
  // The last connection to close a WAL file removes the -wal file: if it is still there (and
  // no other program has the ledger open), the previous run did not end cleanly.
  struct stat wal {};
  const bool uncleanClose = ::stat((path + "-wal").c_str(), &wal) == 0 && wal.st_size > 0;

  Result<std::unique_ptr<Connection>> opened = Connection::open(path, options.busyTimeoutMs);
  if (!opened) return notALedger(opened.error(), path);
  std::shared_ptr<Connection> db = std::move(*opened);
  Result<sqlite::LedgerMeta> meta = sqlite::readMeta(*db);
  if (!meta) return notALedger(meta.error(), path);
  if (meta->schemaVersion > sqlite::kSchemaVersion) {
    return makeError(ErrorCode::kUnsupported, path + " is a ledger of schema " + std::to_string(meta->schemaVersion) +
                                                  "; this program knows schemas up to " +
                                                  std::to_string(sqlite::kSchemaVersion) + ": use a newer epurse");
  }
  if (uncleanClose) {
    if (Status s = quickCheck(*db); !s) return notALedger(s.error(), path);
  }
  if (Status s = db->configure(); !s) return s.error();
  if (meta->schemaVersion < sqlite::kSchemaVersion) {
    if (Status s = sqlite::migrate(*db, meta->schemaVersion, sqlite::kSchemaVersion, sqlite::migrationSteps()); !s) {
      return s.error();
    }
  }
  return std::unique_ptr<Ledger>(std::make_unique<SqliteLedger>(std::move(db), meta->issuer, sqlite::kSchemaVersion));
}

}  // namespace epurse::issuer::ledger
