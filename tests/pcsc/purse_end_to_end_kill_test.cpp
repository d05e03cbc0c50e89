// The purse end to end, killed in the middle of a transfer: two epurse-card processes in the
// two vpcd readers of a private pcscd (tests/pcsc/with-private-pcscd.sh); a transfer is
// interrupted by SIGKILL of a card process and settled after a restart on the same image, by
// the terminal protocol library's recovery, with the exception logs telling what was lost.
#define BOOST_TEST_MODULE purse_end_to_end_kill_test
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "apdu/status_word.h"
#include "host/log_verifier.h"
#include "protocol/purse_commands.h"
#include "terminal/transfer/transfer_driver.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/purse_end_to_end_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::e2e;

BOOST_FIXTURE_TEST_SUITE(purse_end_to_end, PurseFixture)

BOOST_AUTO_TEST_CASE(payee_killed_after_req_leaves_the_value_lost_and_logged_by_both) {
  auto a = plug(0, "payer.img");
  auto b = plug(1, "payee.img");
  personalise(*a, *b);
  load(*a, 10000);
  load(*b, 500);
  transfer(*a, *b, 100, 1);  // both have a history before the interrupted transfer
  const auto aBefore = status(*a), bBefore = status(*b);

  terminal::TransferSession session(a->purse(), b->purse(), 1500, reference(2));
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  auto pd = session.startFrom();
  BOOST_TEST_REQUIRE(pd.isOk(), why(pd));
  auto req = session.startTo();
  BOOST_TEST_REQUIRE(req.isOk(), why(req));
  auto val = session.req(*req);
  BOOST_TEST_REQUIRE(val.isOk(), why(val));
  // The payer accepted REQ: debited, waiting for ACK (epa). The payee waits for VAL (epv).
  BOOST_TEST((status(*a).protocol == ProtocolStatus::kEpa));
  BOOST_TEST(status(*a).balance == aBefore.balance - 1500);
  BOOST_TEST((status(*b).protocol == ProtocolStatus::kEpv));
  BOOST_TEST(status(*b).balance == bBefore.balance);

  // The payee's card process dies before VAL reaches it.
  b->process.signal(SIGKILL);
  BOOST_TEST_REQUIRE(b->process.wait(5000ms).isOk());
  waitFor(1, false);
  auto lostVal = b->purse().execute(protocol::apdus::val(*val));
  BOOST_TEST(!lostVal.isOk());
  BOOST_TEST(!lostVal.refusal().has_value(), "a dead card answered: " << why(lostVal));
  b.reset();

  // Power comes back on the same image: the power-up abort already logged pd in epv.
  b = plug(1, "payee.img");
  const auto bRestarted = status(*b);
  BOOST_TEST((bRestarted.protocol == ProtocolStatus::kIdle));
  BOOST_TEST(bRestarted.balance == bBefore.balance);
  BOOST_TEST(holds(exceptionLog(*b), *pd, ProtocolStatus::kEpv));
  // The payer still waits in epa: VAL cannot be relayed to the new power session.
  BOOST_TEST((status(*a).protocol == ProtocolStatus::kEpa));
  auto late = b->purse().execute(protocol::apdus::val(*val));
  BOOST_TEST(late.refusedWith(sw::kConditionsNotSatisfied), why(late));

  auto report = terminal::recover(a->purse(), b->purse());
  BOOST_TEST_REQUIRE(report.isOk(), why(report));
  BOOST_TEST_REQUIRE(report->findings.size() == 1u);
  BOOST_TEST((report->findings[0].pd == *pd));
  BOOST_TEST((report->findings[0].fate == terminal::TransferFate::kValueLost),
             terminal::transferFateName(report->findings[0].fate));
  BOOST_TEST(holds(report->payerLog, *pd, ProtocolStatus::kEpa));
  BOOST_TEST(holds(report->payeeLog, *pd, ProtocolStatus::kEpv));
  BOOST_TEST(report->payerLog.size() == 1u);
  BOOST_TEST(report->payeeLog.size() == 1u);

  // Consistent: the payer paid, the payee was never credited, and both logs prove the loss.
  const auto aAfter = status(*a), bAfter = status(*b);
  BOOST_TEST((aAfter.protocol == ProtocolStatus::kIdle && bAfter.protocol == ProtocolStatus::kIdle));
  BOOST_TEST(aAfter.balance == aBefore.balance - 1500);
  BOOST_TEST(bAfter.balance == bBefore.balance);
  BOOST_TEST(aAfter.balance + bAfter.balance + pd->value == aBefore.balance + bBefore.balance);
  BOOST_TEST(holds(exceptionLog(*a), *pd, ProtocolStatus::kEpa));
  BOOST_TEST(holds(exceptionLog(*b), *pd, ProtocolStatus::kEpv));
  const auto logA = transactionLog(*a);
  BOOST_TEST((logA.back().type == LogType::kTransferOut && logA.back().details == *pd));
  const auto logB = transactionLog(*b);
  BOOST_TEST(!(logB.back().details == *pd), "the payee logged the transfer it never got");
  checkChain(*a, "payer");
  checkChain(*b, "payee");

  // Recovering again finds the same and logs nothing new.
  auto again = terminal::recover(a->purse(), b->purse());
  BOOST_TEST_REQUIRE(again.isOk(), why(again));
  BOOST_TEST(again->payerLog.size() == 1u);
  BOOST_TEST(again->payeeLog.size() == 1u);

  // Both purses go on working.
  transfer(*a, *b, 200, 3);
  audit(*a, *b);
  audit(*b, *a);
}

BOOST_AUTO_TEST_CASE(payer_killed_after_start_to_nothing_moves) {
  auto a = plug(0, "payer.img");
  auto b = plug(1, "payee.img");
  personalise(*a, *b);
  load(*a, 5000);
  const auto aBefore = status(*a), bBefore = status(*b);

  terminal::TransferSession session(a->purse(), b->purse(), 700, reference(1));
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  auto pd = session.startFrom();
  BOOST_TEST_REQUIRE(pd.isOk(), why(pd));
  auto req = session.startTo();
  BOOST_TEST_REQUIRE(req.isOk(), why(req));
  BOOST_TEST((status(*a).protocol == ProtocolStatus::kEpr));
  BOOST_TEST((status(*b).protocol == ProtocolStatus::kEpv));

  // The payer's card process dies before REQ reaches it; it comes back on the same image.
  a = replug(a, SIGKILL, kExitKilled);
  const auto aRestarted = status(*a);
  BOOST_TEST((aRestarted.protocol == ProtocolStatus::kIdle));  // the power-up abort, nothing to log in epr
  BOOST_TEST(aRestarted.balance == aBefore.balance);
  BOOST_TEST(exceptionLog(*a).empty());
  // REQ is refused now: the payer is no longer in epr, so no value can leave.
  auto lateReq = a->purse().execute(protocol::apdus::req(*req));
  BOOST_TEST(lateReq.refusedWith(sw::kConditionsNotSatisfied), why(lateReq));
  BOOST_TEST(status(*a).balance == aBefore.balance);

  auto report = terminal::recover(a->purse(), b->purse());
  BOOST_TEST_REQUIRE(report.isOk(), why(report));
  BOOST_TEST_REQUIRE(report->findings.size() == 1u);
  BOOST_TEST((report->findings[0].pd == *pd));
  BOOST_TEST((report->findings[0].fate == terminal::TransferFate::kNothingMoved),
             terminal::transferFateName(report->findings[0].fate));
  BOOST_TEST(report->payerLog.empty());
  BOOST_TEST(holds(report->payeeLog, *pd, ProtocolStatus::kEpv));

  const auto aAfter = status(*a), bAfter = status(*b);
  BOOST_TEST(aAfter.balance == aBefore.balance);
  BOOST_TEST(bAfter.balance == bBefore.balance);
  BOOST_TEST((aAfter.protocol == ProtocolStatus::kIdle && bAfter.protocol == ProtocolStatus::kIdle));
  BOOST_TEST(aAfter.logAppended == aBefore.logAppended);
  BOOST_TEST(bAfter.logAppended == bBefore.logAppended);
  checkChain(*a, "payer");
  checkChain(*b, "payee");

  transfer(*a, *b, 700, 2);
  BOOST_TEST(status(*b).balance == bBefore.balance + 700);
}

BOOST_AUTO_TEST_SUITE_END()
