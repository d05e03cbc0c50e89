// Two epurse-issuer programs collecting different cards into one ledger at the same moment:
// each ingestion is one transaction that holds the write lock from its start, so both land
// whole, neither is half-written, and the report adds up. The programs are two processes
// (fork) with their own connections, as two commands run from two shells would be.
#define BOOST_TEST_MODULE issuer_books_concurrency_test
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/issuer_books_fixture.h"

using namespace epurse;
using namespace epurse::testing;

namespace {

constexpr int kRounds = 20;

// In the child: open the ledger anew and ingest `evidence` `kRounds` times, each time as one
// import (the first adds, the rest are duplicates); exit 0 only if every ingestion succeeded.
[[noreturn]] void ingestInChild(const std::string& path, const protocol::EcPublicKey& issuerKey,
                                const std::vector<host::CollectedEvidence>& evidence) {
  int code = 0;
  {
    auto ledger = issuer::ledger::openSqliteLedger(path);
    if (!ledger) _exit(10);
    issuer::Books books(**ledger, issuerKey, nullptr);
    for (const auto& e : evidence) {
      for (int i = 0; i < kRounds && code == 0; ++i) {
        if (!books.ingest(e, {"import concurrent", false, kNow}).isOk()) code = 11;
      }
    }
  }
  _exit(code);
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_collections_of_different_cards_at_once_both_land_whole) {
  BooksFixture f;
  std::vector<std::unique_ptr<TestPurse>> purses;
  for (std::uint8_t n = 1; n <= 4; ++n) purses.push_back(f.issue(n));
  for (auto& p : purses) f.load(*p, 4000);
  pay(*purses[0], *purses[1], 700);
  pay(*purses[2], *purses[3], 900);
  const std::vector<host::CollectedEvidence> first{f.read(*purses[0]), f.read(*purses[1])};
  const std::vector<host::CollectedEvidence> second{f.read(*purses[2]), f.read(*purses[3])};
  const std::string path = f.dir() + "/ledger.db";

  pid_t a = fork();
  BOOST_TEST_REQUIRE(a >= 0);
  if (a == 0) ingestInChild(path, f.issuer().key().verificationKey(), first);
  pid_t b = fork();
  BOOST_TEST_REQUIRE(b >= 0);
  if (b == 0) ingestInChild(path, f.issuer().key().verificationKey(), second);
  int statusA = 0, statusB = 0;
  BOOST_TEST_REQUIRE(waitpid(a, &statusA, 0) == a);
  BOOST_TEST_REQUIRE(waitpid(b, &statusB, 0) == b);
  BOOST_TEST((WIFEXITED(statusA) && WEXITSTATUS(statusA) == 0), "first program: status " << statusA);
  BOOST_TEST((WIFEXITED(statusB) && WEXITSTATUS(statusB) == 0), "second program: status " << statusB);

  auto tx = f.ledger().beginRead();
  BOOST_TEST_REQUIRE(tx.isOk());
  for (std::uint8_t n = 1; n <= 4; ++n) {
    auto records = (*tx)->logRecordsOf(testPurseId(n));
    BOOST_TEST_REQUIRE(records.isOk());
    BOOST_TEST(records->size() == (n % 2 == 1 ? 3u : 2u), "purse " << int(n));  // load, out, acked / load, in
    auto collections = (*tx)->collectionsOf(testPurseId(n));
    BOOST_TEST_REQUIRE(collections.isOk());
    BOOST_TEST(collections->size() == 1u, "purse " << int(n) << ": the same export again adds nothing");
  }
  BOOST_TEST((*tx)->commit().isOk());
  auto r = f.euro();
  BOOST_TEST(r.inCards == 16000);
  BOOST_TEST(r.movingTransfers == 0);
  BOOST_TEST(r.identityDifference == 0);
}
