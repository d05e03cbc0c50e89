// The issuer's value orders (card/purse/purse_value.cpp): LOAD and UNLOAD. Each success with
// its effect checked (balances and counters by arithmetic, the receipt and the log record
// field by field, the chain hash computed here, signatures verified with the certified card
// key); each refusal with its exact status word and the card image byte for byte unchanged;
// and the load counter and record numbers at their last values.
#define BOOST_TEST_MODULE purse_value
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "card/purse/purse_layout.h"
#include "host/card_statements.h"
#include "protocol/card_certificate.h"
#include "protocol/log_record.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_status.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_memory.h"
#include "tests/support/purse_records.h"
#include "tests/support/purse_transfers.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::Amount;
using protocol::CardCertificate;
using protocol::ProtocolStatus;
using protocol::PurseStatus;
namespace apdus = protocol::apdus;
namespace purse_sw = protocol::purse_sw;

}  // namespace

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(load)

BOOST_AUTO_TEST_CASE(a_load_credits_logs_and_answers_a_signed_receipt) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  const auto id = testPurseId(1);
  const CardCertificate cert = certificateOf(*purse);
  const protocol::PurseId issuerSide = keyIdOf(issuer.key().publicKey());  // the issuer's key ID as pd's purse

  Amount balance = 0;
  Bytes previousHash(32, 0);
  std::uint32_t logNumber = 0;
  for (std::uint32_t counter = 0; counter < 3; ++counter) {
    const Amount amount = 1000 + 111 * counter;
    const PurseStatus before = purse->status();
    const Bytes answer = expectOk(*purse, loadCommand(issuer, id, valueOrder(counter, amount)), "LOAD");
    balance += amount;
    ++logNumber;
    BOOST_TEST_REQUIRE(answer.size() == 26u + 64);
    const Bytes receipt = headOf(answer, 26);
    const Bytes signature = tailOf(answer, 26);
    checkValueReceipt(receipt, id, counter, amount, kEuro, balance, logNumber,
                      "receipt of load " + std::to_string(counter));
    BOOST_TEST(signedBy(cert.publicKey, cat({ascii("LRCP"), receipt}), signature), "the card signed the receipt");
    BOOST_TEST(!signedBy(cert.publicKey, cat({ascii("URCP"), receipt}), signature), "not as an unload receipt");
    auto verified =
        host::verifyReceipt(answer, host::ReceiptKind::kLoad, cert, issuer.key().verificationKey());
    BOOST_TEST(verified.isOk(), "verifyReceipt: " << why(verified));
    BOOST_TEST(!host::verifyReceipt(answer, host::ReceiptKind::kUnload, cert, issuer.key().verificationKey()));

    PurseStatus expected = before;
    expected.balance = balance;
    expected.loadCounter = counter + 1;
    expected.logAppended = logNumber;
    BOOST_TEST((purse->status() == expected), "LOAD changed exactly balance, load counter and log");

    const Bytes record = newestRecord(*purse);
    // A load's pd: from the issuer key ID at the load counter, to this purse at 0, no reference.
    checkLogRecord(record, logNumber, protocol::LogType::kLoad,
                   paymentDetails(issuerSide, counter, id, 0, amount, kEuro), balance, previousHash,
                   "the log record of load " + std::to_string(counter));
    previousHash = chainHashOf(record);
  }
  BOOST_TEST(balance == 1000u + 1111u + 1222u);
  BOOST_TEST(!purse->status().pinVerified, "a load needs no PIN");
}

BOOST_AUTO_TEST_CASE(the_card_date_moves_forward_only) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);  // date 20261123
  (void)expectOk(*purse, loadCommand(issuer, testPurseId(1), valueOrder(0, 10, kEuro, 20261201)), "LOAD later");
  BOOST_TEST(purse->status().date == 20261201u);
  (void)expectOk(*purse, loadCommand(issuer, testPurseId(1), valueOrder(1, 10, kEuro, 20250101)), "LOAD earlier");
  BOOST_TEST(purse->status().date == 20261201u, "an earlier date does not set the clock back");
  BOOST_TEST(purse->status().balance == 20u);
}

BOOST_AUTO_TEST_CASE(the_maximum_balance_is_reachable_and_not_passable) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 99000);  // max 100000
  const auto id = testPurseId(1);
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 1001)), purse_sw::kMaxBalanceExceeded, "1 over");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 0xFFFFFFFF)), purse_sw::kMaxBalanceExceeded,
                "an amount that would overflow 32 bits");
  (void)expectOk(*purse, loadCommand(issuer, id, valueOrder(1, 1000)), "LOAD up to the maximum");
  BOOST_TEST(purse->status().balance == 100000u);
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(2, 1)), purse_sw::kMaxBalanceExceeded, "1 more at max");
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  auto purse = makePurse(issuer, 1, 500);  // load counter now 1
  auto other = makePurse(issuer, 2, 0);
  const auto id = testPurseId(1);
  const CommandApdu good = loadCommand(issuer, id, valueOrder(1, 250));
  expectRefused(*purse, withP1P2(good, 0x01, 0x00), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(*purse, withDataResized(good, 77), sw::kWrongLength, "77 bytes");
  expectRefused(*purse, withDataResized(good, 79), sw::kWrongLength, "79 bytes");
  expectRefused(*purse, CommandApdu(0x80, protocol::kInsLoad, 0, 0, {}, 256), sw::kWrongLength, "no data");
  expectRefused(*purse, withDataBitFlipped(good, 7), sw::kSecurityStatusNotSatisfied, "the amount altered (one bit)");
  expectRefused(*purse, withDataBitFlipped(good, 3), sw::kSecurityStatusNotSatisfied, "the counter altered");
  expectRefused(*purse, withDataBitFlipped(good, 9), sw::kSecurityStatusNotSatisfied, "the currency altered");
  expectRefused(*purse, withDataBitFlipped(good, 14 + 20), sw::kSecurityStatusNotSatisfied, "the signature altered");
  expectRefused(*purse, loadCommand(another, id, valueOrder(1, 250)), sw::kSecurityStatusNotSatisfied,
                "signed by another issuer");
  expectRefused(*purse, loadCommand(issuer, testPurseId(2), valueOrder(1, 250)), sw::kSecurityStatusNotSatisfied,
                "an order for another purse", {other.get()});
  const CommandApdu unloadOrder = unloadCommand(issuer, id, valueOrder(1, 250));
  expectRefused(*purse, withHeader(unloadOrder, 0x80, protocol::kInsLoad, 0, 0), sw::kSecurityStatusNotSatisfied,
                "an UNLOAD order sent as LOAD");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(0, 250)), sw::kConditionsNotSatisfied, "an old counter");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(2, 250)), sw::kConditionsNotSatisfied, "a later counter");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 250, 840)), sw::kWrongData, "another currency");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 0)), sw::kWrongData, "amount 0");

  // Replay: the order that just worked, again.
  (void)expectOk(*purse, good, "LOAD");
  expectRefused(*purse, good, sw::kConditionsNotSatisfied, "the same order replayed");
  BOOST_TEST(purse->status().balance == 750u);

  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 3);
  expectRefused(*notYet.purse, loadCommand(issuer, testPurseId(3), valueOrder(0, 100)), sw::kConditionsNotSatisfied,
                "personalised data but no certificate");
}

BOOST_AUTO_TEST_CASE(no_load_while_a_transfer_is_in_progress) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 0);
  startTransfer(*payer, *payee, 100, true);
  BOOST_TEST_REQUIRE((payer->status().protocol == ProtocolStatus::kEpr));
  BOOST_TEST_REQUIRE((payee->status().protocol == ProtocolStatus::kEpv));
  expectRefused(*payer, loadCommand(issuer, testPurseId(1), valueOrder(1, 10)), sw::kConditionsNotSatisfied,
                "payer in epr");
  expectRefused(*payee, loadCommand(issuer, testPurseId(2), valueOrder(0, 10)), sw::kConditionsNotSatisfied,
                "payee in epv");
  (void)expectOk(*payer, apdus::abortTransfer(), "ABORT payer");
  (void)expectOk(*payer, loadCommand(issuer, testPurseId(1), valueOrder(1, 10)), "LOAD once idle");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(unload)

BOOST_AUTO_TEST_CASE(an_unload_debits_logs_and_answers_a_signed_receipt) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 3000);  // load counter 1, one log record
  const auto id = testPurseId(1);
  const CardCertificate cert = certificateOf(*purse);
  const Bytes loadRecord = newestRecord(*purse);
  const Bytes previousHash = chainHashOf(loadRecord);
  verifyPinOk(*purse, "1234");
  const PurseStatus before = purse->status();

  const Bytes answer = expectOk(*purse, unloadCommand(issuer, id, valueOrder(1, 1200)), "UNLOAD");
  BOOST_TEST_REQUIRE(answer.size() == 26u + 64);
  const Bytes receipt = headOf(answer, 26);
  const Bytes signature = tailOf(answer, 26);
  checkValueReceipt(receipt, id, 1, 1200, kEuro, 3000 - 1200, 2, "receipt of the unload");
  BOOST_TEST(signedBy(cert.publicKey, cat({ascii("URCP"), receipt}), signature));
  BOOST_TEST(!signedBy(cert.publicKey, cat({ascii("LRCP"), receipt}), signature), "not as a load receipt");
  auto verified = host::verifyReceipt(answer, host::ReceiptKind::kUnload, cert, issuer.key().verificationKey());
  BOOST_TEST(verified.isOk(), "verifyReceipt: " << why(verified));
  BOOST_TEST(!host::verifyReceipt(answer, host::ReceiptKind::kLoad, cert, issuer.key().verificationKey()));

  PurseStatus expected = before;
  expected.balance = 3000 - 1200;
  expected.loadCounter = 2;
  expected.logAppended = 2;
  BOOST_TEST((purse->status() == expected), "UNLOAD changed exactly balance, load counter and log");
  // An unload's pd: from this purse at the load counter, to the issuer key ID at 0.
  const protocol::PurseId issuerSide = keyIdOf(issuer.key().publicKey());
  checkLogRecord(newestRecord(*purse), 2, protocol::LogType::kUnload, paymentDetails(id, 1, issuerSide, 0, 1200, kEuro),
                 1800, previousHash, "the log record of the unload");

  // The whole balance can go; one unit more cannot.
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(2, 1801)), purse_sw::kInsufficientFunds, "1 too much");
  (void)expectOk(*purse, unloadCommand(issuer, id, valueOrder(2, 1800)), "UNLOAD everything");
  BOOST_TEST(purse->status().balance == 0u);
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(3, 1)), purse_sw::kInsufficientFunds, "from empty");
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  TestIssuer another;
  auto purse = makePurse(issuer, 1, 1000);  // load counter 1
  const auto id = testPurseId(1);
  const CommandApdu good = unloadCommand(issuer, id, valueOrder(1, 400));
  expectRefused(*purse, good, sw::kSecurityStatusNotSatisfied, "without the PIN");
  expectRefused(*purse, withDataResized(good, 10), sw::kSecurityStatusNotSatisfied,
                "without the PIN, the PIN is checked first");
  verifyPinOk(*purse, "1234");
  expectRefused(*purse, withP1P2(good, 0x01, 0x00), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(*purse, withDataResized(good, 77), sw::kWrongLength, "77 bytes");
  expectRefused(*purse, withDataResized(good, 79), sw::kWrongLength, "79 bytes");
  expectRefused(*purse, withDataBitFlipped(good, 7), sw::kSecurityStatusNotSatisfied, "the amount altered");
  expectRefused(*purse, unloadCommand(another, id, valueOrder(1, 400)), sw::kSecurityStatusNotSatisfied,
                "signed by another issuer");
  expectRefused(*purse, unloadCommand(issuer, testPurseId(2), valueOrder(1, 400)), sw::kSecurityStatusNotSatisfied,
                "for another purse");
  expectRefused(*purse, withHeader(loadCommand(issuer, id, valueOrder(1, 400)), 0x80, protocol::kInsUnload, 0, 0),
                sw::kSecurityStatusNotSatisfied, "a LOAD order sent as UNLOAD");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(0, 400)), sw::kConditionsNotSatisfied, "an old counter");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(2, 400)), sw::kConditionsNotSatisfied, "a later counter");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(1, 400, 826)), sw::kWrongData, "another currency");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(1, 0)), sw::kWrongData, "amount 0");
  (void)expectOk(*purse, good, "UNLOAD");
  expectRefused(*purse, good, sw::kConditionsNotSatisfied, "replayed");
  // LOAD and UNLOAD share one counter: a LOAD order for the counter the unload used is spent.
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 400)), sw::kConditionsNotSatisfied,
                "LOAD with the unload's counter");
  BOOST_TEST(purse->status().balance == 600u);

  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse");
}

BOOST_AUTO_TEST_CASE(no_unload_while_a_transfer_is_in_progress) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 0);
  verifyPinOk(*payer, "1234");
  startTransfer(*payer, *payee, 100, false);
  BOOST_TEST_REQUIRE(payer->status().pinVerified);
  expectRefused(*payer, unloadCommand(issuer, testPurseId(1), valueOrder(1, 10)), sw::kConditionsNotSatisfied,
                "payer in epr");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
// Counters and record numbers never wrap: 9404 before a command that would need a number
// past FFFFFFFF; memory no command could have written is 6581. The purse is put there by
// writing its memory directly (patchPurse).
BOOST_AUTO_TEST_SUITE(counters_and_corrupt_memory)

namespace layout = card::purse_layout;

BOOST_AUTO_TEST_CASE(load_and_unload_at_the_last_load_counter) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);
  patchPurse(*purse, layout::kLoadCounter, u32(0xFFFFFFFF));
  BOOST_TEST_REQUIRE(purse->status().loadCounter == 0xFFFFFFFFu);
  const auto id = testPurseId(1);
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(0xFFFFFFFF, 10)), purse_sw::kSequenceExhausted,
                "LOAD at load counter FFFFFFFF");
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(0, 10)), sw::kConditionsNotSatisfied, "LOAD with counter 0");
  verifyPinOk(*purse, "1234");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(0xFFFFFFFF, 10)), purse_sw::kSequenceExhausted,
                "UNLOAD at load counter FFFFFFFF");
  BOOST_TEST(purse->status().balance == 1000u);
}

BOOST_AUTO_TEST_CASE(load_up_to_the_last_log_record_number) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);  // load counter 1
  patchPurse(*purse, layout::kLogAppended, u32(0xFFFFFFFE));
  const auto id = testPurseId(1);
  const Bytes answer = expectOk(*purse, loadCommand(issuer, id, valueOrder(1, 10)), "LOAD as record FFFFFFFF");
  BOOST_TEST(required(protocol::ValueReceipt::decode(headOf(answer, protocol::ValueReceipt::kSize)), "receipt")
                     .logNumber == 0xFFFFFFFFu,
             "the receipt names record FFFFFFFF");
  BOOST_TEST(logRecordOf(expectOk(*purse, apdus::readRecord(kTxLog, 1), "READ RECORD 1")).number == 0xFFFFFFFFu);
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(2, 10)), purse_sw::kSequenceExhausted,
                "LOAD with no record number left");
  verifyPinOk(*purse, "1234");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(2, 10)), purse_sw::kSequenceExhausted,
                "UNLOAD with no record number left");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
