// Loads and unloads in the books: pending before the order goes to the card, confirmed only by
// the card's signed word (its receipt, or its log at the next collection), never counted twice.
#define BOOST_TEST_MODULE issuer_books_orders_test
#include <boost/test/unit_test.hpp>

#include "tests/support/issuer_books_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using issuer::ledger::OrderKind;

BOOST_AUTO_TEST_CASE(a_load_confirmed_by_its_receipt_is_in_the_float_and_moving_until_collected) {
  BooksFixture f;
  auto a = f.issue(1);
  f.load(*a, 5000);
  auto before = f.euro();
  BOOST_TEST(before.loaded == 5000);
  BOOST_TEST(before.floatValue == 5000);
  BOOST_TEST(before.inCards == 0);
  BOOST_TEST(before.movingOrders == 5000);
  BOOST_TEST(before.identityDifference == 0);
  f.collect(*a);
  auto after = f.euro();
  BOOST_TEST(after.loaded == 5000);
  BOOST_TEST(after.inCards == 5000);
  BOOST_TEST(after.movingOrders == 0);
  BOOST_TEST(after.identityDifference == 0);
}

BOOST_AUTO_TEST_CASE(a_load_whose_receipt_never_arrived_stays_pending_until_the_log_confirms_it) {
  BooksFixture f;
  auto a = f.issue(1);
  auto order = f.authorise(*a, OrderKind::kLoad, 3000);
  (void)checks::expectOk(*a, order.command, "LOAD");  // the receipt is lost on the way back
  auto pending = f.euro();
  BOOST_TEST(pending.pendingOrders == 1u);
  BOOST_TEST(pending.pendingLoads == 3000);
  BOOST_TEST(pending.loaded == 0);
  BOOST_TEST(pending.identityDifference == 0);
  auto outcome = f.collect(*a);
  BOOST_TEST(outcome.ordersConfirmed.size() == 1u);
  auto settled = f.euro();
  BOOST_TEST(settled.pendingOrders == 0u);
  BOOST_TEST(settled.loaded == 3000);
  BOOST_TEST(settled.inCards == 3000);
  BOOST_TEST(settled.identityDifference == 0);
  // The receipt turning up late does not count it again.
  BOOST_TEST(f.euro().loaded == 3000);
}

BOOST_AUTO_TEST_CASE(an_order_never_delivered_is_voided_by_the_next_order_for_its_counter) {
  BooksFixture f;
  auto a = f.issue(1);
  auto lost = f.authorise(*a, OrderKind::kLoad, 1000);  // the program dies before sending it
  f.load(*a, 2000);                                      // same counter: only one can ever apply
  BOOST_TEST(f.euro().pendingOrders == 0u);
  BOOST_TEST(f.euro().loaded == 2000);
  // The old order reaching the card now is refused (its counter is used); nothing changes.
  auto answer = a->client().send(lost.command);
  BOOST_TEST_REQUIRE(answer.isOk());
  BOOST_TEST(answer->sw() != sw::kSuccess);
  f.collect(*a);
  BOOST_TEST(f.euro().loaded == 2000);
  BOOST_TEST(f.euro().identityDifference == 0);
}

BOOST_AUTO_TEST_CASE(unload_confirmed_and_collected_leaves_the_float_exact) {
  BooksFixture f;
  auto a = f.issue(1);
  f.load(*a, 5000);
  f.order(*a, OrderKind::kUnload, 1250);
  auto r = f.euro();
  BOOST_TEST(r.unloaded == 1250);
  BOOST_TEST(r.floatValue == 3750);
  BOOST_TEST(r.identityDifference == 0);
  f.collect(*a);
  BOOST_TEST(f.euro().inCards == 3750);
  BOOST_TEST(f.euro().identityDifference == 0);
}

BOOST_AUTO_TEST_CASE(a_receipt_that_does_not_verify_confirms_nothing) {
  BooksFixture f;
  auto a = f.issue(1);
  auto order = f.authorise(*a, OrderKind::kLoad, 700);
  Bytes answer = checks::expectOk(*a, order.command, "LOAD");
  answer[12] ^= 0x01;  // the amount, altered on the way back
  auto confirmed = f.books().confirmOrder(order.id, answer, kNow);
  BOOST_TEST(!confirmed.isOk());
  BOOST_TEST(f.euro().loaded == 0);
  BOOST_TEST(f.euro().pendingOrders == 1u);
}

BOOST_AUTO_TEST_CASE(orders_for_unknown_or_revoked_purses_or_in_another_currency_are_refused) {
  BooksFixture f;
  auto a = f.issue(1);
  issuer::ledger::OrderRow row;
  row.purseId = testPurseId(9);
  row.order = protocol::ValueOrder{0, 100, kEuro, kToday};
  BOOST_TEST(!f.books().authoriseOrder(row).isOk());
  row.purseId = testPurseId(1);
  row.order.currency = 840;
  BOOST_TEST(!f.books().authoriseOrder(row).isOk());
  row.order.currency = kEuro;
  BOOST_TEST_REQUIRE(f.books().revoke(testPurseId(1), "stolen", kNow).isOk());
  auto refused = f.books().authoriseOrder(row);
  BOOST_TEST(!refused.isOk());
  BOOST_TEST(f.euro().pendingOrders == 0u);
}

BOOST_AUTO_TEST_CASE(collecting_twice_adds_nothing) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 5000);
  pay(*a, *b, 1200);
  auto first = f.collect(*a);
  BOOST_TEST(first.newRecords == 3u);  // load, transfer out, acknowledged
  auto second = f.collect(*a);
  BOOST_TEST(second.newRecords == 0u);
  BOOST_TEST(second.findings.empty());
  auto evidence = f.read(*b);
  BOOST_TEST(f.ingest(evidence, false)->newRecords == 1u);
  BOOST_TEST(f.ingest(evidence, false)->duplicate);  // the same export imported again
  auto r = f.euro();
  BOOST_TEST(r.inCards == 5000);
  BOOST_TEST(r.movingTransfers == 0);
  BOOST_TEST(r.identityDifference == 0);
}

BOOST_AUTO_TEST_CASE(a_transfer_is_value_moving_until_both_purses_are_collected) {
  BooksFixture f;
  auto a = f.issue(1);
  auto b = f.issue(2);
  f.load(*a, 5000);
  f.collect(*a);
  f.collect(*b);
  pay(*a, *b, 800);
  f.collect(*a);  // the debit is seen, the credit not yet
  BOOST_TEST(f.euro().movingTransfers == 800);
  BOOST_TEST(f.euro().inCards == 4200);
  BOOST_TEST(f.euro().identityDifference == 0);
  pay(*b, *a, 300);
  f.collect(*b);  // b's credit of 800 and its debit of 300; a's credit of 300 not yet
  BOOST_TEST(f.euro().movingTransfers == 300);
  BOOST_TEST(f.euro().identityDifference == 0);
  f.collect(*a);
  BOOST_TEST(f.euro().movingTransfers == 0);
  BOOST_TEST(f.euro().inCards == 5000);
  BOOST_TEST(f.euro().identityDifference == 0);
}
