// The value transfer on the card (card/purse/purse_transfer.cpp): START FROM, START TO, REQ,
// VAL, ACK and ABORT, one at a time. Each success with its effect checked (pd and records field
// by field, chain hashes and balances computed here, signatures verified with the certified
// card keys); each refusal with its exact status word and the card image byte for byte
// unchanged; the full exception log and the sequence and record numbers at their last values.
#define BOOST_TEST_MODULE purse_transfer
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
#include "protocol/transfer_messages.h"
#include "terminal/transfer/transfer_driver.h"
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
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
using protocol::PurseStatus;
using protocol::SignedTransferMessage;
using protocol::StartOrder;
namespace apdus = protocol::apdus;
namespace purse_sw = protocol::purse_sw;

}  // namespace

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(transfer_commands)

BOOST_AUTO_TEST_CASE(a_transfer_step_by_step) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 5000);
  auto payee = makePurse(issuer, 2, 1000);
  const CardCertificate payerCert = certificateOf(*payer);
  const CardCertificate payeeCert = certificateOf(*payee);
  const Bytes payerPrevious = chainHashOf(recordsNewestFirst(*payer, kTxLog).front());
  const Bytes payeePrevious = chainHashOf(recordsNewestFirst(*payee, kTxLog).front());
  const PurseStatus payerBefore = payer->status();
  const PurseStatus payeeBefore = payee->status();
  const Amount value = 700;  // within the no-PIN limit
  const PaymentDetails pd = paymentDetails(testPurseId(1), 1, testPurseId(2), 1, value, kEuro, referenceOf(4));
  // Both orders as the terminal reads them before it starts either purse.
  const StartOrder toPayer = startOrderNaming(*payee, value, 4);
  const StartOrder toPayee = startOrderNaming(*payer, value, 4);

  // START FROM: the payer answers pd and waits in epr; nothing moved.
  const Bytes started = expectOk(*payer, apdus::startFrom(toPayer), "START FROM");
  BOOST_TEST((pdOf(started) == pd), "pd " << hx(started));
  PurseStatus payerExpected = payerBefore;
  payerExpected.protocol = ProtocolStatus::kEpr;
  payerExpected.nextSeq = 2;
  BOOST_TEST((payer->status() == payerExpected), "payer: epr and nextSeq 2, nothing else");

  // START TO: the payee answers REQ (pd signed with its key) and waits in epv.
  const Bytes req = expectOk(*payee, apdus::startTo(toPayee), "START TO");
  BOOST_TEST_REQUIRE(req.size() == 126u);
  BOOST_TEST((pdOf(headOf(req, 62)) == pd), "pd in REQ " << hx(req));
  BOOST_TEST(signedBy(payeeCert.publicKey, cat({ascii("REQ"), headOf(req, 62)}), tailOf(req, 62)));
  PurseStatus payeeExpected = payeeBefore;
  payeeExpected.protocol = ProtocolStatus::kEpv;
  payeeExpected.nextSeq = 2;
  BOOST_TEST((payee->status() == payeeExpected), "payee: epv and nextSeq 2, nothing else");

  // REQ: the payer debits, logs, answers VAL and waits in epa.
  const Bytes val = expectOk(*payer, apdus::req(required(SignedTransferMessage::decode(req), "REQ")), "REQ");
  BOOST_TEST_REQUIRE(val.size() == 126u);
  BOOST_TEST((pdOf(headOf(val, 62)) == pd), "pd in VAL " << hx(val));
  BOOST_TEST(signedBy(payerCert.publicKey, cat({ascii("VAL"), headOf(val, 62)}), tailOf(val, 62)));
  payerExpected.protocol = ProtocolStatus::kEpa;
  payerExpected.balance = 5000 - value;
  payerExpected.logAppended = 2;
  BOOST_TEST((payer->status() == payerExpected), "payer: debited, epa, one record more");
  const Bytes outRecord = recordsNewestFirst(*payer, kTxLog).front();
  checkLogRecord(outRecord, 2, protocol::LogType::kTransferOut, pd, 5000 - value, payerPrevious, "payer's REQ record");

  // VAL: the payee credits, logs, answers ACK and is idle.
  const Bytes ack = expectOk(*payee, apdus::val(required(SignedTransferMessage::decode(val), "VAL")), "VAL");
  BOOST_TEST_REQUIRE(ack.size() == 126u);
  BOOST_TEST((pdOf(headOf(ack, 62)) == pd), "pd in ACK " << hx(ack));
  BOOST_TEST(signedBy(payeeCert.publicKey, cat({ascii("ACK"), headOf(ack, 62)}), tailOf(ack, 62)));
  payeeExpected.protocol = ProtocolStatus::kIdle;
  payeeExpected.balance = 1000 + value;
  payeeExpected.logAppended = 2;
  BOOST_TEST((payee->status() == payeeExpected), "payee: credited, idle, one record more");
  checkLogRecord(recordsNewestFirst(*payee, kTxLog).front(), 2, protocol::LogType::kTransferIn, pd, 1000 + value,
                 payeePrevious, "payee's VAL record");

  // ACK: the payer logs the acknowledgement and is idle.
  BOOST_TEST(expectOk(*payer, apdus::ack(required(SignedTransferMessage::decode(ack), "ACK")), "ACK").empty());
  payerExpected.protocol = ProtocolStatus::kIdle;
  payerExpected.logAppended = 3;
  BOOST_TEST((payer->status() == payerExpected), "payer: idle, one record more, balance as after REQ");
  checkLogRecord(recordsNewestFirst(*payer, kTxLog).front(), 3, protocol::LogType::kTransferAcked, pd, 5000 - value,
                 chainHashOf(outRecord), "payer's ACK record");
  BOOST_TEST(payer->status().balance + payee->status().balance == 6000u, "no value created or lost");
}

BOOST_AUTO_TEST_CASE(a_start_while_busy_aborts_the_transfer_in_progress) {
  TestIssuer issuer;
  auto a = makePurse(issuer, 1, 5000);
  auto b = makePurse(issuer, 2, 5000);
  (void)expectOk(*a, apdus::startFrom(startOrderNaming(*b, 100)), "START FROM");
  (void)expectOk(*a, apdus::startFrom(startOrderNaming(*b, 200)), "START FROM again in epr");
  BOOST_TEST(a->status().exceptionsHeld == 0, "an abort in epr logs nothing");
  BOOST_TEST(a->status().nextSeq == 3u);
  const Bytes first = expectOk(*a, apdus::startTo(startOrderNaming(*b, 300, 1)), "START TO in epr");
  BOOST_TEST((a->status().protocol == ProtocolStatus::kEpv));
  (void)expectOk(*a, apdus::startTo(startOrderNaming(*b, 400, 2)), "START TO again in epv");
  const auto log = recordsNewestFirst(*a, kExLog);
  BOOST_TEST_REQUIRE(log.size() == 1u, "the abort in epv logged the first pd");
  // pd of the first START TO: from B at its nextSeq 1, to A at its nextSeq 3 (two START FROM before).
  const PaymentDetails firstPd = paymentDetails(testPurseId(2), 1, testPurseId(1), 3, 300, kEuro, referenceOf(1));
  BOOST_TEST((pdOf(headOf(first, 62)) == firstPd), "pd of the first START TO " << hx(first));
  checkExceptionRecord(log[0], 1, ProtocolStatus::kEpv, firstPd, "the abort in epv");
  BOOST_TEST(a->status().balance == 5000u);
}

BOOST_AUTO_TEST_CASE(start_refusals) {
  TestIssuer issuer;
  TestIssuer another;
  auto a = makePurse(issuer, 1, 3000);  // per-transfer 50000, no-PIN 2000, max 100000
  auto b = makePurse(issuer, 2, 99500);
  PurseProfile dollars;
  dollars.currency = 840;
  auto usd = makePurse(issuer, 3, 0, dollars);
  auto foreign = makePurse(another, 4, 0);

  for (bool payer : {true, false}) {
    auto start = [payer](const StartOrder& o) { return payer ? apdus::startFrom(o) : apdus::startTo(o); };
    const std::string name = payer ? "START FROM: " : "START TO: ";
    const CommandApdu good = start(startOrderNaming(*b, 100));
    expectRefused(*a, withP1P2(good, 0x01, 0x00), sw::kIncorrectP1P2, name + "P1 01");
    expectRefused(*a, withP1P2(good, 0x00, 0x01), sw::kIncorrectP1P2, name + "P2 01");
    expectRefused(*a, withDataResized(good, 216), sw::kWrongLength, name + "216 bytes");
    expectRefused(*a, withDataResized(good, 218), sw::kWrongLength, name + "218 bytes");
    expectRefused(*a, start(startOrderWith(Bytes(177, 0), 100)), sw::kWrongData, name + "no certificate");
    expectRefused(*a, start(startOrderNaming(*usd, 100)), sw::kWrongData, name + "a purse in another currency");
    expectRefused(*a, start(startOrderNaming(*a, 100)), sw::kWrongData, name + "the purse itself");
    expectRefused(*a, start(startOrderNaming(*b, 0)), sw::kWrongData, name + "value 0");
    expectRefused(*a, start(startOrderNaming(*foreign, 100)), sw::kSecurityStatusNotSatisfied,
                  name + "a purse of another issuer");
    expectRefused(*a, withDataBitFlipped(good, 176), sw::kSecurityStatusNotSatisfied,
                  name + "the certificate's signature altered");
    CardCertificate misnamed = certificateOf(*b);
    misnamed.issuerKeyId = keyIdOf(another.key().publicKey());
    misnamed.signature = required(issuer.key().sign(misnamed.body()), "sign body");
    expectRefused(*a, start(startOrderWith(misnamed.encode(), 100)), sw::kSecurityStatusNotSatisfied,
                  name + "signed by the issuer, naming another issuer key");
    TestPurse blank;
    expectRefused(blank, good, sw::kConditionsNotSatisfied, name + "blank purse");
  }
  // The payer's limits, in the order the purse checks them.
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 50001)), purse_sw::kTransferLimitExceeded,
                "above the per-transfer maximum (and the balance)");
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 3001)), purse_sw::kInsufficientFunds, "above the balance");
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 2001)), sw::kSecurityStatusNotSatisfied,
                "above the no-PIN limit without PIN");
  (void)expectOk(*a, apdus::startFrom(startOrderNaming(*b, 2000)), "at the no-PIN limit without PIN");
  verifyPinOk(*a, "1234");
  (void)expectOk(*a, apdus::startFrom(startOrderNaming(*b, 3000)), "the whole balance with the PIN");
  (void)expectOk(*a, apdus::abortTransfer(), "ABORT");
  // The payee's maximum balance.
  expectRefused(*b, apdus::startTo(startOrderNaming(*a, 501)), purse_sw::kMaxBalanceExceeded, "above the maximum");
  (void)expectOk(*b, apdus::startTo(startOrderNaming(*a, 500)), "up to the maximum");
  (void)expectOk(*b, apdus::abortTransfer(), "ABORT");
}

BOOST_AUTO_TEST_CASE(expired_certificates) {
  TestIssuer issuer;
  PurseProfile longLived;
  longLived.expiry = 20351231;
  PurseProfile shortLived;
  shortLived.expiry = 20261130;
  auto a = makePurse(issuer, 1, 3000, longLived);
  auto b = makePurse(issuer, 2, 3000);  // expires 20301231
  auto c = makePurse(issuer, 3, 3000, shortLived);
  // A's clock moves to 2031: B's certificate has expired for A.
  (void)expectOk(*a, loadCommand(issuer, testPurseId(1), valueOrder(1, 1, kEuro, 20310101)), "LOAD dated 2031");
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 10)), sw::kSecurityStatusNotSatisfied,
                "START FROM naming an expired payee");
  expectRefused(*a, apdus::startTo(startOrderNaming(*b, 10)), sw::kSecurityStatusNotSatisfied,
                "START TO naming an expired payer");
  // C's own certificate expires before its clock: it cannot take part, whoever it meets.
  (void)expectOk(*c, loadCommand(issuer, testPurseId(3), valueOrder(1, 1, kEuro, 20261201)), "LOAD dated after expiry");
  expectRefused(*c, apdus::startFrom(startOrderNaming(*b, 10)), sw::kConditionsNotSatisfied,
                "START FROM with its own expired");
  expectRefused(*c, apdus::startTo(startOrderNaming(*b, 10)), sw::kConditionsNotSatisfied,
                "START TO with its own expired");
  (void)expectOk(*c, apdus::readRecord(kTxLog, 1), "it still answers reads");
}

BOOST_AUTO_TEST_CASE(req_val_ack_refusals) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 5000);
  auto payee = makePurse(issuer, 2, 1000);
  auto idle = makePurse(issuer, 3, 1000);
  terminal::TransferSession session(payer->client(), payee->client(), 300, referenceOf(2));
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  BOOST_TEST_REQUIRE(session.startFrom().isOk());
  auto reqMessage = session.startTo();
  BOOST_TEST_REQUIRE(reqMessage.isOk(), why(reqMessage));
  const CommandApdu req = apdus::req(*reqMessage);

  expectRefused(*payer, withP1P2(req, 0x01, 0x00), sw::kIncorrectP1P2, "REQ P1 01");
  expectRefused(*payer, withP1P2(req, 0x00, 0x01), sw::kIncorrectP1P2, "REQ P2 01");
  expectRefused(*payer, withDataResized(req, 125), sw::kWrongLength, "REQ 125 bytes");
  expectRefused(*payer, withDataResized(req, 127), sw::kWrongLength, "REQ 127 bytes");
  expectRefused(*payer, withDataBitFlipped(req, 27), sw::kConditionsNotSatisfied, "REQ with another value in pd");
  expectRefused(*payer, withDataBitFlipped(req, 100), sw::kSecurityStatusNotSatisfied,
                "REQ with the signature altered");
  expectRefused(*payee, req, sw::kConditionsNotSatisfied, "REQ to the payee (epv)");
  expectRefused(*idle, req, sw::kConditionsNotSatisfied, "REQ to an idle purse");
  const CommandApdu asVal = withHeader(req, 0x80, protocol::kInsVal, 0, 0);
  expectRefused(*payer, asVal, sw::kConditionsNotSatisfied, "VAL to the payer in epr");
  expectRefused(*payee, asVal, sw::kSecurityStatusNotSatisfied, "the payee's own REQ relayed back to it as VAL");
  expectRefused(*payer, withHeader(req, 0x80, protocol::kInsAck, 0, 0), sw::kConditionsNotSatisfied,
                "ACK to the payer in epr");

  auto valMessage = session.req(*reqMessage);
  BOOST_TEST_REQUIRE(valMessage.isOk(), why(valMessage));
  const CommandApdu val = apdus::val(*valMessage);
  expectRefused(*payer, req, sw::kConditionsNotSatisfied, "REQ again (epa)");
  expectRefused(*payer, withHeader(val, 0x80, protocol::kInsAck, 0, 0), sw::kSecurityStatusNotSatisfied,
                "the payer's own VAL as ACK");
  expectRefused(*payee, withP1P2(val, 0x00, 0x01), sw::kIncorrectP1P2, "VAL P2 01");
  expectRefused(*payee, withDataResized(val, 125), sw::kWrongLength, "VAL 125 bytes");
  expectRefused(*payee, withDataBitFlipped(val, 0), sw::kConditionsNotSatisfied, "VAL with another payer in pd");
  expectRefused(*payee, withDataBitFlipped(val, 125), sw::kSecurityStatusNotSatisfied,
                "VAL with the signature altered");
  expectRefused(*idle, val, sw::kConditionsNotSatisfied, "VAL to an idle purse");

  auto ackMessage = session.val(*valMessage);
  BOOST_TEST_REQUIRE(ackMessage.isOk(), why(ackMessage));
  const CommandApdu ack = apdus::ack(*ackMessage);
  expectRefused(*payee, val, sw::kConditionsNotSatisfied, "VAL again (idle)");
  expectRefused(*payee, ack, sw::kConditionsNotSatisfied, "ACK to the payee");
  expectRefused(*payer, withP1P2(ack, 0x01, 0x00), sw::kIncorrectP1P2, "ACK P1 01");
  expectRefused(*payer, withDataResized(ack, 127), sw::kWrongLength, "ACK 127 bytes");
  expectRefused(*payer, withDataBitFlipped(ack, 20), sw::kConditionsNotSatisfied,
                "ACK with another sequence number in pd");
  expectRefused(*payer, withDataBitFlipped(ack, 62), sw::kSecurityStatusNotSatisfied, "ACK with the signature altered");
  (void)expectOk(*payer, ack, "ACK");
  expectRefused(*payer, ack, sw::kConditionsNotSatisfied, "ACK again (idle)");
  BOOST_TEST(payer->status().balance == 4700u);
  BOOST_TEST(payee->status().balance == 1300u);
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(abort_command)

BOOST_AUTO_TEST_CASE(abort_when_idle_changes_nothing) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 300);
  const PurseStatus before = purse->status();
  BOOST_TEST(expectOkUnchanged(*purse, apdus::abortTransfer(), "ABORT idle").empty());
  BOOST_TEST((purse->status() == before));
}

BOOST_AUTO_TEST_CASE(abort_in_epr_returns_to_idle_without_an_exception_record) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 0);
  startTransfer(*payer, *payee, 100, false);
  const PurseStatus before = payer->status();
  BOOST_TEST_REQUIRE((before.protocol == ProtocolStatus::kEpr));
  BOOST_TEST(before.nextSeq == 2u, "START FROM used sequence number 1");
  (void)expectOk(*payer, apdus::abortTransfer(), "ABORT in epr");
  PurseStatus expected = before;
  expected.protocol = ProtocolStatus::kIdle;
  BOOST_TEST((payer->status() == expected), "idle, no exception record, nextSeq not given back");
  expectRefused(*payer, apdus::readRecord(protocol::kSfiExceptionLog, 1), sw::kRecordNotFound, "no exception record");
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  expectRefused(*purse, withP1P2(apdus::abortTransfer(), 0x01, 0x00), sw::kIncorrectP1P2, "P1 01");
  expectRefused(*purse, withP1P2(apdus::abortTransfer(), 0x00, 0x01), sw::kIncorrectP1P2, "P2 01");
  expectRefused(*purse, withData(apdus::abortTransfer(), Bytes{0x00}), sw::kWrongLength, "with data");
  TestPurse blank;
  expectRefused(blank, apdus::abortTransfer(), sw::kConditionsNotSatisfied, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 2);
  expectRefused(*notYet.purse, apdus::abortTransfer(), sw::kConditionsNotSatisfied, "not yet personalised");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(exception_log_full)

BOOST_AUTO_TEST_CASE(after_eight_records_start_from_and_start_to_answer_6A84) {
  TestIssuer issuer;
  auto full = makePurse(issuer, 1, 5000);
  auto other = makePurse(issuer, 2, 50000);
  for (std::uint8_t i = 1; i <= 8; ++i) (void)leaveException(*other, *full, 10u * i, i);
  BOOST_TEST_REQUIRE(full->status().exceptionsHeld == 8);

  // As payee.
  (void)expectOk(*other, apdus::startFrom(startOrderNaming(*full, 100)), "START FROM the other purse");
  expectRefused(*full, apdus::startTo(startOrderNaming(*other, 100)), sw::kNotEnoughMemory, "START TO with 8 records");
  // As payer.
  expectRefused(*full, apdus::startFrom(startOrderNaming(*other, 100)), sw::kNotEnoughMemory,
                "START FROM with 8 records");
  BOOST_TEST((full->status().protocol == ProtocolStatus::kIdle));

  // Clearing one record makes room for exactly one more transfer.
  const auto held = recordsNewestFirst(*full, kExLog);
  const Bytes oldest = held.back();
  (void)expectOk(*full, clearCommand(issuer, testPurseId(1), {exceptionRecordOf(oldest).number}, digestOf({oldest})),
                 "CLEAR");
  (void)expectOk(*full, apdus::startFrom(startOrderNaming(*other, 100)), "START FROM with 7 records");
  (void)expectOk(*full, apdus::abortTransfer(), "ABORT in epr (nothing logged)");
  BOOST_TEST(full->status().exceptionsHeld == 7);
}

BOOST_AUTO_TEST_CASE(a_start_whose_abort_would_take_the_last_slot_is_refused) {
  TestIssuer issuer;
  auto busy = makePurse(issuer, 1, 5000);
  auto other = makePurse(issuer, 2, 50000);
  for (std::uint8_t i = 1; i <= 7; ++i) (void)leaveException(*other, *busy, 10u * i, i);
  // START TO with 7 records: busy is in epv, an abort would log the eighth.
  (void)expectOk(*other, apdus::startFrom(startOrderNaming(*busy, 100)), "START FROM the other purse");
  (void)expectOk(*busy, apdus::startTo(startOrderNaming(*other, 100)), "START TO with 7 records");
  BOOST_TEST_REQUIRE((busy->status().protocol == ProtocolStatus::kEpv));
  expectRefused(*busy, apdus::startTo(startOrderNaming(*other, 50)), sw::kNotEnoughMemory,
                "START TO while in epv, 7 held");
  expectRefused(*busy, apdus::startFrom(startOrderNaming(*other, 50)), sw::kNotEnoughMemory,
                "START FROM while in epv, 7 held");
  (void)expectOk(*busy, apdus::abortTransfer(), "ABORT");
  BOOST_TEST(busy->status().exceptionsHeld == 8);
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
// Counters and record numbers never wrap: 9404 before a command that would need a number
// past FFFFFFFF; memory no command could have written is 6581. The purse is put there by
// writing its memory directly (patchPurse).
BOOST_AUTO_TEST_SUITE(counters_and_corrupt_memory)

namespace layout = card::purse_layout;

BOOST_AUTO_TEST_CASE(start_at_the_last_sequence_number) {
  TestIssuer issuer;
  auto a = makePurse(issuer, 1, 1000);
  auto b = makePurse(issuer, 2, 1000);
  patchPurse(*a, layout::kNextSeq, u32(0xFFFFFFFF));
  BOOST_TEST_REQUIRE(a->status().nextSeq == 0xFFFFFFFFu);
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 10)), purse_sw::kSequenceExhausted, "START FROM");
  expectRefused(*a, apdus::startTo(startOrderNaming(*b, 10)), purse_sw::kSequenceExhausted, "START TO");
  patchPurse(*a, layout::kNextSeq, u32(0xFFFFFFFE));
  (void)expectOk(*a, apdus::startFrom(startOrderNaming(*b, 10)), "START FROM with the last sequence number");
  BOOST_TEST(a->status().nextSeq == 0xFFFFFFFFu);
}

BOOST_AUTO_TEST_CASE(start_needs_two_transaction_record_numbers_left) {
  TestIssuer issuer;
  auto a = makePurse(issuer, 1, 1000);
  auto b = makePurse(issuer, 2, 1000);
  patchPurse(*a, layout::kLogAppended, u32(0xFFFFFFFE));
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 10)), purse_sw::kSequenceExhausted, "START FROM, 1 left");
  expectRefused(*a, apdus::startTo(startOrderNaming(*b, 10)), purse_sw::kSequenceExhausted, "START TO, 1 left");
  // Two left: a whole transfer as payer (REQ and ACK records) still fits, then nothing does.
  patchPurse(*a, layout::kLogAppended, u32(0xFFFFFFFD));
  auto done = terminal::runTransfer(a->client(), b->client(), 10, referenceOf(0));
  BOOST_TEST_REQUIRE(done.isOk(), why(done));
  BOOST_TEST(a->status().logAppended == 0xFFFFFFFFu);
  BOOST_TEST(a->status().balance == 990u);
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 10)), purse_sw::kSequenceExhausted, "START FROM, none left");
}

BOOST_AUTO_TEST_CASE(start_needs_two_exception_record_numbers_left) {
  TestIssuer issuer;
  auto a = makePurse(issuer, 1, 1000);
  auto b = makePurse(issuer, 2, 1000);
  patchPurse(*a, layout::kExceptionsAppended, u32(0xFFFFFFFE));
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 10)), purse_sw::kSequenceExhausted, "START FROM");
  expectRefused(*a, apdus::startTo(startOrderNaming(*b, 10)), purse_sw::kSequenceExhausted, "START TO");
  patchPurse(*a, layout::kExceptionsAppended, u32(0xFFFFFFFD));
  const PaymentDetails pd = leaveException(*b, *a, 10);
  const auto held = recordsNewestFirst(*a, kExLog);
  BOOST_TEST_REQUIRE(held.size() == 1u);
  const protocol::ExceptionRecord record = exceptionRecordOf(held[0]);
  BOOST_TEST(record.number == 0xFFFFFFFEu, "the exception record numbered FFFFFFFE");
  BOOST_TEST((record.pd == pd), "pd " << hx(record.pd.encode()));
  expectRefused(*a, apdus::startTo(startOrderNaming(*b, 10)), purse_sw::kSequenceExhausted, "START TO, 1 left");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
