// A file that is not a healthy epurse ledger is refused with a clear error and left exactly
// as it was (compared byte for byte): a missing, empty, text or random file, another
// application's SQLite database, a ledger of a newer schema, a ledger with damaged pages;
// and a ledger is never created over an existing file. A damaged file never crashes the
// program: opening or checking it gives kCorrupt.
#define BOOST_TEST_MODULE ledger_corruption_test
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "base/hex.h"
#include "issuer/ledger/sqlite_ledger.h"
#include "tests/support/ledger_samples.h"
#include "tests/support/raw_sqlite.h"
#include "tests/support/test_bytes.h"

using namespace epurse;
using namespace epurse::testing::ledger;

namespace {

void writeFile(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Opening `path` fails with `code` and a message containing `says`; the file is unchanged
// and no ledger was made of it.
void refusedUnchanged(const std::string& path, ErrorCode code, const std::string& says) {
  const Bytes before = fileBytes(path);
  const auto opened = il::openSqliteLedger(path);
  BOOST_TEST_REQUIRE(!opened.isOk());
  BOOST_TEST(opened.error().code == code);
  BOOST_TEST(opened.error().message.find(says) != std::string::npos, opened.error().message);
  BOOST_TEST(opened.error().message.find(path) != std::string::npos, opened.error().message);
  BOOST_TEST((fileBytes(path) == before));
  BOOST_TEST(!std::filesystem::exists(path + "-wal"));
}

constexpr std::size_t kPageSize = 4096;  // SQLite's default, which the ledger keeps

}  // namespace

BOOST_AUTO_TEST_CASE(a_missing_file_is_kio_and_stays_missing) {
  ScratchDir dir;
  const std::string path = dir.file("nothing.db");
  const auto opened = il::openSqliteLedger(path);
  BOOST_TEST_REQUIRE(!opened.isOk());
  BOOST_TEST(opened.error().code == ErrorCode::kIo);
  BOOST_TEST(opened.error().message.find("no ledger at " + path) != std::string::npos);
  BOOST_TEST(!std::filesystem::exists(path));
}

BOOST_AUTO_TEST_CASE(an_empty_file_is_not_a_ledger) {
  ScratchDir dir;
  const std::string path = dir.file("empty.db");
  writeFile(path, {});
  refusedUnchanged(path, ErrorCode::kCorrupt, "is empty");
}

BOOST_AUTO_TEST_CASE(a_text_file_is_not_a_ledger) {
  ScratchDir dir;
  const std::string path = dir.file("notes.db");
  writeFile(path, toBytes("issuer: ACME\nfloat: 12.50 EUR\n"));
  refusedUnchanged(path, ErrorCode::kCorrupt, "is not an SQLite database");
}

BOOST_AUTO_TEST_CASE(random_bytes_are_not_a_ledger) {
  ScratchDir dir;
  const std::string path = dir.file("noise.db");
  std::mt19937 random(20261201);
  Bytes noise(3 * kPageSize);
  for (auto& b : noise) b = static_cast<std::uint8_t>(random());
  writeFile(path, noise);
  refusedUnchanged(path, ErrorCode::kCorrupt, "is not an SQLite database");
}

BOOST_AUTO_TEST_CASE(another_applications_database_is_not_a_ledger) {
  ScratchDir dir;
  const std::string plain = dir.file("plain.db");
  rawSql(plain, "CREATE TABLE meta (key TEXT, number INTEGER, bytes BLOB); INSERT INTO meta VALUES ('x', 1, NULL);");
  refusedUnchanged(plain, ErrorCode::kCorrupt, "another application");

  // Our application id, but not our tables: someone else's file, or a forgery.
  const std::string noMeta = dir.file("no-meta.db");
  rawSql(noMeta, "PRAGMA application_id = 1162892626; CREATE TABLE t (x);");
  refusedUnchanged(noMeta, ErrorCode::kCorrupt, "no meta table");

  const std::string noMarker = dir.file("no-marker.db");
  rawSql(noMarker,
         "PRAGMA application_id = 1162892626; CREATE TABLE meta (key TEXT PRIMARY KEY, number INTEGER, bytes BLOB);"
         "INSERT INTO meta VALUES ('schema_version', 2, NULL), ('issuer_key_id', 0, x'0102030405060708');");
  refusedUnchanged(noMarker, ErrorCode::kCorrupt, "no application marker");
}

BOOST_AUTO_TEST_CASE(a_ledger_of_a_newer_schema_is_unsupported) {
  ScratchDir dir;
  const std::string path = dir.file("future.db");
  required(il::createSqliteLedger(path, issuerId()));
  rawSql(path, "UPDATE meta SET number = 99 WHERE key = 'schema_version'");
  refusedUnchanged(path, ErrorCode::kUnsupported, "schema 99");
}

// Each of several pages in the middle of a closed ledger, its B-tree header overwritten:
// open or checkIntegrity says kCorrupt; reading it never crashes; the file is unchanged.
BOOST_AUTO_TEST_CASE(damaged_pages_are_found_and_never_crash) {
  ScratchDir dir;
  const std::string healthy = dir.file("healthy.db");
  {
    auto ledger = required(il::createSqliteLedger(healthy, issuerId()));
    fillLedger(*ledger, 400);
  }
  const Bytes original = fileBytes(healthy);
  const std::size_t pages = original.size() / kPageSize;
  BOOST_TEST_REQUIRE(pages >= 10u);
  for (const std::size_t page : {pages / 3, pages / 2, pages / 2 + 1, pages - 2}) {
    BOOST_TEST_CONTEXT("page " << page << " of " << pages) {
      const std::string path = dir.file("damaged-" + std::to_string(page) + ".db");
      Bytes damaged = original;
      for (std::size_t i = 0; i < 24; ++i) damaged[page * kPageSize + i] ^= 0xA5;
      writeFile(path, damaged);
      auto opened = il::openSqliteLedger(path);
      if (opened) {
        const Status check = (*opened)->checkIntegrity();
        BOOST_TEST_REQUIRE(!check.isOk());
        BOOST_TEST(check.error().code == ErrorCode::kCorrupt);
        BOOST_TEST(check.error().message.find("fails its integrity check") != std::string::npos, check.error().message);
        // Reads of the damaged table fail cleanly (or, on pages they do not touch, succeed).
        auto tx = required((*opened)->beginRead());
        const auto rows = tx->logRecordsOf(purseId(1));
        if (!rows) BOOST_TEST(rows.error().code == ErrorCode::kCorrupt);
        (void)tx->transferRecordsFromSeq(purseId(1), 200);
      } else {
        BOOST_TEST(opened.error().code == ErrorCode::kCorrupt);
      }
      opened = Result<std::unique_ptr<il::Ledger>>(makeError(ErrorCode::kInternal, "closed"));
      BOOST_TEST((fileBytes(path) == damaged));
    }
  }
}

// The previous program died with the ledger open (its -wal file is still there): the next
// open quick-checks the file, where a clean close lets it open at once and leaves the full
// check to checkIntegrity(). What the dead program committed is there.
BOOST_AUTO_TEST_CASE(a_ledger_not_closed_cleanly_is_checked_on_open) {
  ScratchDir dir;
  const std::string path = dir.file("books.db");
  {
    auto ledger = required(il::createSqliteLedger(path, issuerId()));
    fillLedger(*ledger, 400);
  }
  const pid_t child = ::fork();
  BOOST_TEST_REQUIRE(child >= 0);
  if (child == 0) {
    // Commit a finding, then die without closing anything.
    auto ledger = il::openSqliteLedger(path);
    if (!ledger) ::_exit(2);
    auto tx = (*ledger)->beginWrite();
    if (!tx) ::_exit(3);
    if (!(*tx)->addFinding({0, purseId(1), il::FindingKind::kGap, 0, 5, "gap", 1})) ::_exit(4);
    if (!(*tx)->commit()) ::_exit(5);
    ::_exit(0);
  }
  int status = 0;
  BOOST_TEST_REQUIRE(::waitpid(child, &status, 0) == child);
  BOOST_TEST_REQUIRE(WIFEXITED(status));
  BOOST_TEST_REQUIRE(WEXITSTATUS(status) == 0);
  BOOST_TEST_REQUIRE(std::filesystem::file_size(path + "-wal") > 0u);

  // Damage a page in the middle, which the dead program's WAL does not cover.
  const std::string wal = path + "-wal";
  const Bytes walBytes = fileBytes(wal);
  Bytes main = fileBytes(path);
  const std::size_t page = main.size() / kPageSize / 2;
  for (std::size_t i = 0; i < 24; ++i) main[page * kPageSize + i] ^= 0xA5;
  const std::string damaged = dir.file("damaged.db");
  writeFile(damaged, main);
  writeFile(damaged + "-wal", walBytes);
  const auto opened = il::openSqliteLedger(damaged);
  BOOST_TEST_REQUIRE(!opened.isOk());
  BOOST_TEST(opened.error().code == ErrorCode::kCorrupt);
  BOOST_TEST(opened.error().message.find("not closed cleanly") != std::string::npos, opened.error().message);
  BOOST_TEST((fileBytes(damaged) == main));
  BOOST_TEST((fileBytes(damaged + "-wal") == walBytes));

  // The same damage in a cleanly closed copy: open does not read every page, the check does.
  const std::string closed = dir.file("closed.db");
  writeFile(closed, main);
  auto quick = required(il::openSqliteLedger(closed));
  BOOST_TEST(quick->checkIntegrity().error().code == ErrorCode::kCorrupt);

  // The undamaged original opens, and holds what the dead program committed.
  auto ledger = required(il::openSqliteLedger(path));
  required(ledger->checkIntegrity());
  auto tx = required(ledger->beginRead());
  BOOST_TEST(required(tx->findings()).size() == 1u);
  BOOST_TEST(required(tx->logRecordsOf(purseId(1))).size() == 400u);
}

// A row changed behind the ledger's back so that it no longer decodes: kCorrupt naming the
// table, the row and the column, and the other rows still read.
BOOST_AUTO_TEST_CASE(a_stored_row_that_does_not_decode_is_named) {
  ScratchDir dir;
  const std::string path = dir.file("books.db");
  {
    auto ledger = required(il::createSqliteLedger(path, issuerId()));
    fillLedger(*ledger, 5);
  }
  rawSql(path, "UPDATE log_records SET record = x'0102' WHERE number = 3;"
               "UPDATE purses SET certificate = x'7F21' WHERE 1;"
               "UPDATE log_records SET record = (SELECT record FROM log_records WHERE number = 5) WHERE number = 4;");
  auto ledger = required(il::openSqliteLedger(path));
  auto tx = required(ledger->beginRead());
  const auto records = tx->logRecordsOf(purseId(1));
  BOOST_TEST_REQUIRE(!records.isOk());
  BOOST_TEST(records.error().code == ErrorCode::kCorrupt);
  BOOST_TEST(records.error().message.find("ledger table log_records, row purse " + toHex(purseId(1)) +
                                          " number 3: record does not decode") == 0u,
             records.error().message);
  const auto copied = tx->findLogRecord(purseId(1), 4);
  BOOST_TEST_REQUIRE(!copied.isOk());
  BOOST_TEST(copied.error().message.find("number 4: record carries another number") != std::string::npos,
             copied.error().message);
  const auto purse = tx->findPurse(purseId(1));
  BOOST_TEST_REQUIRE(!purse.isOk());
  BOOST_TEST(purse.error().message.find("ledger table purses, row purse " + toHex(purseId(1)) +
                                        ": certificate does not decode") == 0u,
             purse.error().message);
  BOOST_TEST(required(tx->findLogRecord(purseId(1), 2)).has_value());
}

BOOST_AUTO_TEST_CASE(a_ledger_is_never_created_over_an_existing_file) {
  ScratchDir dir;
  const std::string ledgerPath = dir.file("books.db");
  {
    auto ledger = required(il::createSqliteLedger(ledgerPath, issuerId(1)));
    fillLedger(*ledger, 20);
  }
  const std::string textPath = dir.file("notes.txt");
  writeFile(textPath, toBytes("keep me"));
  const std::string emptyPath = dir.file("empty");
  writeFile(emptyPath, {});
  for (const std::string& path : {ledgerPath, textPath, emptyPath}) {
    BOOST_TEST_CONTEXT(path) {
      const Bytes before = fileBytes(path);
      const auto created = il::createSqliteLedger(path, issuerId(2));
      BOOST_TEST_REQUIRE(!created.isOk());
      BOOST_TEST(created.error().code == ErrorCode::kInvalidArgument);
      BOOST_TEST(created.error().message.find("exists") != std::string::npos);
      BOOST_TEST((fileBytes(path) == before));
    }
  }
  auto ledger = required(il::openSqliteLedger(ledgerPath));
  BOOST_TEST(ledger->issuerKeyId() == issuerId(1));

  // A -wal file left by another database would be replayed into a new one: refused too.
  const std::string fresh = dir.file("fresh.db");
  writeFile(fresh + "-wal", toBytes("stale"));
  const auto created = il::createSqliteLedger(fresh, issuerId(2));
  BOOST_TEST_REQUIRE(!created.isOk());
  BOOST_TEST(created.error().code == ErrorCode::kInvalidArgument);
  BOOST_TEST(!std::filesystem::exists(fresh));

  // A directory that does not exist: kIo, and nothing left behind.
  const auto nowhere = il::createSqliteLedger(dir.file("no/such/dir/books.db"), issuerId(2));
  BOOST_TEST_REQUIRE(!nowhere.isOk());
  BOOST_TEST(nowhere.error().code == ErrorCode::kIo);
}
