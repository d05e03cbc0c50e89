// Fault attacks between two commands: the card stays powered (no power cycle, no reselect,
// its transient state intact, a transfer step half-way) while its persistent memory is
// changed behind the applet's back, the way a laser or glitch would. No command sequence can
// reach these states, so the checks that guard them (REQ's funds, VAL's maximum balance,
// ABORT's free exception slot) are otherwise never exercised. Each refusal must answer its
// status word, leave both images byte for byte as they were, create no value (balances plus
// the values the exception logs hold), and leave a purse that still works.
#define BOOST_TEST_MODULE purse_fault_attack
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "card/persistence/transaction_store.h"
#include "card/purse/purse_layout.h"
#include "card/purse/purse_memory.h"
#include "card/runtime/card_os.h"
#include "card/runtime/persistent_region.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/log_record.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_records.h"
#include "tests/support/purse_transfers.h"

namespace epurse::testing {
namespace {

namespace layout = card::purse_layout;
using checks::expectOk;
using checks::expectRefused;
using checks::required;
using protocol::ProtocolStatus;

// The fault: one transaction of the live card's own store, written through the purse's own
// accessors (PurseMemory over the purse's region, which follows the card directory: it is the
// only applet). The card object is not restarted, so nothing it keeps in RAM is reset.
template <typename Change>
void faultWrite(TestPurse& purse, Change change) {
  card::TransactionStore& store = purse.card().store();
  card::PersistentRegion region(store, card::CardOs::kDirectorySize, layout::kTotalSize);
  card::PurseMemory memory(region);
  BOOST_TEST_REQUIRE(store.begin().isOk());
  change(memory);
  BOOST_TEST_REQUIRE(store.commit().isOk());
}

// The answer of one transfer step the test cannot go on without.
template <typename T>
T stepped(terminal::TransferResult<T> r, const char* what) {
  BOOST_TEST_REQUIRE(r.isOk(), what << ": " << why(r));
  return std::move(*r);
}

// What a purse holds: its balance and the value its exception log records as in doubt.
std::uint64_t valueHeld(TestPurse& purse) {
  std::uint64_t total = purse.status().balance;
  for (const protocol::ExceptionRecord& r : checks::exceptionsOf(purse)) total += r.pd.value;
  return total;
}

std::uint64_t valueHeld(TestPurse& a, TestPurse& b) { return valueHeld(a) + valueHeld(b); }

// The fault, then `command` to the faulted purse: it must answer `expected` and change nothing
// (both images byte for byte, its balance as the fault left it, its protocol state `state`),
// and no value may appear in either purse.
template <typename Change>
void refusedAfterFault(TestPurse& faulted, TestPurse& other, Change fault, const CommandApdu& command,
                       sw::StatusWord expected, const std::string& what, ProtocolStatus state) {
  faultWrite(faulted, fault);
  const protocol::Amount balance = faulted.status().balance;
  const std::uint64_t total = valueHeld(faulted, other);
  expectRefused(faulted, command, expected, what, {&other});
  BOOST_TEST(faulted.status().balance == balance, what << ": the balance changed");
  BOOST_TEST((faulted.status().protocol == state), what << ": the purse left its protocol state");
  BOOST_TEST(valueHeld(faulted, other) == total, what << ": value created");
}

// A transfer both purses can complete from here on: the purse still works.
void transferWorks(TestPurse& payer, TestPurse& payee, protocol::Amount value) {
  const protocol::Amount payerBefore = payer.status().balance;
  const protocol::Amount payeeBefore = payee.status().balance;
  auto done = terminal::runTransfer(payer.client(), payee.client(), value, protocol::PurchaseReference{});
  BOOST_TEST_REQUIRE(done.isOk(), "a transfer after the fault: " << why(done));
  BOOST_TEST(payer.status().balance == payerBefore - value);
  BOOST_TEST(payee.status().balance == payeeBefore + value);
}

}  // namespace

// START FROM saw 1000 for a payment of 500; a fault then leaves 100. Without REQ's own check
// the debit wraps below zero: the payer would hold about 4.29e9, value created.
BOOST_AUTO_TEST_CASE(req_refuses_a_debit_the_balance_lowered_after_start_from_no_longer_covers) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 1000);
  terminal::TransferSession session(payer->client(), payee->client(), 500, protocol::PurchaseReference{});
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  BOOST_TEST_REQUIRE(session.startFrom().isOk());
  const auto req = stepped(session.startTo(), "START TO");

  refusedAfterFault(
      *payer, *payee, [](card::PurseMemory& m) { m.setBalance(100); }, protocol::apdus::req(req),
      protocol::purse_sw::kInsufficientFunds, "REQ for 500 with 100 left", ProtocolStatus::kEpr);
  BOOST_TEST(payer->status().balance == 100u);

  (void)expectOk(*payee, protocol::apdus::abortTransfer(), "ABORT payee in epv");
  (void)expectOk(*payer, protocol::apdus::abortTransfer(), "ABORT payer in epr");
  transferWorks(*payer, *payee, 50);
}

// START TO saw room for 500; a fault then raises the payee's balance to 99800 of 100000.
// Without VAL's own check the credit passes the maximum, and every later read of the balance
// would call the purse corrupt.
BOOST_AUTO_TEST_CASE(val_refuses_a_credit_the_balance_raised_after_start_to_no_longer_has_room_for) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 1000);
  terminal::TransferSession session(payer->client(), payee->client(), 500, protocol::PurchaseReference{});
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  BOOST_TEST_REQUIRE(session.startFrom().isOk());
  const auto req = stepped(session.startTo(), "START TO");
  const auto val = stepped(session.req(req), "REQ");

  const protocol::Amount raised = PurseProfile{}.maxBalance - 200;
  refusedAfterFault(
      *payee, *payer, [raised](card::PurseMemory& m) { m.setBalance(raised); }, protocol::apdus::val(val),
      protocol::purse_sw::kMaxBalanceExceeded, "VAL for 500 with 200 of room", ProtocolStatus::kEpv);
  BOOST_TEST(payee->status().balance == raised);

  // The aborts record the 500 in doubt on both sides, as for any lost VAL.
  (void)expectOk(*payee, protocol::apdus::abortTransfer(), "ABORT payee in epv");
  (void)expectOk(*payer, protocol::apdus::abortTransfer(), "ABORT payer in epa");
  BOOST_TEST(checks::exceptionsOf(*payee).size() == 1u);
  BOOST_TEST(checks::exceptionsOf(*payer).size() == 1u);
  transferWorks(*payee, *payer, 50);
}

// A transfer starts only with a free exception slot; a fault then fills all eight. Without
// ABORT's own check the abort writes a ninth record past the slots (6F00 at best).
BOOST_AUTO_TEST_CASE(abort_refuses_to_log_into_an_exception_log_filled_after_start_to) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 1000);
  checks::startTransfer(*payer, *payee, 10, true);
  BOOST_TEST_REQUIRE((payee->status().protocol == ProtocolStatus::kEpv));

  std::vector<Bytes> planted;
  const auto fillTheLog = [&](card::PurseMemory& m) {
    while (m.exceptionsHeld() < layout::kExceptionCapacity) {
      protocol::ExceptionRecord r;
      r.number = m.exceptionsAppended() + 1;
      r.pd = m.pendingPd();
      planted.push_back(r.encode());
      m.appendExceptionRecord(planted.back(), r.number);
    }
  };
  refusedAfterFault(*payee, *payer, fillTheLog, protocol::apdus::abortTransfer(), sw::kNotEnoughMemory,
                    "ABORT with 8 of 8 slots held", ProtocolStatus::kEpv);
  BOOST_TEST(checks::exceptionsOf(*payee).size() == layout::kExceptionCapacity);

  // Once the issuer has archived and cleared the log, the same ABORT goes through.
  protocol::ExceptionClearOrder clear;
  for (std::uint32_t n = 1; n <= planted.size(); ++n) clear.numbers.push_back(n);
  clear.digest = protocol::exceptionRecordsDigest(planted);
  (void)expectOk(*payee, required(issuer.signer().clearExceptionLog(testPurseId(2), clear), "clear order"),
                 "CLEAR EXCEPTION LOG");
  (void)expectOk(*payee, protocol::apdus::abortTransfer(), "ABORT payee in epv");
  BOOST_TEST(checks::exceptionsOf(*payee).size() == 1u);
  (void)expectOk(*payer, protocol::apdus::abortTransfer(), "ABORT payer in epr");
  transferWorks(*payer, *payee, 50);
}

}  // namespace epurse::testing
