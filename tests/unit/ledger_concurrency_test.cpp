// Two programs on one ledger at once: writers take turns (each transaction whole, none lost,
// none half-written, even when a writer is killed in the middle of its run), on every backend
// (tests/support/ledger_backends.h). On SQLite a writer that cannot get the lock within its
// busy timeout gets kBusy saying why, and writes nothing; a reader is never blocked by a
// writer and never sees its uncommitted rows. On PostgreSQL two transactions that cannot both
// be serialised end one of them with kBusy, whole; a server stopped under a transaction is
// kIo, and after its restart the ledger opens whole.
#define BOOST_TEST_MODULE ledger_concurrency_test
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "issuer/ledger/sqlite_ledger.h"
#include "tests/support/ledger_backends.h"
#include "tests/support/ledger_samples.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing::ledger;
using Clock = std::chrono::steady_clock;
using epurse::testing::why;

namespace {

constexpr std::uint32_t kPairOffset = 100000;  // a transaction's second record: number + this

// Registers purses 1..n and one collection of each; returns the collection ids by purse.
std::vector<il::RowId> setUp(LedgerPlace& place, std::uint8_t purses) {
  auto ledger = required(place.create(issuerId()));
  auto tx = required(ledger->beginWrite());
  std::vector<il::RowId> collections(purses + 1, 0);
  for (std::uint8_t p = 1; p <= purses; ++p) {
    required(tx->addPurse(purseRow(p)));
    collections[p] = required(tx->addCollection(collectionRow(p, p)));
  }
  required(tx->commit());
  return collections;
}

// One writer's run, in a child process: `count` transactions (forever if 0), each adding
// records n and n + kPairOffset of `purse` and a finding. Exits non-zero on any failure. On
// PostgreSQL a transaction the server could not serialise (kBusy) is retried whole, as the
// backend asks of its callers; SQLite's writers wait for the lock instead.
[[noreturn]] void writerRun(LedgerPlace& place, std::uint8_t purse, il::RowId collection, std::uint32_t count,
                            int startFd) {
  char go = 0;
  if (::read(startFd, &go, 1) != 1) ::_exit(10);
  auto ledger = place.open();
  if (!ledger) ::_exit(11);
  const bool retry = place.backend() == kPostgres;
  const auto attempt = [&](std::uint32_t n) -> Status {
    auto tx = (*ledger)->beginWrite();
    if (!tx) return tx.status();
    const auto details = pd(purse, n, 9, n, n % 50);
    if (Status s = (*tx)->addLogRecords({logRow(purse, n, protocol::LogType::kTransferOut, details, collection),
                                         logRow(purse, n + kPairOffset, protocol::LogType::kTransferAcked, details, collection)});
        !s) {
      return s;
    }
    if (Result<il::RowId> f = (*tx)->addFinding({0, purseId(purse), il::FindingKind::kGap, collection, n, "pair", n}); !f) {
      return f.status();
    }
    return (*tx)->commit();
  };
  for (std::uint32_t n = 1; count == 0 || n <= count; ++n) {
    Status done = attempt(n);
    for (int again = 0; !done && retry && done.error().code == ErrorCode::kBusy && again < 20; ++again) done = attempt(n);
    if (!done) ::_exit(13);
  }
  ::_exit(0);
}

int exitCodeOf(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The numbers of `purse`'s records, checked to come in whole pairs.
std::set<std::uint32_t> wholePairs(il::Transaction& tx, std::uint8_t purse) {
  std::set<std::uint32_t> numbers;
  for (const il::LogRow& row : required(tx.logRecordsOf(purseId(purse)))) numbers.insert(row.record.number);
  std::set<std::uint32_t> firsts;
  for (std::uint32_t n : numbers) {
    if (n >= kPairOffset) continue;
    BOOST_TEST(numbers.count(n + kPairOffset) == 1u, "record " << n << " of purse " << int(purse) << " lacks its pair");
    firsts.insert(n);
  }
  BOOST_TEST(numbers.size() == 2 * firsts.size(), "half a transaction of purse " << int(purse) << " is stored");
  return firsts;
}

}  // namespace

namespace {
void twoWritersAtOnce(const std::string& backend) {
  const auto place = makeLedgerPlace(backend);
  const auto collections = setUp(*place, 3);
  constexpr std::uint32_t kRuns = 150;

  int start[2], startVictim[2];
  BOOST_TEST_REQUIRE(::pipe(start) == 0);
  BOOST_TEST_REQUIRE(::pipe(startVictim) == 0);
  std::vector<pid_t> writers;
  for (std::uint8_t purse = 1; purse <= 2; ++purse) {
    const pid_t pid = ::fork();
    BOOST_TEST_REQUIRE(pid >= 0);
    if (pid == 0) writerRun(*place, purse, collections[purse], kRuns, start[0]);
    writers.push_back(pid);
  }
  // A third writer that never stops, killed in the middle of its run. It starts once the two
  // have finished: a writer that takes the lock again the moment it commits can starve the
  // others past their busy timeout on a loaded machine (SQLite's busy wait is not fair), and
  // their meeting is what the first two are for.
  const pid_t victim = ::fork();
  BOOST_TEST_REQUIRE(victim >= 0);
  if (victim == 0) writerRun(*place, 3, collections[3], 0, startVictim[0]);

  const char go[2] = {1, 1};
  BOOST_TEST_REQUIRE(::write(start[1], go, sizeof go) == 2);  // the two start together
  for (pid_t pid : writers) BOOST_TEST(exitCodeOf(pid) == 0);
  BOOST_TEST_REQUIRE(::write(startVictim[1], go, 1) == 1);
  {
    // Kill the third once it has committed a few, most likely inside a transaction.
    auto watcher = required(place->open());
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      auto r = required(watcher->beginRead());
      if (required(r->logRecordsOf(purseId(3))).size() >= 20) break;
      required(r->commit());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ::kill(victim, SIGKILL);
  BOOST_TEST(exitCodeOf(victim) == 128 + SIGKILL);
  for (int fd : {start[0], start[1], startVictim[0], startVictim[1]}) ::close(fd);

  auto ledger = required(place->open());
  required(ledger->checkIntegrity());
  auto tx = required(ledger->beginRead());
  for (std::uint8_t purse = 1; purse <= 2; ++purse) {
    const auto firsts = wholePairs(*tx, purse);
    BOOST_TEST(firsts.size() == kRuns);
    BOOST_TEST((firsts.empty() || (*firsts.begin() == 1 && *firsts.rbegin() == kRuns)));
  }
  // The killed writer's transactions: each one whole, and in order (no gap before the last).
  const auto killed = wholePairs(*tx, 3);
  BOOST_TEST_MESSAGE("the killed writer committed " << killed.size() << " transactions");
  BOOST_TEST(killed.size() >= 10u);
  BOOST_TEST((killed.empty() || *killed.rbegin() == killed.size()));
  std::size_t findings = 0;
  for (std::uint8_t purse = 1; purse <= 3; ++purse) findings += required(tx->findingsOf(purseId(purse))).size();
  BOOST_TEST(findings == 2 * kRuns + killed.size());
}
}  // namespace

// A loop, not a data-driven case: GCC 12 at -O3 warns (-Wrestrict, falsely) inside Boost's
// naming of data-driven cases here.
BOOST_AUTO_TEST_CASE(two_writers_at_once_land_every_transaction_whole) {
  for (const std::string& backend : ledgerBackends()) {
    BOOST_TEST_CONTEXT("backend " << backend) { twoWritersAtOnce(backend); }
  }
}

// SQLite only: its writers lock at beginWrite(); PostgreSQL's conflict later (below).
BOOST_AUTO_TEST_CASE(a_writer_held_open_makes_another_wait_its_timeout_then_kbusy) {
  const auto place = makeLedgerPlace(kSqlite);
  const std::string path = place->locator();
  setUp(*place, 1);
  auto holder = required(il::openSqliteLedger(path));
  auto other = required(il::openSqliteLedger(path, {.busyTimeoutMs = 300}));

  auto held = required(holder->beginWrite());
  required(held->addPurse(purseRow(2)));

  const auto before = Clock::now();
  const auto refused = other->beginWrite();
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - before);
  BOOST_TEST_REQUIRE(!refused.isOk());
  BOOST_TEST(refused.error().code == ErrorCode::kBusy);
  BOOST_TEST(refused.error().message.find("write lock") != std::string::npos, refused.error().message);
  BOOST_TEST(refused.error().message.find("busy timeout") != std::string::npos, refused.error().message);
  BOOST_TEST(waited.count() >= 280, "kBusy after " << waited.count() << " ms");

  // A reader is not blocked by the writer, and does not see its uncommitted purse.
  {
    auto reader = required(other->beginRead());
    BOOST_TEST(required(reader->purses()).size() == 1u);
  }
  required(held->commit());

  // The lock is free again: the other program writes now.
  auto tx = required(other->beginWrite());
  required(tx->addPurse(purseRow(3)));
  required(tx->commit());
  auto r = required(holder->beginRead());
  const auto purses = required(r->purses());
  BOOST_TEST_REQUIRE(purses.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_writer_refused_busy_wrote_nothing) {
  const auto place = makeLedgerPlace(kSqlite);
  const std::string path = place->locator();
  const auto collections = setUp(*place, 1);
  auto holder = required(il::openSqliteLedger(path));
  auto held = required(holder->beginWrite());

  // The other program, in a child, tries to write with a tiny timeout and reports how it went.
  const pid_t pid = ::fork();
  BOOST_TEST_REQUIRE(pid >= 0);
  if (pid == 0) {
    auto ledger = il::openSqliteLedger(path, {.busyTimeoutMs = 50});
    if (!ledger) ::_exit(20);
    auto tx = (*ledger)->beginWrite();
    if (tx) {
      (void)(*tx)->addPurse(purseRow(7));
      (void)(*tx)->commit();
      ::_exit(21);  // should have been refused
    }
    ::_exit(tx.error().code == ErrorCode::kBusy ? 0 : 22);
  }
  BOOST_TEST(exitCodeOf(pid) == 0);
  required(held->commit());
  auto r = required(holder->beginRead());
  BOOST_TEST(!required(r->findPurse(purseId(7))).has_value());
  BOOST_TEST(required(r->purses()).size() == 1u);
  (void)collections;
}

namespace {
bool onPostgres() { return !postgresServer().empty(); }
}  // namespace

// Write skew: each transaction reads the registry and adds to it; run one after the other,
// the second would have seen the first's purse. The server lets one commit and ends the other
// with kBusy, saying it was rolled back and can be retried, and none of the loser's rows stay.
BOOST_AUTO_TEST_CASE(two_transactions_the_server_cannot_serialise_end_one_whole_with_kbusy,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) { return onPostgres(); })) {
  const auto place = makeLedgerPlace(kPostgres);
  const auto collections = setUp(*place, 1);
  auto first = required(place->open());
  auto second = required(place->open());
  auto a = required(first->beginWrite());
  auto b = required(second->beginWrite());
  BOOST_TEST(required(a->purses()).size() == 1u);
  BOOST_TEST(required(b->purses()).size() == 1u);
  required(b->addLogRecords({logRow(1, 7, protocol::LogType::kLoad, pd(0, 7, 1, 0, 5), collections[1])}));
  required(a->addPurse(purseRow(5)));
  required(a->commit());
  // The loser learns at its next write or at its commit.
  Status lost = b->addPurse(purseRow(6));
  if (lost) lost = b->commit();
  BOOST_TEST_REQUIRE(!lost.isOk());
  BOOST_TEST(lost.error().code == ErrorCode::kBusy, why(lost));
  BOOST_TEST(lost.error().message.find("rolled back") != std::string::npos, why(lost));
  BOOST_TEST(lost.error().message.find("retr") != std::string::npos, why(lost));
  BOOST_TEST(b->purses().error().code == ErrorCode::kInvalidArgument);  // over

  auto r = required(first->beginRead());
  BOOST_TEST(required(r->findPurse(purseId(5))).has_value());
  BOOST_TEST(!required(r->findPurse(purseId(6))).has_value());
  BOOST_TEST(required(r->logRecordsOf(purseId(1))).empty());
  required(r->commit());
  // The retry, on a fresh snapshot, goes through.
  auto retried = required(second->beginWrite());
  required(retried->addPurse(purseRow(6)));
  required(retried->commit());
}

// The server stopped (immediate: as if it crashed) under an open transaction: the next
// statement is kIo naming the server, nothing of the transaction is committed, and once the
// server is back the ledger opens and holds exactly what was committed before.
BOOST_AUTO_TEST_CASE(a_server_stopped_mid_transaction_is_kio_and_commits_nothing,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                       return onPostgres() && std::getenv("EPURSE_TEST_POSTGRES_CTL") != nullptr;
                     })) {
  const std::string ctl = std::getenv("EPURSE_TEST_POSTGRES_CTL");
  const auto place = makeLedgerPlace(kPostgres);
  const auto collections = setUp(*place, 1);
  auto ledger = required(place->open());
  auto tx = required(ledger->beginWrite());
  required(tx->addPurse(purseRow(2)));
  required(tx->addLogRecords({logRow(1, 1, protocol::LogType::kLoad, pd(0, 1, 1, 0, 5), collections[1])}));

  BOOST_TEST_REQUIRE(std::system((ctl + " stop -m immediate >/dev/null").c_str()) == 0);
  const Status cut = tx->addPurse(purseRow(3));
  BOOST_TEST_REQUIRE(!cut.isOk());
  BOOST_TEST(cut.error().code == ErrorCode::kIo, why(cut));
  BOOST_TEST(cut.error().message.find("PostgreSQL server") != std::string::npos, why(cut));
  BOOST_TEST(tx->commit().error().code == ErrorCode::kInvalidArgument);  // over
  BOOST_TEST(place->open().error().code == ErrorCode::kIo);              // the server is gone
  BOOST_TEST_REQUIRE(std::system((ctl + " start >/dev/null").c_str()) == 0);

  auto again = required(place->open());
  required(again->checkIntegrity());
  auto r = required(again->beginRead());
  BOOST_TEST(required(r->purses()).size() == 1u);
  BOOST_TEST(required(r->logRecordsOf(purseId(1))).empty());
  required(r->commit());
  // The old Ledger reconnects at its next transaction.
  auto next = required(ledger->beginWrite());
  required(next->addPurse(purseRow(2)));
  required(next->commit());
}
