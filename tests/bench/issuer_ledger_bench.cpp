// The issuer's batch import and reconciliation over a synthetic archive (tests/bench/
// synthetic_archive.h: by default 10,000 purses x 100 log records = 1,000,000 records and
// 10,000 exception records, every chain and signature valid), against the floor measured in
// the same run (tests/bench/ingest_floor.h):
//
//   ingest     Books::ingestBatch of the whole archive (one transaction, everything verified)
//   floor      (a) the same rows by a bare prepared-statement loop in one SQLite transaction
//                  into the same tables of a fresh ledger
//            + (b) the hashing and signature checks alone
//   reconcile  Books::reconcile over the ingested archive
//
// Generating the archive, registering its purses and authorising its loads are set-up and
// timed apart. Prints figures, the ratio ingest/floor (target <= 1.5), reconcile against its
// 2 s target and the ledger's size on disk per record; exits non-zero only on errors or wrong
// answers (records not stored, transfers misclassified), never on time. Times are wall clock;
// the CPU time of the process is shown beside them, as the machine may be shared.
//
//   issuer_ledger_bench [--quick] [--purses N] [--records N] [--seed S]
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "issuer/books/books.h"
#include "issuer/ledger/sqlite_ledger.h"
#include "issuer/signing/issuer_orders.h"
#include "tests/bench/bench_support.h"
#include "tests/bench/ingest_floor.h"
#include "tests/bench/synthetic_archive.h"

using namespace epurse;
using bench::die;
namespace fs = std::filesystem;

namespace {

using issuer::ledger::UnixTime;
using Clock = std::chrono::steady_clock;

constexpr double kIngestTargetRatio = 1.5;
constexpr double kReconcileTargetSeconds = 2.0;
constexpr UnixTime kNow = 1764590400;  // 2025-12-01 12:00 UTC: every row's timestamp

fs::path scratchDir;  // removed at exit, whatever the exit
void removeScratch() {
  std::error_code ignored;
  if (!scratchDir.empty()) fs::remove_all(scratchDir, ignored);
}

// Wall and CPU seconds of one measured step.
struct Timed {
  double wall = 0, cpu = 0;
};
double cpuNow() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
template <typename F>
Timed timed(F&& f) {
  const auto w0 = Clock::now();
  const double c0 = cpuNow();
  f();
  return Timed{std::chrono::duration<double>(Clock::now() - w0).count(), cpuNow() - c0};
}

const char* verdict(bool met) { return met ? "met" : "NOT met"; }

void line(const char* label, const Timed& t, const char* extra = "") {
  std::printf("  %-52s %9.3f s   (CPU %8.3f s)%s\n", label, t.wall, t.cpu, extra);
}

std::unique_ptr<issuer::ledger::Ledger> createLedger(const fs::path& path, const protocol::IssuerKeyId& id) {
  auto l = issuer::ledger::createSqliteLedger(path.string(), id);
  if (!l) die("create ledger " + path.string() + ": " + l.error().toString());
  return std::move(*l);
}

// The file's size with its WAL after a full checkpoint (the ledger closed first).
std::uintmax_t sizeOnDisk(const fs::path& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK ||
      sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) != SQLITE_OK) {
    const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    die("checkpoint " + path.string() + ": " + why);
  }
  sqlite3_close_v2(db);
  std::uintmax_t size = fs::file_size(path);
  std::error_code noWal;
  const auto wal = fs::file_size(path.string() + "-wal", noWal);
  return noWal ? size : size + wal;
}

issuer::ledger::PurseRow purseRow(const bench::SyntheticArchive& a, std::size_t i) {
  issuer::ledger::PurseRow row;
  row.purseId = a.purseIds[i];
  row.certificate = a.certificates[i];
  row.maxBalance = a.maxBalance;
  row.perTransferMax = a.maxBalance;
  row.noPinLimit = a.maxBalance;
  row.registeredAt = kNow;
  return row;
}

// Every load and unload of the archive as the issuer authorised it: pending, to be settled
// from the purses' logs at ingest. One transaction (set-up, not what is measured).
void authoriseOrders(issuer::ledger::Ledger& ledger, const bench::SyntheticArchive& a) {
  auto tx = ledger.beginWrite();
  if (!tx) die("begin: " + tx.error().toString());
  for (const bench::AuthorisedOrder& o : a.orders) {
    issuer::ledger::OrderRow row;
    row.purseId = a.purseIds[o.purse];
    row.kind = o.isLoad ? issuer::ledger::OrderKind::kLoad : issuer::ledger::OrderKind::kUnload;
    row.order.counter = o.counter;
    row.order.amount = o.amount;
    row.order.currency = a.currency;
    row.order.date = a.date;
    row.authorisedAt = kNow;
    if (auto id = (*tx)->addOrder(row); !id) die("add order: " + id.error().toString());
  }
  if (Status s = (*tx)->commit(); !s) die("commit orders: " + s.toString());
}

// The ledger's own tables and connection settings (issuer/ledger/sqlite_ledger.h): its log
// record INSERT as the backend exports it; the collection and exception INSERTs, which it does
// not export, as issuer/ledger/sqlite_evidence.cpp writes them.
bench::StorageSql ledgerStorageSql() {
  bench::StorageSql sql;
  sql.insertCollection =
      "INSERT INTO collections (purse_id, collected_at, source, challenge, transaction_audit, exception_audit, "
      "transaction_head, exception_head) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  sql.insertLogRecord = issuer::ledger::sqliteLogRecordInsertSql();
  sql.insertException =
      "INSERT INTO exception_records (purse_id, number, aborted_in, pd, record, collection_id) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  // The ledger connection's own settings (issuer/ledger/sqlite_connection.cpp), page cache included.
  sql.connectionPragmas = {"PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL", "PRAGMA cache_size = -65536",
                           "PRAGMA journal_mode = WAL"};
  return sql;
}

void checkIngest(const std::vector<issuer::IngestOutcome>& outcomes, const bench::SyntheticArchive& a) {
  std::size_t records = 0, exceptions = 0, findings = 0, duplicates = 0;
  for (const auto& o : outcomes) {
    records += o.newRecords;
    exceptions += o.newExceptions;
    findings += o.findings.size();
    duplicates += o.duplicate ? 1 : 0;
  }
  if (outcomes.size() != a.batch.size() || records != a.records() || exceptions != a.exceptions() ||
      findings != 0 || duplicates != 0) {
    die("ingest stored " + std::to_string(records) + " records, " + std::to_string(exceptions) +
        " exception records for " + std::to_string(outcomes.size()) + " purses with " + std::to_string(findings) +
        " findings and " + std::to_string(duplicates) + " duplicates; expected " + std::to_string(a.records()) +
        ", " + std::to_string(a.exceptions()) + ", " + std::to_string(a.batch.size()) + ", none, none");
  }
}

void checkReconciliation(const issuer::Reconciliation& r, const bench::SyntheticArchive& a) {
  const std::size_t notLost = a.creditedNoAck.size() + a.payeeOnly.size() - a.payeeOnlyPayerIdle;
  if (r.lost != a.lostPairs.size() || r.newlyLost != a.lostPairs.size() || r.notLost != notLost ||
      r.unresolved != a.payeeOnlyPayerIdle) {
    die("reconcile: " + std::to_string(r.lost) + " lost (" + std::to_string(r.newlyLost) + " new), " +
        std::to_string(r.notLost) + " not lost, " + std::to_string(r.unresolved) + " unresolved; expected " +
        std::to_string(a.lostPairs.size()) + " lost, " + std::to_string(notLost) + " not lost, " +
        std::to_string(a.payeeOnlyPayerIdle) + " unresolved");
  }
}

std::size_t parseCount(const char* flag, const char* value) {
  char* end = nullptr;
  const unsigned long long v = value ? std::strtoull(value, &end, 10) : 0;
  if (!value || *end != '\0' || v == 0) die(std::string(flag) + " needs a positive number");
  return static_cast<std::size_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  bench::ArchiveShape shape;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--quick") {
      quick = true;
      shape.purses = 20;
    } else if (arg == "--purses") {
      shape.purses = parseCount("--purses", next), ++i;
    } else if (arg == "--records") {
      shape.recordsPerPurse = parseCount("--records", next), ++i;
    } else if (arg == "--seed") {
      shape.seed = parseCount("--seed", next), ++i;
    } else {
      die("usage: issuer_ledger_bench [--quick] [--purses N] [--records N] [--seed S]");
    }
  }

  std::string templ = (fs::path(EPURSE_BENCH_SCRATCH) / "issuer-bench-XXXXXX").string();
  if (!mkdtemp(templ.data())) die("mkdtemp " + templ + ": " + std::strerror(errno));
  scratchDir = templ;
  std::atexit(removeScratch);

  // ---- Set-up: the archive, the issuer's registry and its authorised loads ----
  auto issuerKey = issuer::IssuerKey::generate();
  if (!issuerKey) die(issuerKey.error().toString());
  const issuer::IssuerSigner signer(*issuerKey);
  std::optional<bench::SyntheticArchive> archive;
  const Timed generation = timed([&] {
    auto a = bench::generateArchive(*issuerKey, shape);
    if (!a) die("generate: " + a.error().toString());
    archive = std::move(*a);
  });
  const bench::SyntheticArchive& a = *archive;
  const std::size_t records = a.records(), exceptions = a.exceptions(), n = a.batch.size();

  const fs::path ledgerPath = scratchDir / "ledger.db";
  auto ledger = createLedger(ledgerPath, issuerKey->keyId());
  issuer::Books books(*ledger, issuerKey->verificationKey(), &signer);
  const Timed registration = timed([&] {
    for (std::size_t i = 0; i < n; ++i) {
      if (Status s = books.registerPurse(purseRow(a, i)); !s) die("register: " + s.toString());
    }
  });
  const Timed authorisation = timed([&] { authoriseOrders(*ledger, a); });

  // ---- Floor (b): verification alone; floor (a): the bare inserts into a fresh ledger ----
  const Timed verification = timed([&] {
    if (auto s = bench::verificationFloor(a.batch, issuerKey->verificationKey()); !s) die(s.error().toString());
  });
  const fs::path floorPath = scratchDir / "floor.db";
  {
    // The floor's ledger holds the same registry, so that its foreign keys have their rows.
    auto floorLedger = createLedger(floorPath, issuerKey->keyId());
    auto tx = floorLedger->beginWrite();
    if (!tx) die("begin: " + tx.error().toString());
    for (std::size_t i = 0; i < n; ++i) {
      if (Status s = (*tx)->addPurse(purseRow(a, i)); !s) die("floor registry: " + s.toString());
    }
    if (Status s = (*tx)->commit(); !s) die("floor registry: " + s.toString());
  }
  bench::StorageFloor storage;
  const Timed storageTimed = timed([&] {
    auto s = bench::storageFloor(floorPath.string(), a.batch, ledgerStorageSql());
    if (!s) die(s.error().toString());
    storage = *s;
  });
  if (storage.rows != records + exceptions + n) die("storage floor inserted the wrong number of rows");

  // ---- Measured: ingest, then reconcile ----
  const issuer::IngestSource source{"import synthetic archive", false, kNow};
  std::vector<issuer::IngestOutcome> outcomes;
  const Timed ingest = timed([&] {
    auto r = books.ingestBatch(a.batch, source);
    if (!r) die("ingestBatch: " + r.error().toString());
    outcomes = std::move(*r);
  });
  checkIngest(outcomes, a);
  std::optional<issuer::Reconciliation> reconciliation;
  const Timed reconcile = timed([&] {
    auto r = books.reconcile(kNow);
    if (!r) die("reconcile: " + r.error().toString());
    reconciliation = std::move(*r);
  });
  checkReconciliation(*reconciliation, a);
  if (quick) {  // the same batch again adds nothing (kept out of the full run: it is not measured)
    auto again = books.ingestBatch(a.batch, source);
    if (!again) die("ingestBatch again: " + again.error().toString());
    for (const auto& o : *again) {
      if (!o.duplicate || o.newRecords != 0) die("ingesting the same batch twice stored records twice");
    }
  }
  ledger.reset();
  const std::uintmax_t ledgerBytes = sizeOnDisk(ledgerPath), floorBytes = sizeOnDisk(floorPath);

  // ---- Report ----
  const Timed floorTotal{storageTimed.wall + verification.wall, storageTimed.cpu + verification.cpu};
  const double ratio = ingest.wall / floorTotal.wall;
  const double cpuRatio = ingest.cpu / floorTotal.cpu;
  std::printf("Issuer batch import and reconciliation (synthetic archive: %zu purses x %zu log records = %zu records, "
              "%zu exception records; seed %llu)\n",
              n, shape.recordsPerPurse, records, exceptions, static_cast<unsigned long long>(shape.seed));
  std::printf("Archive: %zu transfers completed, %zu lost pairs, %zu credited without ACK, %zu payee-only aborts "
              "(%zu whose payer started nothing after), %zu loads and unloads\n",
              a.completedTransfers, a.lostPairs.size(), a.creditedNoAck.size(), a.payeeOnly.size(),
              a.payeeOnlyPayerIdle, a.orders.size());
  std::printf("Set-up (not measured)\n");
  char label[96];
  std::snprintf(label, sizeof label, "generate the archive (%zu keys, %zu signatures)", n, 3 * n);
  line(label, generation);
  std::snprintf(label, sizeof label, "register %zu purses (Books::registerPurse each)", n);
  line(label, registration);
  std::snprintf(label, sizeof label, "authorise %zu loads and unloads (pending, one tx)", a.orders.size());
  line(label, authorisation);
  std::printf("Ingest: Books::ingestBatch of the whole archive, one transaction\n");
  char rate[64];
  std::snprintf(rate, sizeof rate, "   %.0f records/s", static_cast<double>(records) / ingest.wall);
  line("ingest", ingest, rate);
  std::snprintf(label, sizeof label, "floor (a): %zu rows, bare prepared INSERTs, one tx", storage.rows);
  std::snprintf(rate, sizeof rate, "   %.0f rows/s", static_cast<double>(storage.rows) / storage.seconds);
  line(label, storageTimed, rate);
  std::snprintf(label, sizeof label, "floor (b): %zu cert + %zu audit verifies, %zu SHA-256", n, 2 * n, records + n);
  line(label, verification);
  line("floor (a) + (b)", floorTotal);
  std::printf("  %-52s %9.3f     (CPU %.3f)   target <= %.1f: %s\n", "ratio ingest/floor", ratio, cpuRatio,
              kIngestTargetRatio, verdict(ratio <= kIngestTargetRatio));
  std::printf("Reconcile: Books::reconcile over the archive (%zu lost, %zu not lost, %zu unresolved)\n",
              reconciliation->lost, reconciliation->notLost, reconciliation->unresolved);
  std::snprintf(rate, sizeof rate, "   target <= %.0f s: %s", kReconcileTargetSeconds,
                verdict(reconcile.wall <= kReconcileTargetSeconds));
  line("reconcile", reconcile, rate);
  std::printf("Ledger on disk (file + WAL after a full checkpoint)\n");
  std::printf("  %-52s %9ju bytes   %.1f bytes per log record\n", "ledger after ingest and reconcile", ledgerBytes,
              static_cast<double>(ledgerBytes) / static_cast<double>(records));
  std::printf("  %-52s %9ju bytes   %.1f bytes per log record\n", "floor (a)'s ledger", floorBytes,
              static_cast<double>(floorBytes) / static_cast<double>(records));
  if (quick) std::printf("(quick run: figures are not meaningful)\n");
  return 0;
}
