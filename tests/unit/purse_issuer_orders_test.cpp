// The issuer's orders after personalisation (card/purse/purse_audit.cpp): CLEAR EXCEPTION
// LOG (and how aborted transfers fill the exception log), PUT REVOCATION LIST and SET LIFE
// CYCLE, and the admin counter at its last value. Each success with its effect checked
// (records field by field, digests computed here); each refusal with its exact status word
// and the card image byte for byte unchanged.
#define BOOST_TEST_MODULE purse_issuer_orders
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "card/purse/purse_layout.h"
#include "protocol/card_certificate.h"
#include "protocol/log_record.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_status.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_memory.h"
#include "tests/support/purse_records.h"
#include "tests/support/purse_transfers.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::LifeCycle;
using protocol::LifeCycleChange;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
using protocol::PurseStatus;
namespace apdus = protocol::apdus;
namespace purse_sw = protocol::purse_sw;

}  // namespace

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(clear_exception_log)

BOOST_AUTO_TEST_CASE(aborts_in_epv_and_epa_log_pd_and_in_epr_nothing) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 5000);
  auto payee = makePurse(issuer, 2, 0);
  const PaymentDetails pd = leaveException(*payer, *payee, 150, 9);
  const PaymentDetails expectedPd = paymentDetails(testPurseId(1), 1, testPurseId(2), 1, 150, kEuro, referenceOf(9));
  BOOST_TEST((pd == expectedPd), "pd " << hx(pd.encode()));
  const auto payeeLog = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(payeeLog.size() == 1u);
  checkExceptionRecord(payeeLog[0], 1, ProtocolStatus::kEpv, expectedPd, "the payee's record");
  BOOST_TEST(recordsNewestFirst(*payer, kExLog).empty(), "the payer in epr logs nothing");
  BOOST_TEST(payee->status().exceptionsHeld == 1);
  BOOST_TEST((payee->status().protocol == ProtocolStatus::kIdle));

  // The payer debited (REQ accepted, epa) and aborted: it logs pd too, as aborted in epa.
  terminal::TransferSession session(payer->client(), payee->client(), 300, referenceOf(3));
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  BOOST_TEST_REQUIRE(session.startFrom().isOk());
  auto req = session.startTo();
  BOOST_TEST_REQUIRE(req.isOk());
  BOOST_TEST_REQUIRE(session.req(*req).isOk());
  (void)expectOk(*payer, apdus::abortTransfer(), "ABORT payer in epa");
  const PaymentDetails pd2 = paymentDetails(testPurseId(1), 2, testPurseId(2), 2, 300, kEuro, referenceOf(3));
  const auto payerLog = recordsNewestFirst(*payer, kExLog);
  BOOST_TEST_REQUIRE(payerLog.size() == 1u);
  checkExceptionRecord(payerLog[0], 1, ProtocolStatus::kEpa, pd2, "the payer's record");
  BOOST_TEST(payer->status().balance == 5000u - 300, "the value left the payer");
  // The payee, still in epv, aborts at power-up.
  payee->powerCycle();
  const auto payeeLog2 = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(payeeLog2.size() == 2u);
  checkExceptionRecord(payeeLog2[0], 2, ProtocolStatus::kEpv, pd2, "newest first");
}

BOOST_AUTO_TEST_CASE(a_clear_order_removes_exactly_the_records_it_names) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 5000);
  auto payee = makePurse(issuer, 2, 0);
  for (std::uint8_t i = 1; i <= 3; ++i) (void)leaveException(*payer, *payee, 100u * i, i);
  auto held = recordsNewestFirst(*payee, kExLog);  // numbers 3, 2, 1
  BOOST_TEST_REQUIRE(held.size() == 3u);
  const Bytes r1 = held[2], r2 = held[1], r3 = held[0];
  BOOST_TEST(exceptionRecordOf(r1).number == 1u);
  BOOST_TEST(exceptionRecordOf(r3).number == 3u);

  const PurseStatus before = payee->status();
  BOOST_TEST(expectOk(*payee, clearCommand(issuer, testPurseId(2), {2}, digestOf({r2})), "CLEAR {2}").empty());
  PurseStatus expected = before;
  expected.exceptionsHeld = 2;
  BOOST_TEST((payee->status() == expected), "only the exception count changed");
  held = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(held.size() == 2u);
  BOOST_TEST(hx(held[0]) == hx(r3));
  BOOST_TEST(hx(held[1]) == hx(r1));
  const Bytes audit = auditOf(*payee, kExLog, Bytes(8, 0));
  const auto head = required(protocol::AuditHead::decode(headOf(audit, protocol::AuditHead::kSize)), "audit head");
  BOOST_TEST(head.appended == 3u, "records ever appended stays 3");
  BOOST_TEST(hx(head.headHash) == hx(digestOf({r1, r3})));

  // Numbers never repeat: the next exception is number 4.
  (void)leaveException(*payer, *payee, 400, 4);
  held = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(held.size() == 3u);
  const Bytes r4 = held[0];
  BOOST_TEST(exceptionRecordOf(r4).number == 4u);
  // Two at once, named newest first: the digest covers them in the order named.
  (void)expectOk(*payee, clearCommand(issuer, testPurseId(2), {4, 1}, digestOf({r4, r1})), "CLEAR {4, 1}");
  held = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(held.size() == 1u);
  BOOST_TEST(hx(held[0]) == hx(r3));
  (void)expectOk(*payee, clearCommand(issuer, testPurseId(2), {3}, digestOf({r3})), "CLEAR {3}");
  BOOST_TEST(recordsNewestFirst(*payee, kExLog).empty());
  BOOST_TEST(payee->status().exceptionsHeld == 0);
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  auto payer = makePurse(issuer, 1, 5000);
  auto payee = makePurse(issuer, 2, 0);
  for (std::uint8_t i = 1; i <= 2; ++i) (void)leaveException(*payer, *payee, 100u * i, i);
  const auto held = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(held.size() == 2u);
  const Bytes r1 = held[1], r2 = held[0];
  const auto id = testPurseId(2);
  const CommandApdu good = clearCommand(issuer, id, {1, 2}, digestOf({r1, r2}));

  expectRefused(*payee, withP1P2(good, 0x01, 0x00), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*payee, withP1P2(good, 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(*payee, withDataResized(good, 63), sw::kWrongLength, "less than a signature");
  expectRefused(*payee, CommandApdu(0x80, protocol::kInsClearExceptionLog, 0, 0), sw::kWrongLength, "no data");
  expectRefused(*payee, withData(good, cat({Bytes{0}, Bytes(32, 0), Bytes(64, 0)})), sw::kWrongLength,
                "naming 0 records");
  expectRefused(*payee, withData(good, cat({Bytes{9}, Bytes(36, 0), Bytes(32, 0), Bytes(64, 0)})), sw::kWrongLength,
                "naming 9 records");
  expectRefused(*payee, withData(good, cat({Bytes{2}, Bytes(4, 0), Bytes(32, 0), Bytes(64, 0)})), sw::kWrongLength,
                "a count of 2 with one number");
  expectRefused(*payee, withDataResized(good, good.data().size() + 1), sw::kWrongLength, "one byte more");

  expectRefused(*payee, clearCommand(another, id, {1, 2}, digestOf({r1, r2})), sw::kSecurityStatusNotSatisfied,
                "signed by another issuer");
  expectRefused(*payee, clearCommand(issuer, testPurseId(1), {1, 2}, digestOf({r1, r2})),
                sw::kSecurityStatusNotSatisfied, "an order for another purse", {payer.get()});
  expectRefused(*payee, withDataBitFlipped(good, 1 + 8 + 5), sw::kSecurityStatusNotSatisfied, "the digest altered");
  expectRefused(*payee, withDataBitFlipped(good, 4), sw::kSecurityStatusNotSatisfied, "a number altered");
  expectRefused(*payee, withDataBitFlipped(good, good.data().size() - 1), sw::kSecurityStatusNotSatisfied,
                "the signature altered");

  expectRefused(*payee, clearCommand(issuer, id, {1, 2}, digestOf({r2, r1})), sw::kWrongData,
                "digest in the other order");
  expectRefused(*payee, clearCommand(issuer, id, {1}, digestOf({r2})), sw::kWrongData, "digest of another record");
  expectRefused(*payee, clearCommand(issuer, id, {1}, protocol::Digest{}), sw::kWrongData, "zero digest");
  expectRefused(*payee, clearCommand(issuer, id, {99}, digestOf({r1})), sw::kReferencedDataNotFound,
                "an unknown number");
  expectRefused(*payee, clearCommand(issuer, id, {0}, digestOf({r1})), sw::kReferencedDataNotFound, "number 0");
  expectRefused(*payee, clearCommand(issuer, id, {1, 3}, digestOf({r1})), sw::kReferencedDataNotFound,
                "one known, one unknown");
  expectRefused(*payee, clearCommand(issuer, id, {1, 1}, digestOf({r1, r1})), sw::kReferencedDataNotFound,
                "the same number twice");

  (void)expectOk(*payee, good, "CLEAR {1, 2}");
  expectRefused(*payee, good, sw::kReferencedDataNotFound, "the same order replayed");
  expectRefused(*payer, clearCommand(issuer, testPurseId(1), {1}, digestOf({r1})), sw::kReferencedDataNotFound,
                "a purse with an empty log");

  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");
  expectRefused(blank, withDataResized(good, 10), sw::kConditionsNotSatisfied,
                "the life cycle is checked before the length");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(put_revocation_list)

BOOST_AUTO_TEST_CASE(only_a_newer_version_is_taken) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  expectRefused(*purse, revocationCommand(issuer, 0, {}), sw::kConditionsNotSatisfied,
                "version 0 on a purse that has version 0");
  const PurseStatus before = purse->status();
  BOOST_TEST(expectOk(*purse, revocationCommand(issuer, 1, {testPurseId(9)}), "version 1").empty());
  PurseStatus expected = before;
  expected.revocationVersion = 1;
  BOOST_TEST((purse->status() == expected), "only the version changed in the status record");
  expectRefused(*purse, revocationCommand(issuer, 1, {}), sw::kConditionsNotSatisfied, "version 1 again");
  (void)expectOk(*purse, revocationCommand(issuer, 5, {}), "version 5");
  expectRefused(*purse, revocationCommand(issuer, 4, {}), sw::kConditionsNotSatisfied, "version 4 after 5");
  expectRefused(*purse, revocationCommand(issuer, 5, {testPurseId(3)}), sw::kConditionsNotSatisfied,
                "another version 5");
  (void)expectOk(*purse, revocationCommand(issuer, 0xFFFFFFFF, {}), "the highest version");
  BOOST_TEST(purse->status().revocationVersion == 0xFFFFFFFFu);
}

BOOST_AUTO_TEST_CASE(a_revoked_counterparty_cannot_start_a_transfer) {
  TestIssuer issuer;
  auto a = makePurse(issuer, 1, 5000);
  auto b = makePurse(issuer, 2, 1000);
  // A revokes B (last of a full list of 32); B revokes A.
  std::vector<protocol::PurseId> many;
  for (std::uint8_t i = 0; i < 31; ++i) many.push_back(testPurseId(static_cast<std::uint8_t>(100 + i)));
  many.push_back(testPurseId(2));
  (void)expectOk(*a, revocationCommand(issuer, 1, many), "A: 32 entries, B last");
  (void)expectOk(*b, revocationCommand(issuer, 1, {testPurseId(1)}), "B: A revoked");
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 100)), sw::kSecurityStatusNotSatisfied,
                "START FROM naming a revoked payee");
  expectRefused(*a, apdus::startTo(startOrderNaming(*b, 100)), sw::kSecurityStatusNotSatisfied,
                "START TO naming a revoked payer");
  expectRefused(*b, apdus::startTo(startOrderNaming(*a, 100)), sw::kSecurityStatusNotSatisfied,
                "START TO naming a revoked payer");
  expectRefused(*b, apdus::startFrom(startOrderNaming(*a, 100)), sw::kSecurityStatusNotSatisfied,
                "START FROM naming a revoked payee");

  // Newer lists without them: the transfer goes through.
  (void)expectOk(*a, revocationCommand(issuer, 2, {}), "A: empty list");
  (void)expectOk(*b, revocationCommand(issuer, 2, {testPurseId(7)}), "B: another purse revoked");
  auto done = terminal::runTransfer(a->client(), b->client(), 700, referenceOf(1));
  BOOST_TEST_REQUIRE(done.isOk(), why(done));
  BOOST_TEST(a->status().balance == 5000u - 700);
  BOOST_TEST(b->status().balance == 1000u + 700);
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  auto purse = makePurse(issuer, 1, 0);
  const CommandApdu good = revocationCommand(issuer, 1, {testPurseId(5)});
  expectRefused(*purse, withP1P2(good, 0x01, 0x00), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(*purse, withDataResized(good, 63), sw::kWrongLength, "less than a signature");
  expectRefused(*purse, withData(good, cat({h("0000000100"), Bytes(7, 0), Bytes(64, 0)})), sw::kWrongLength,
                "a count of 0 and 7 bytes more");
  expectRefused(*purse, withData(good, cat({h("0000000101"), Bytes(7, 0), Bytes(64, 0)})), sw::kWrongLength,
                "an ID of 7 bytes");
  expectRefused(*purse, withData(good, cat({h("0000000121"), Bytes(33 * 8, 0), Bytes(64, 0)})), sw::kWrongLength,
                "33 entries");
  expectRefused(*purse, withData(good, cat({h("00000001"), Bytes(64, 0)})), sw::kWrongLength, "no count");
  expectRefused(*purse, revocationCommand(another, 1, {testPurseId(5)}), sw::kSecurityStatusNotSatisfied,
                "signed by another issuer");
  expectRefused(*purse, withDataBitFlipped(good, 5), sw::kSecurityStatusNotSatisfied, "an ID altered");
  expectRefused(*purse, withDataBitFlipped(good, 3), sw::kSecurityStatusNotSatisfied, "the version altered");
  expectRefused(*purse, withDataBitFlipped(good, good.data().size() - 1), sw::kSecurityStatusNotSatisfied,
                "the signature altered");
  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 2);
  expectRefused(*notYet.purse, good, sw::kConditionsNotSatisfied, "not yet personalised");
  (void)expectOk(*purse, good, "the genuine list");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(set_life_cycle)

BOOST_AUTO_TEST_CASE(block_stops_value_and_pin_commands_until_unblocked) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 3000);
  auto other = makePurse(issuer, 2, 3000);
  const auto id = testPurseId(1);
  verifyPinOk(*purse, "1234");
  const PurseStatus before = purse->status();
  BOOST_TEST(expectOk(*purse, lifeCycleCommand(issuer, id, 0, LifeCycleChange::kBlock), "block").empty());
  PurseStatus expected = before;
  expected.lifeCycle = LifeCycle::kBlocked;
  expected.adminCounter = 1;
  expected.pinVerified = false;
  BOOST_TEST((purse->status() == expected), "blocked, admin counter 1, verification gone, nothing else");
  const Bytes fci = expectOkUnchanged(*purse, apdus::selectPurse(), "SELECT blocked");
  BOOST_TEST(hx(fci).substr(hx(fci).size() - 2) == "02", "the FCI shows the blocked life cycle");

  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 10)), sw::kConditionsNotSatisfied, "LOAD blocked");
  expectRefused(*purse, apdus::verifyPin(pinBlock("1234")), sw::kConditionsNotSatisfied, "VERIFY blocked");
  expectRefused(*purse, apdus::pinTriesLeft(), sw::kConditionsNotSatisfied, "VERIFY without data blocked");
  expectRefused(*purse, apdus::changePin(pinBlock("1234"), pinBlock("4321")), sw::kConditionsNotSatisfied,
                "CHANGE blocked");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(1, 10)), sw::kConditionsNotSatisfied, "UNLOAD blocked");
  expectRefused(*purse, apdus::startFrom(startOrderNaming(*other, 10)), sw::kConditionsNotSatisfied,
                "START FROM blocked");
  expectRefused(*purse, apdus::startTo(startOrderNaming(*other, 10)), sw::kConditionsNotSatisfied, "START TO blocked");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 1, LifeCycleChange::kBlock), sw::kConditionsNotSatisfied,
                "block again");
  // The issuer still reads it and still administers it.
  (void)expectOkUnchanged(*purse, apdus::getData(0x0101), "GET DATA blocked");
  (void)expectOkUnchanged(*purse, apdus::readRecord(kTxLog, 1), "READ RECORD blocked");
  (void)auditOf(*purse, kTxLog, Bytes(8, 0));
  (void)expectOkUnchanged(*purse, apdus::abortTransfer(), "ABORT blocked, idle");
  (void)expectOk(*purse, unblockCommand(issuer, id, 1, pinBlock("2222")), "RESET RETRY COUNTER blocked");
  (void)expectOk(*purse, revocationCommand(issuer, 1, {}), "PUT REVOCATION LIST blocked");
  BOOST_TEST(purse->status().adminCounter == 2u);

  (void)expectOk(*purse, lifeCycleCommand(issuer, id, 2, LifeCycleChange::kUnblock), "unblock");
  BOOST_TEST((purse->status().lifeCycle == LifeCycle::kPersonalised));
  BOOST_TEST(purse->status().adminCounter == 3u);
  expectRefused(*purse, lifeCycleCommand(issuer, id, 3, LifeCycleChange::kUnblock), sw::kConditionsNotSatisfied,
                "unblock again");
  (void)expectOk(*purse, loadCommand(issuer, id, valueOrder(1, 10)), "LOAD after unblock");
  verifyPinOk(*purse, "2222");
  BOOST_TEST(purse->status().balance == 3010u);
}

BOOST_AUTO_TEST_CASE(terminate_is_final_from_personalised_or_blocked) {
  TestIssuer issuer;
  for (bool blockFirst : {false, true}) {
    auto purse = makePurse(issuer, 1, 3000);
    auto other = makePurse(issuer, 2, 3000);
    const auto id = testPurseId(1);
    std::uint32_t counter = 0;
    if (blockFirst) (void)expectOk(*purse, lifeCycleCommand(issuer, id, counter++, LifeCycleChange::kBlock), "block");
    (void)expectOk(*purse, lifeCycleCommand(issuer, id, counter++, LifeCycleChange::kTerminate), "terminate");
    const PurseStatus st = purse->status();
    BOOST_TEST((st.lifeCycle == LifeCycle::kTerminated));
    BOOST_TEST(st.adminCounter == counter);
    BOOST_TEST(st.balance == 3000u, "termination does not touch the balance");
    const std::string when = blockFirst ? " (terminated when blocked)" : " (terminated when personalised)";

    for (auto change : {LifeCycleChange::kBlock, LifeCycleChange::kUnblock, LifeCycleChange::kTerminate}) {
      expectRefused(*purse, lifeCycleCommand(issuer, id, counter, change), sw::kConditionsNotSatisfied,
                    "SET LIFE CYCLE" + when);
    }
    expectRefused(*purse, unblockCommand(issuer, id, counter, pinBlock("1111")), sw::kConditionsNotSatisfied,
                  "RESET" + when);
    expectRefused(*purse, revocationCommand(issuer, 9, {}), sw::kConditionsNotSatisfied, "PUT REVOCATION LIST" + when);
    expectRefused(*purse, clearCommand(issuer, id, {1}, protocol::Digest{}), sw::kConditionsNotSatisfied,
                  "CLEAR" + when);
    expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 10)), sw::kConditionsNotSatisfied, "LOAD" + when);
    expectRefused(*purse, unloadCommand(issuer, id, valueOrder(1, 10)), sw::kConditionsNotSatisfied, "UNLOAD" + when);
    expectRefused(*purse, apdus::verifyPin(pinBlock("1234")), sw::kConditionsNotSatisfied, "VERIFY" + when);
    expectRefused(*purse, apdus::changePin(pinBlock("1234"), pinBlock("4321")), sw::kConditionsNotSatisfied,
                  "CHANGE" + when);
    expectRefused(*purse, apdus::startFrom(startOrderNaming(*other, 10)), sw::kConditionsNotSatisfied,
                  "START FROM" + when);
    expectRefused(*purse, apdus::startTo(startOrderNaming(*other, 10)), sw::kConditionsNotSatisfied, "START TO" + when);
    // What it holds can still be read and audited.
    (void)expectOkUnchanged(*purse, apdus::getData(0x0101), "GET DATA" + when);
    (void)expectOkUnchanged(*purse, apdus::readRecord(kTxLog, 1), "READ RECORD" + when);
    (void)auditOf(*purse, kTxLog, Bytes(8, 0));
    (void)expectOkUnchanged(*purse, apdus::abortTransfer(), "ABORT" + when);
    const Bytes fci = expectOkUnchanged(*purse, apdus::selectPurse(), "SELECT" + when);
    BOOST_TEST(hx(fci).substr(hx(fci).size() - 2) == "03", "the FCI shows the terminated life cycle");
  }
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  auto purse = makePurse(issuer, 1, 1000);
  auto other = makePurse(issuer, 2, 1000);
  const auto id = testPurseId(1);
  const CommandApdu good = lifeCycleCommand(issuer, id, 0, LifeCycleChange::kBlock);
  expectRefused(*purse, withP1P2(good, 0x01, 0x00), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(*purse, withDataResized(good, 68), sw::kWrongLength, "68 bytes");
  expectRefused(*purse, withDataResized(good, 70), sw::kWrongLength, "70 bytes");
  expectRefused(*purse, CommandApdu(0x80, protocol::kInsSetLifeCycle, 0, 0), sw::kWrongLength, "no data");
  expectRefused(*purse, lifeCycleCommand(another, id, 0, LifeCycleChange::kBlock), sw::kSecurityStatusNotSatisfied,
                "another issuer");
  expectRefused(*purse, lifeCycleCommand(issuer, testPurseId(2), 0, LifeCycleChange::kBlock),
                sw::kSecurityStatusNotSatisfied, "an order for another purse", {other.get()});
  expectRefused(*purse, withDataBitFlipped(good, 4, 1), sw::kSecurityStatusNotSatisfied,
                "block altered into terminate");
  expectRefused(*purse, withDataBitFlipped(good, 5 + 10), sw::kSecurityStatusNotSatisfied, "the signature altered");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 0, static_cast<LifeCycleChange>(0)), sw::kWrongData,
                "a signed order with change 0");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 0, static_cast<LifeCycleChange>(4)), sw::kWrongData,
                "a signed order with change 4");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 1, LifeCycleChange::kBlock), sw::kConditionsNotSatisfied,
                "a later counter");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 0, LifeCycleChange::kUnblock), sw::kConditionsNotSatisfied,
                "unblock a purse that is not blocked");

  // The admin counter is shared with RESET RETRY COUNTER.
  (void)expectOk(*purse, unblockCommand(issuer, id, 0, pinBlock("1234")), "RESET RETRY COUNTER 0");
  expectRefused(*purse, good, sw::kConditionsNotSatisfied, "a life-cycle order for a counter a PIN order used");
  const CommandApdu block1 = lifeCycleCommand(issuer, id, 1, LifeCycleChange::kBlock);
  (void)expectOk(*purse, block1, "block");
  expectRefused(*purse, block1, sw::kConditionsNotSatisfied, "replayed");

  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");
  expectRefused(blank, withDataResized(good, 68), sw::kConditionsNotSatisfied,
                "the life cycle is checked before the length");
  Staged notYet = staged(issuer, Stage::kData, 3);
  expectRefused(*notYet.purse, lifeCycleCommand(issuer, testPurseId(3), 0, LifeCycleChange::kBlock),
                sw::kConditionsNotSatisfied, "not yet personalised");
}

BOOST_AUTO_TEST_CASE(no_life_cycle_change_while_a_transfer_is_in_progress) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 0);
  (void)expectOk(*payer, apdus::startFrom(startOrderNaming(*payee, 100)), "START FROM");
  (void)expectOk(*payee, apdus::startTo(startOrderNaming(*payer, 100)), "START TO");
  for (auto change : {LifeCycleChange::kBlock, LifeCycleChange::kTerminate}) {
    expectRefused(*payer, lifeCycleCommand(issuer, testPurseId(1), 0, change), sw::kConditionsNotSatisfied,
                  "payer in epr");
    expectRefused(*payee, lifeCycleCommand(issuer, testPurseId(2), 0, change), sw::kConditionsNotSatisfied,
                  "payee in epv");
  }
  (void)expectOk(*payer, apdus::abortTransfer(), "ABORT");
  (void)expectOk(*payer, lifeCycleCommand(issuer, testPurseId(1), 0, LifeCycleChange::kBlock), "block when idle");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
// Counters and record numbers never wrap: 9404 before a command that would need a number
// past FFFFFFFF; memory no command could have written is 6581. The purse is put there by
// writing its memory directly (patchPurse).
BOOST_AUTO_TEST_SUITE(counters_and_corrupt_memory)

namespace layout = card::purse_layout;

BOOST_AUTO_TEST_CASE(pin_and_life_cycle_orders_at_the_last_admin_counter) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  patchPurse(*purse, layout::kAdminCounter, u32(0xFFFFFFFF));
  BOOST_TEST_REQUIRE(purse->status().adminCounter == 0xFFFFFFFFu);
  const auto id = testPurseId(1);
  expectRefused(*purse, unblockCommand(issuer, id, 0xFFFFFFFF, pinBlock("5555")), purse_sw::kSequenceExhausted,
                "RESET RETRY COUNTER at admin counter FFFFFFFF");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 0xFFFFFFFF, LifeCycleChange::kBlock),
                purse_sw::kSequenceExhausted, "SET LIFE CYCLE at admin counter FFFFFFFF");
  expectRefused(*purse, unblockCommand(issuer, id, 0, pinBlock("5555")), sw::kConditionsNotSatisfied,
                "RESET with counter 0");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
