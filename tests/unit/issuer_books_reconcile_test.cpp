// Reconciliation and refunds: a transfer in both exception logs is lost and refunded exactly
// once; one the payee's log shows credited, or the payer never debited, is not; one waiting for
// the other purse's collection is unresolved. The report's identity holds throughout.
#define BOOST_TEST_MODULE issuer_books_reconcile_test
#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/support/issuer_books_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using issuer::TransferClass;
using issuer::ledger::OrderKind;

namespace {

issuer::Reconciliation reconcile(BooksFixture& f) {
  auto r = f.books().reconcile(kNow);
  BOOST_TEST_REQUIRE(r.isOk(), "reconcile: " << why(r));
  return *r;
}

// Purse 1 loaded with 50.00 loses 7.00 on its way to purse 2; neither is collected yet.
struct LostTransfer {
  std::unique_ptr<TestPurse> payer;
  std::unique_ptr<TestPurse> payee;
  protocol::PaymentDetails pd;
};

LostTransfer loseSevenEuros(BooksFixture& f) {
  LostTransfer lost{f.issue(1), f.issue(2), {}};
  f.load(*lost.payer, 5000);
  lost.pd = loseTransfer(*lost.payer, *lost.payee, 700);
  return lost;
}

// A refund of `pd` to purse 1 as the issuer's operator would ask for it.
issuer::ledger::OrderRow refundRequest(TestPurse& payer, const protocol::PaymentDetails& pd) {
  issuer::ledger::OrderRow order;
  order.purseId = testPurseId(1);
  order.kind = OrderKind::kRefund;
  order.order = protocol::ValueOrder{payer.status().loadCounter, 700, kEuro, kToday};
  order.refundOf = pd;
  order.authorisedAt = kNow;
  return order;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_lost_transfer_is_found_once_and_refunded_exactly_once) {
  BooksFixture f;
  auto [a, b, pd] = loseSevenEuros(f);
  f.collect(*a);
  BOOST_TEST(reconcile(f).unresolved == 1u);  // the payee's log is not in yet
  BOOST_TEST(f.euro().unresolvedTransfers == 1u);
  BOOST_TEST(f.euro().identityDifference == 0);
  f.collect(*b);

  auto first = reconcile(f);
  BOOST_TEST(first.lost == 1u);
  BOOST_TEST(first.newlyLost == 1u);
  auto lost = f.euro();
  BOOST_TEST(lost.lostTotal == 700);
  BOOST_TEST(lost.lostUnrefunded == 700);
  BOOST_TEST(lost.inCards == 4300);
  BOOST_TEST(lost.floatValue == 5000);
  BOOST_TEST(lost.identityDifference == 0);
  BOOST_TEST(reconcile(f).newlyLost == 0u);

  auto owed = f.books().owedRefunds(testPurseId(1));
  BOOST_TEST_REQUIRE(owed.isOk());
  BOOST_TEST_REQUIRE(owed->size() == 1u);
  BOOST_TEST((owed->front() == pd));
  f.order(*a, OrderKind::kRefund, 700, pd);
  BOOST_TEST(a->status().balance == 5000u);

  auto refunded = f.euro();
  BOOST_TEST(refunded.refunded == 700);
  BOOST_TEST(refunded.lostRefunded == 700);
  BOOST_TEST(refunded.lostUnrefunded == 0);
  BOOST_TEST(refunded.loaded == 5700);
  BOOST_TEST(refunded.floatValue == 5000);
  BOOST_TEST(refunded.identityDifference == 0);
  // However often it is asked: nothing more is owed, and a second refund is refused.
  BOOST_TEST(f.books().owedRefunds(testPurseId(1))->empty());
  auto again = f.books().authoriseOrder(refundRequest(*a, pd));
  BOOST_TEST_REQUIRE(!again.isOk());
  BOOST_TEST(why(again).find("refunded already") != std::string::npos, why(again));
  auto second = reconcile(f);
  BOOST_TEST(second.newlyLost == 0u);
  BOOST_TEST(second.transfers.front().refunded);
  f.collect(*a);
  BOOST_TEST(f.euro().identityDifference == 0);
  BOOST_TEST(f.euro().inCards == 5000);
}

BOOST_AUTO_TEST_CASE(a_refund_for_a_transfer_not_proven_lost_is_refused) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 5000);
  const auto pd = loseTransfer(*a, *b, 700);
  f.collect(*a);  // only the payer's log: not proven
  reconcile(f);
  issuer::ledger::OrderRow refund;
  refund.purseId = testPurseId(1);
  refund.kind = OrderKind::kRefund;
  refund.order = protocol::ValueOrder{a->status().loadCounter, 700, kEuro, kToday};
  refund.refundOf = pd;
  BOOST_TEST(!f.books().authoriseOrder(refund).isOk());
  BOOST_TEST(f.euro().pendingOrders == 0u);
}

BOOST_AUTO_TEST_CASE(an_exception_the_payee_logged_without_a_debit_is_not_lost) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 5000);
  checks::leaveException(*a, *b, 400);  // aborted before REQ: only the payee logs pd
  pay(*a, *b, 100);                      // the payer moves on past that transfer
  f.collect(*a);
  f.collect(*b);
  auto r = reconcile(f);
  BOOST_TEST(r.notLost == 1u);
  BOOST_TEST(r.lost == 0u);
  BOOST_TEST(f.euro().identityDifference == 0);
}

BOOST_AUTO_TEST_CASE(the_exception_log_is_cleared_of_exactly_what_was_archived) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 5000);
  loseTransfer(*a, *b, 700);
  auto evidence = f.read(*a);
  BOOST_TEST_REQUIRE(f.ingest(evidence).isOk());
  auto order = f.books().exceptionClearFor(testPurseId(1), evidence.exceptionRecords, kNow);
  BOOST_TEST_REQUIRE(order.isOk());
  BOOST_TEST_REQUIRE(order->has_value());
  auto command = f.issuer().signer().clearExceptionLog(testPurseId(1), **order);
  BOOST_TEST_REQUIRE(command.isOk());
  (void)checks::expectOk(*a, *command, "CLEAR EXCEPTION LOG");
  BOOST_TEST(a->status().exceptionsHeld == 0u);
  // A record the ledger does not hold is not named.
  auto none = f.books().exceptionClearFor(testPurseId(2), f.read(*b).exceptionRecords, kNow);
  BOOST_TEST_REQUIRE(none.isOk());
  BOOST_TEST(!none->has_value());
  // The archive keeps it: the lost transfer is still found once b is collected.
  f.collect(*b);
  f.collect(*a);
  BOOST_TEST(reconcile(f).lost == 1u);
  BOOST_TEST(f.euro().identityDifference == 0);
}

// The payer's head at nextSeq == fromSeq + 1: the transfer is still its newest and may yet take
// REQ and debit, so the payee's record alone proves nothing; one START later it is over.
BOOST_AUTO_TEST_CASE(a_payer_whose_newest_transfer_is_the_logged_one_has_not_moved_past_it) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 5000);
  const auto pd = checks::leaveException(*a, *b, 400);
  BOOST_TEST_REQUIRE(a->status().nextSeq == pd.fromSeq + 1);
  f.collect(*a);
  f.collect(*b);
  auto newest = reconcile(f);
  BOOST_TEST(newest.unresolved == 1u);
  BOOST_TEST(newest.notLost == 0u);
  pay(*a, *b, 100);
  BOOST_TEST_REQUIRE(a->status().nextSeq == pd.fromSeq + 2);
  f.collect(*a);
  auto past = reconcile(f);
  BOOST_TEST(past.notLost == 1u);
  BOOST_TEST(past.unresolved == 0u);
}

// Two refunds authorised before either reaches the card would both be loaded: the payer paid twice.
BOOST_AUTO_TEST_CASE(a_second_refund_is_refused_while_the_first_is_pending) {
  BooksFixture f;
  auto [a, b, pd] = loseSevenEuros(f);
  f.collect(*a);
  f.collect(*b);
  BOOST_TEST_REQUIRE(reconcile(f).lost == 1u);
  (void)f.authorise(*a, OrderKind::kRefund, 700, pd);  // signed, never sent to the card
  BOOST_TEST_REQUIRE(f.euro().pendingOrders == 1u);

  auto refused = f.books().authoriseOrder(refundRequest(*a, pd));
  BOOST_TEST_REQUIRE(!refused.isOk());
  BOOST_TEST(why(refused).find("a refund of this transfer is pending") != std::string::npos, why(refused));
  auto books = f.euro();
  BOOST_TEST(books.pendingOrders == 1u);
  BOOST_TEST(books.refunded == 0);
  BOOST_TEST(books.identityDifference == 0);
}
