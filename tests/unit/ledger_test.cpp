// The ledger (issuer/ledger/ledger.h) on each backend (SQLite always, PostgreSQL when
// EPURSE_TEST_POSTGRES names a server: tests/support/ledger_backends.h): every method
// round-trips its rows field by field, the uniqueness rules refuse a second copy and change
// nothing, a transaction dropped without commit leaves nothing behind, and a read sees one
// snapshot. Every case runs once per backend, in a ledger of its own.
#define BOOST_TEST_MODULE ledger_test
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "issuer/ledger/postgres_ledger.h"
#include "issuer/ledger/sqlite_ledger.h"
#include "tests/support/ledger_backends.h"
#include "tests/support/ledger_samples.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing::ledger;
using il::LogRow;
using protocol::LogType;
using epurse::testing::why;

namespace {

// Made by the first line of each case, once its backend is known.
struct Fixture {
  std::unique_ptr<LedgerPlace> place;
  std::unique_ptr<il::Ledger> ledger;
  void start(const std::string& backend) {
    place = makeLedgerPlace(backend);
    ledger = required(place->create(issuerId(7)));
  }
  std::unique_ptr<il::Ledger> reopen() { return required(place->open()); }

  std::unique_ptr<il::Transaction> write() { return required(ledger->beginWrite()); }
  std::unique_ptr<il::Transaction> read() { return required(ledger->beginRead()); }

  // Two registered purses and one collection of each: what records need to exist.
  il::RowId collectionOne = 0, collectionTwo = 0;
  void registerTwo() {
    auto tx = write();
    required(tx->addPurse(purseRow(1)));
    required(tx->addPurse(purseRow(2)));
    collectionOne = required(tx->addCollection(collectionRow(1, 10)));
    collectionTwo = required(tx->addCollection(collectionRow(2, 20)));
    required(tx->commit());
  }
};

}  // namespace

// A case run on every backend, `backend` naming the one (Boost prints it with a failure).
#define LEDGER_CASE(name) BOOST_DATA_TEST_CASE_F(Fixture, name, boost::unit_test::data::make(ledgerBackends()), backend)

LEDGER_CASE(a_new_ledger_opens_again_with_its_issuer) {
  start(backend);
  BOOST_TEST(ledger->issuerKeyId() == issuerId(7));
  const std::string text = ledger->describe();
  BOOST_TEST(text.find(place->describedPrefix()) == 0u, text);
  BOOST_TEST(text.find(place->describedPlace()) != std::string::npos, text);
  BOOST_TEST(text.find("schema 2") != std::string::npos);
  required(ledger->checkIntegrity());
  ledger.reset();

  auto again = reopen();
  BOOST_TEST(again->issuerKeyId() == issuerId(7));
  required(again->checkIntegrity());
}

LEDGER_CASE(purses_round_trip_and_register_once) {
  start(backend);
  auto tx = write();
  required(tx->addPurse(purseRow(3)));
  required(tx->addPurse(purseRow(1)));
  required(tx->addPurse(purseRow(2)));
  const Status again = tx->addPurse(purseRow(1));
  BOOST_TEST(again.error().code == ErrorCode::kInvalidArgument);
  BOOST_TEST(again.error().message.find("registered already") != std::string::npos);
  required(tx->commit());

  auto r = read();
  const auto found = required(r->findPurse(purseId(2)));
  BOOST_TEST_REQUIRE(found.has_value());
  BOOST_TEST(same(*found, purseRow(2)));
  BOOST_TEST(!required(r->findPurse(purseId(9))).has_value());
  const auto all = required(r->purses());
  BOOST_TEST_REQUIRE(all.size() == 3u);
  for (std::uint8_t i = 0; i < 3; ++i) BOOST_TEST(same(all[i], purseRow(static_cast<std::uint8_t>(i + 1))));
}

LEDGER_CASE(purse_serials_rise_and_survive_a_reopen) {
  start(backend);
  {
    auto tx = write();
    BOOST_TEST(required(tx->takePurseSerial()) == 1u);
    BOOST_TEST(required(tx->takePurseSerial()) == 2u);
    required(tx->commit());
  }
  ledger.reset();
  ledger = reopen();
  auto tx = write();
  BOOST_TEST(required(tx->takePurseSerial()) == 3u);
  required(tx->commit());
}

LEDGER_CASE(orders_and_their_settlements_round_trip_once) {
  start(backend);
  registerTwo();
  il::OrderRow refund = orderRow(2, 5, 700);
  refund.kind = il::OrderKind::kRefund;
  refund.refundOf = pd(2, 9, 1, 4, 700);
  il::RowId first = 0, second = 0, third = 0;
  {
    auto tx = write();
    first = required(tx->addOrder(orderRow(1, 1, 500)));
    second = required(tx->addOrder(refund));
    il::OrderRow unload = orderRow(1, 2, 200);
    unload.kind = il::OrderKind::kUnload;
    third = required(tx->addOrder(unload));
    BOOST_TEST(first < second);
    BOOST_TEST(second < third);

    const Result<il::RowId> stranger = tx->addOrder(orderRow(9, 1, 1));
    BOOST_TEST(stranger.error().code == ErrorCode::kInvalidArgument);
    BOOST_TEST(stranger.error().message.find("not registered") != std::string::npos);

    required(tx->addSettlement({first, il::Settlement::kConfirmed, il::SettlementSource::kReceipt, 12,
                                pattern(90, 3), 1'764'500'000}));
    const Status twice = tx->addSettlement({first, il::Settlement::kVoided, il::SettlementSource::kLog, 0, {}, 1});
    BOOST_TEST(twice.error().code == ErrorCode::kInvalidArgument);
    BOOST_TEST(twice.error().message.find("settled already") != std::string::npos);
    const Status unknown = tx->addSettlement({third + 100, il::Settlement::kVoided, il::SettlementSource::kLog, 0, {}, 1});
    BOOST_TEST(unknown.error().code == ErrorCode::kInvalidArgument);
    BOOST_TEST(unknown.error().message.find("not in the ledger") != std::string::npos);
    required(tx->addSettlement({third, il::Settlement::kVoided, il::SettlementSource::kLog, 0, pattern(103, 4), 9}));
    required(tx->commit());
  }
  auto r = read();
  const auto all = required(r->orders());
  BOOST_TEST_REQUIRE(all.size() == 3u);
  BOOST_TEST(all[0].id == first);
  BOOST_TEST(same(all[0], orderRow(1, 1, 500)));
  BOOST_TEST(same(all[1], refund));
  BOOST_TEST(all[2].kind == il::OrderKind::kUnload);
  const auto ofOne = required(r->ordersOf(purseId(1)));
  BOOST_TEST_REQUIRE(ofOne.size() == 2u);
  BOOST_TEST(ofOne[0].id == first);
  BOOST_TEST(ofOne[1].id == third);

  const auto settled = required(r->settlements());
  BOOST_TEST_REQUIRE(settled.size() == 2u);
  BOOST_TEST(same(settled[0], il::SettlementRow{first, il::Settlement::kConfirmed, il::SettlementSource::kReceipt, 12,
                                                pattern(90, 3), 1'764'500'000}));
  BOOST_TEST(settled[1].orderId == third);
  BOOST_TEST(settled[1].outcome == il::Settlement::kVoided);
  BOOST_TEST(!required(r->settlementOf(second)).has_value());
  const auto ofThird = required(r->settlementOf(third));
  BOOST_TEST_REQUIRE(ofThird.has_value());
  BOOST_TEST(ofThird->evidence == pattern(103, 4));
}

LEDGER_CASE(collections_round_trip_newest_per_purse) {
  start(backend);
  registerTwo();
  il::RowId later = 0;
  {
    auto tx = write();
    later = required(tx->addCollection(collectionRow(1, 30)));
    const Result<il::RowId> stranger = tx->addCollection(collectionRow(9, 1));
    BOOST_TEST(stranger.error().code == ErrorCode::kInvalidArgument);
    required(tx->commit());
  }
  auto r = read();
  const auto ofOne = required(r->collectionsOf(purseId(1)));
  BOOST_TEST_REQUIRE(ofOne.size() == 2u);
  BOOST_TEST(ofOne[0].id == collectionOne);
  BOOST_TEST(same(ofOne[0], collectionRow(1, 10)));
  BOOST_TEST(ofOne[1].id == later);
  BOOST_TEST(same(ofOne[1], collectionRow(1, 30)));

  const auto latest = required(r->latestCollections());
  BOOST_TEST_REQUIRE(latest.size() == 2u);
  BOOST_TEST(latest[0].id == later);
  BOOST_TEST(latest[1].id == collectionTwo);

  const auto again = required(r->findCollection(purseId(1), collectionRow(1, 30).transactionAudit));
  BOOST_TEST_REQUIRE(again.has_value());
  BOOST_TEST(*again == later);
  BOOST_TEST(!required(r->findCollection(purseId(2), collectionRow(1, 30).transactionAudit)).has_value());
  Bytes altered = collectionRow(1, 30).transactionAudit;
  altered.back() ^= 1;
  BOOST_TEST(!required(r->findCollection(purseId(1), altered)).has_value());
}

LEDGER_CASE(log_records_round_trip_and_are_found_by_pd) {
  start(backend);
  registerTwo();
  const auto paid = pd(1, 4, 2, 9, 250);        // 1 paid 2
  const auto other = pd(1, 5, 2, 10, 10);       // the payer's next transfer
  const auto sameSeq = pd(3, 4, 1, 2, 60);      // another payer, the same seq
  protocol::PaymentDetails load = paid;        // a load's pd form that happens to equal a transfer's
  const std::vector<LogRow> ofOne = {
      logRow(1, 1, LogType::kLoad, load, collectionOne),
      logRow(1, 2, LogType::kTransferOut, paid, collectionOne),
      logRow(1, 3, LogType::kTransferAcked, paid, collectionOne),
      logRow(1, 4, LogType::kTransferOut, other, collectionOne),
      logRow(1, 5, LogType::kTransferIn, sameSeq, collectionOne),
  };
  const std::vector<LogRow> ofTwo = {logRow(2, 7, LogType::kTransferIn, paid, collectionTwo)};
  {
    auto tx = write();
    required(tx->addLogRecords(ofTwo));
    required(tx->addLogRecords(ofOne));
    required(tx->addLogRecords({}));
    required(tx->commit());
  }
  auto r = read();
  const auto found = required(r->findLogRecord(purseId(1), 3));
  BOOST_TEST_REQUIRE(found.has_value());
  BOOST_TEST(same(*found, ofOne[2]));
  BOOST_TEST(!required(r->findLogRecord(purseId(1), 6)).has_value());
  BOOST_TEST(!required(r->findLogRecord(purseId(2), 3)).has_value());

  const auto all = required(r->logRecordsOf(purseId(1)));
  BOOST_TEST_REQUIRE(all.size() == ofOne.size());
  for (std::size_t i = 0; i < all.size(); ++i) BOOST_TEST(same(all[i], ofOne[i]));
  const auto newest = required(r->newestLogRecord(purseId(1)));
  BOOST_TEST_REQUIRE(newest.has_value());
  BOOST_TEST(newest->record.number == 5u);
  BOOST_TEST(!required(r->newestLogRecord(purseId(9))).has_value());

  // The transfer's three records, not the load that carries the same bytes.
  const auto withPd = required(r->transferRecordsWithPd(paid));
  BOOST_TEST_REQUIRE(withPd.size() == 3u);
  BOOST_TEST(same(withPd[0], ofOne[1]));
  BOOST_TEST(same(withPd[1], ofOne[2]));
  BOOST_TEST(same(withPd[2], ofTwo[0]));
  BOOST_TEST(required(r->transferRecordsWithPd(pd(1, 4, 2, 9, 251))).empty());

  const auto fromSeq = required(r->transferRecordsFromSeq(purseId(1), 4));
  BOOST_TEST_REQUIRE(fromSeq.size() == 3u);
  for (const LogRow& row : fromSeq) BOOST_TEST(row.record.details == paid);
  const auto next = required(r->transferRecordsFromSeq(purseId(1), 5));
  BOOST_TEST_REQUIRE(next.size() == 1u);
  BOOST_TEST(next[0].record.number == 4u);
  const auto otherPayer = required(r->transferRecordsFromSeq(purseId(3), 4));
  BOOST_TEST_REQUIRE(otherPayer.size() == 1u);
  BOOST_TEST(otherPayer[0].record.details == sameSeq);
  BOOST_TEST(required(r->transferRecordsFromSeq(purseId(1), 3)).empty());
}

LEDGER_CASE(a_log_batch_with_one_stored_record_stores_none_of_it) {
  start(backend);
  registerTwo();
  auto tx = write();
  required(tx->addLogRecords({logRow(1, 2, LogType::kLoad, pd(0, 1, 1, 0, 5), collectionOne)}));
  const Status duplicate = tx->addLogRecords({logRow(1, 3, LogType::kLoad, pd(0, 2, 1, 0, 5), collectionOne),
                                              logRow(1, 2, LogType::kLoad, pd(0, 9, 1, 0, 9), collectionOne)});
  BOOST_TEST(duplicate.error().code == ErrorCode::kInvalidArgument);
  BOOST_TEST(duplicate.error().message.find("log record 2 of purse") != std::string::npos);
  BOOST_TEST(duplicate.error().message.find("stored already") != std::string::npos);
  const Status orphan = tx->addLogRecords({logRow(2, 1, LogType::kLoad, pd(0, 1, 2, 0, 5), collectionTwo + 50)});
  BOOST_TEST(orphan.error().code == ErrorCode::kInvalidArgument);
  BOOST_TEST(orphan.error().message.find("not in the ledger") != std::string::npos);
  // The transaction goes on: what came before the refused batch is still there.
  const auto held = required(tx->logRecordsOf(purseId(1)));
  BOOST_TEST_REQUIRE(held.size() == 1u);
  BOOST_TEST(held[0].record.number == 2u);
  BOOST_TEST(held[0].record.details == pd(0, 1, 1, 0, 5));
  BOOST_TEST(required(tx->logRecordsOf(purseId(2))).empty());
  required(tx->commit());
}

LEDGER_CASE(exception_records_round_trip_once) {
  start(backend);
  registerTwo();
  const std::vector<il::ExceptionRow> rows = {exceptionRow(2, 1, pd(1, 4, 2, 9, 250), collectionTwo),
                                              exceptionRow(1, 2, pd(1, 4, 2, 9, 250), collectionOne),
                                              exceptionRow(1, 1, pd(1, 3, 2, 8, 20), collectionOne)};
  {
    auto tx = write();
    required(tx->addExceptionRecords(rows));
    const Status again = tx->addExceptionRecords({exceptionRow(1, 3, pd(1, 1, 2, 1, 1), collectionOne), rows[1]});
    BOOST_TEST(again.error().code == ErrorCode::kInvalidArgument);
    BOOST_TEST(again.error().message.find("stored already") != std::string::npos);
    required(tx->commit());
  }
  auto r = read();
  const auto all = required(r->exceptionRecords());
  BOOST_TEST_REQUIRE(all.size() == 3u);
  BOOST_TEST(same(all[0], rows[2]));
  BOOST_TEST(same(all[1], rows[1]));
  BOOST_TEST(same(all[2], rows[0]));
  const auto ofOne = required(r->exceptionRecordsOf(purseId(1)));
  BOOST_TEST_REQUIRE(ofOne.size() == 2u);
  BOOST_TEST(ofOne[0].record.number == 1u);
  const auto found = required(r->findExceptionRecord(purseId(2), 1));
  BOOST_TEST_REQUIRE(found.has_value());
  BOOST_TEST(same(*found, rows[0]));
  BOOST_TEST(!required(r->findExceptionRecord(purseId(1), 3)).has_value());
}

LEDGER_CASE(findings_and_lost_transfers_round_trip) {
  start(backend);
  registerTwo();
  const il::FindingRow fork{0, purseId(1), il::FindingKind::kFork, collectionOne, 1234, "record 7 differs", 50};
  const il::FindingRow seq{0, purseId(2), il::FindingKind::kDuplicateSeq, 0, 0, "seq 3 in two transfers", 60};
  il::RowId forkId = 0, seqId = 0;
  {
    auto tx = write();
    forkId = required(tx->addFinding(fork));
    seqId = required(tx->addFinding(seq));
    BOOST_TEST(required(tx->addLostTransfer({pd(1, 4, 2, 9, 250), 70})));
    BOOST_TEST(required(tx->addLostTransfer({pd(1, 2, 2, 3, 10), 71})));
    BOOST_TEST(!required(tx->addLostTransfer({pd(1, 4, 2, 9, 250), 99})));  // found lost once
    required(tx->commit());
  }
  auto r = read();
  const auto all = required(r->findings());
  BOOST_TEST_REQUIRE(all.size() == 2u);
  BOOST_TEST(all[0].id == forkId);
  BOOST_TEST(same(all[0], fork));
  BOOST_TEST(all[1].id == seqId);
  BOOST_TEST(same(all[1], seq));
  const auto ofTwo = required(r->findingsOf(purseId(2)));
  BOOST_TEST_REQUIRE(ofTwo.size() == 1u);
  BOOST_TEST(ofTwo[0].collectionId == 0);
  const auto lost = required(r->lostTransfers());
  BOOST_TEST_REQUIRE(lost.size() == 2u);
  BOOST_TEST(same(lost[0], il::LostTransferRow{pd(1, 4, 2, 9, 250), 70}));
  BOOST_TEST(same(lost[1], il::LostTransferRow{pd(1, 2, 2, 3, 10), 71}));
}

LEDGER_CASE(revocation_versions_rise_by_one) {
  start(backend);
  auto tx = write();
  BOOST_TEST(!required(tx->latestRevocation()).has_value());
  BOOST_TEST(tx->addRevocation(revocationRow(2)).error().code == ErrorCode::kInvalidArgument);
  required(tx->addRevocation(revocationRow(1)));
  const Status again = tx->addRevocation(revocationRow(1));
  BOOST_TEST(again.error().code == ErrorCode::kInvalidArgument);
  BOOST_TEST(again.error().message.find("not the next one (2)") != std::string::npos);
  BOOST_TEST(tx->addRevocation(revocationRow(3)).error().code == ErrorCode::kInvalidArgument);
  required(tx->addRevocation(revocationRow(2)));
  required(tx->commit());

  auto r = read();
  const auto latest = required(r->latestRevocation());
  BOOST_TEST_REQUIRE(latest.has_value());
  BOOST_TEST(same(*latest, revocationRow(2)));
  const auto all = required(r->revocations());
  BOOST_TEST_REQUIRE(all.size() == 2u);
  BOOST_TEST(same(all[0], revocationRow(1)));
  BOOST_TEST(same(all[1], revocationRow(2)));
}

LEDGER_CASE(exception_clears_round_trip) {
  start(backend);
  registerTwo();
  il::ExceptionClearRow clear{purseId(1), {{3, 4}, {}}, 80};
  const Bytes digest = pattern(32, 9);
  std::copy(digest.begin(), digest.end(), clear.order.digest.begin());
  il::ExceptionClearRow second{purseId(1), {{5}, {}}, 81};
  {
    auto tx = write();
    required(tx->addExceptionClear(clear));
    required(tx->addExceptionClear(second));
    BOOST_TEST(tx->addExceptionClear({purseId(9), {{1}, {}}, 1}).error().code == ErrorCode::kInvalidArgument);
    required(tx->commit());
  }
  auto r = read();
  const auto ofOne = required(r->exceptionClearsOf(purseId(1)));
  BOOST_TEST_REQUIRE(ofOne.size() == 2u);
  BOOST_TEST(same(ofOne[0], clear));
  BOOST_TEST(same(ofOne[1], second));
  BOOST_TEST(required(r->exceptionClearsOf(purseId(2))).empty());
}

// Empty is a value, not a missing one: empty text and byte strings round-trip as empty.
LEDGER_CASE(empty_fields_round_trip_empty) {
  start(backend);
  registerTwo();
  il::CollectionRow bare = collectionRow(1, 40);
  bare.source.clear();
  bare.challenge.clear();
  bare.exceptionAudit.clear();
  il::RevocationRow unexplained = revocationRow(1);
  unexplained.reason.clear();
  unexplained.command.clear();
  const il::FindingRow terse{0, purseId(1), il::FindingKind::kUnexplained, 0, 0, "", 1};
  il::RowId order = 0;
  {
    auto tx = write();
    (void)required(tx->addCollection(bare));
    required(tx->addRevocation(unexplained));
    (void)required(tx->addFinding(terse));
    order = required(tx->addOrder(orderRow(1, 1, 10)));
    required(tx->addSettlement({order, il::Settlement::kVoided, il::SettlementSource::kLog, 0, {}, 2}));
    required(tx->commit());
  }
  auto r = read();
  BOOST_TEST(same(required(r->collectionsOf(purseId(1))).back(), bare));
  BOOST_TEST(same(required(r->revocations()).at(0), unexplained));
  BOOST_TEST(same(required(r->findings()).at(0), terse));
  BOOST_TEST(required(r->settlementOf(order))->evidence.empty());
}

LEDGER_CASE(a_transaction_dropped_without_commit_leaves_nothing) {
  start(backend);
  registerTwo();
  {
    auto tx = write();
    required(tx->addPurse(purseRow(5)));
    (void)required(tx->addOrder(orderRow(1, 1, 10)));
    required(tx->addLogRecords({logRow(1, 1, LogType::kLoad, pd(0, 1, 1, 0, 10), collectionOne)}));
    (void)required(tx->takePurseSerial());
    required(tx->addRevocation(revocationRow(1)));
  }  // dropped
  auto r = read();
  BOOST_TEST(!required(r->findPurse(purseId(5))).has_value());
  BOOST_TEST(required(r->orders()).empty());
  BOOST_TEST(required(r->logRecordsOf(purseId(1))).empty());
  BOOST_TEST(!required(r->latestRevocation()).has_value());
  required(r->commit());
  auto tx = write();
  BOOST_TEST(required(tx->takePurseSerial()) == 1u);
}

LEDGER_CASE(a_read_sees_its_snapshot_not_a_later_write) {
  start(backend);
  registerTwo();
  auto snapshot = read();
  {
    // Another program (its own connection) writes and commits meanwhile.
    auto other = reopen();
    auto tx = required(other->beginWrite());
    required(tx->addPurse(purseRow(3)));
    required(tx->commit());
  }
  BOOST_TEST(required(snapshot->purses()).size() == 2u);
  BOOST_TEST(!required(snapshot->findPurse(purseId(3))).has_value());
  required(snapshot->commit());
  BOOST_TEST(required(read()->purses()).size() == 3u);
}

LEDGER_CASE(a_read_cannot_write_and_an_ended_transaction_does_nothing) {
  start(backend);
  auto r = read();
  const Status refused = r->addPurse(purseRow(1));
  BOOST_TEST(refused.error().code == ErrorCode::kInvalidArgument);
  BOOST_TEST(refused.error().message.find("read transaction") != std::string::npos);
  // One transaction at a time on one Ledger.
  BOOST_TEST(ledger->beginWrite().error().code == ErrorCode::kBusy);
  required(r->commit());

  auto tx = write();
  required(tx->addPurse(purseRow(1)));
  required(tx->commit());
  BOOST_TEST(tx->commit().error().code == ErrorCode::kInvalidArgument);
  BOOST_TEST(tx->addPurse(purseRow(2)).error().code == ErrorCode::kInvalidArgument);
  BOOST_TEST(tx->purses().error().code == ErrorCode::kInvalidArgument);
  BOOST_TEST(required(read()->purses()).size() == 1u);
}

LEDGER_CASE(a_ledger_is_never_created_over_another) {
  start(backend);
  {
    auto tx = write();
    required(tx->addPurse(purseRow(1)));
    required(tx->commit());
  }
  const auto twice = place->create(issuerId(8));
  BOOST_TEST_REQUIRE(!twice.isOk());
  BOOST_TEST(twice.error().code == ErrorCode::kInvalidArgument, why(twice));
  ledger.reset();
  auto again = reopen();
  BOOST_TEST(again->issuerKeyId() == issuerId(7));
  BOOST_TEST(required(required(again->beginRead())->purses()).size() == 1u);
}

namespace {
bool onPostgres(boost::unit_test::test_unit_id) { return !postgresServer().empty(); }
}  // namespace

// PostgreSQL only: a database that is not (or no longer) an epurse ledger is refused, never
// written to; an unreachable server is kIo with libpq's reason; describe() hides a password.
BOOST_AUTO_TEST_CASE(a_database_that_is_not_a_ledger_is_refused, *boost::unit_test::precondition(onPostgres)) {
  auto foreign = makeLedgerPlace(kPostgres);
  runOnDatabase(foreign->locator(), "CREATE TABLE customers (id BIGINT PRIMARY KEY)");
  const auto over = foreign->create(issuerId(7));
  BOOST_TEST_REQUIRE(!over.isOk());
  BOOST_TEST(over.error().code == ErrorCode::kInvalidArgument, why(over));
  BOOST_TEST(over.error().message.find("something else") != std::string::npos, why(over));
  const auto opened = foreign->open();
  BOOST_TEST_REQUIRE(!opened.isOk());
  BOOST_TEST(opened.error().code == ErrorCode::kCorrupt, why(opened));
  BOOST_TEST(opened.error().message.find("not an epurse ledger") != std::string::npos, why(opened));

  Fixture f;
  f.start(kPostgres);
  f.ledger.reset();
  runOnDatabase(f.place->locator(), "UPDATE meta SET number = 99 WHERE key = 'schema_version'");
  BOOST_TEST_REQUIRE(!f.place->open().isOk());
  BOOST_TEST(f.place->open().error().code == ErrorCode::kUnsupported);
  runOnDatabase(f.place->locator(), "UPDATE meta SET number = 2, bytes = 'other'::bytea WHERE key IN ('schema_version', 'application')");
  BOOST_TEST_REQUIRE(!f.place->open().isOk());
  BOOST_TEST(f.place->open().error().code == ErrorCode::kCorrupt);

  const auto nowhere = il::openPostgresLedger("postgresql:///epurse?host=/nonexistent-socket-dir");
  BOOST_TEST_REQUIRE(!nowhere.isOk());
  BOOST_TEST(nowhere.error().code == ErrorCode::kIo, why(nowhere));
  BOOST_TEST(nowhere.error().message.find("nonexistent-socket-dir") != std::string::npos, why(nowhere));

  auto hidden = makeLedgerPlace(kPostgres);
  std::string withPassword = hidden->locator();
  withPassword.replace(withPassword.find(":///"), 4, "://postgres:s3cret-word@/");
  auto ledger = required(il::createPostgresLedger(withPassword, issuerId(7)));
  BOOST_TEST(ledger->describe().find("s3cret") == std::string::npos, ledger->describe());
  BOOST_TEST(ledger->describe().find("schema 2") != std::string::npos, ledger->describe());
}

// SQLite only: the books and their write-ahead log are the issuer's: owner-only, even under umask 0.
BOOST_AUTO_TEST_CASE(a_new_ledger_and_its_wal_are_owner_only_whatever_the_umask) {
  ScratchDir scratch;
  const std::string path = scratch.file("books.db");
  const mode_t before = ::umask(0);
  auto ledger = il::createSqliteLedger(path, issuerId(7));
  ::umask(before);
  BOOST_TEST_REQUIRE(ledger.isOk());
  auto tx = required((*ledger)->beginWrite());
  required(tx->addPurse(purseRow(1)));
  required(tx->commit());
  const auto modeOf = [](const std::string& p) {
    return static_cast<unsigned>(std::filesystem::status(p).permissions() & std::filesystem::perms::all);
  };
  BOOST_TEST(modeOf(path) == 0600u);
  BOOST_TEST_REQUIRE(std::filesystem::exists(path + "-wal"));  // WAL mode: written, not yet checkpointed
  BOOST_TEST(modeOf(path + "-wal") == 0600u);
}
