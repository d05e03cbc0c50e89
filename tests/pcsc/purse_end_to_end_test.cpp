// The purse end to end: two epurse-card processes in the two vpcd readers of a real pcscd,
// started privately for this test by tests/pcsc/with-private-pcscd.sh (EPURSE_VPCD_PORT is
// reader 0, EPURSE_VPCD_PORT + 1 reader 1), each on its own card image. The terminal side is
// exactly the programs' code: TestIssuer personalises and loads over PC/SC, the terminal
// protocol library runs transfers, checks logs, receipts and audits, across restarts and on
// T=0. Transfers interrupted by SIGKILL of a card process are in purse_end_to_end_kill_test.cpp.
#define BOOST_TEST_MODULE purse_end_to_end_test
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

BOOST_AUTO_TEST_CASE(transfers_both_ways_with_logs_chains_and_signed_audits) {
  auto a = plug(0, "a.img");
  auto b = plug(1, "b.img");
  BOOST_TEST((a->channel->pcsc().activeProtocol() == Protocol::kT1));
  personalise(*a, *b);
  BOOST_TEST(status(*a).balance == 0u);
  load(*a, 20000);

  // Several transfers both ways; each one checked in full by transfer().
  transfer(*a, *b, 1500, 1);
  transfer(*a, *b, 250, 2);
  transfer(*b, *a, 400, 3);
  transfer(*a, *b, 1999, 4);
  transfer(*b, *a, 1000, 5);
  BOOST_TEST(status(*a).balance == 20000u - 1500 - 250 + 400 - 1999 + 1000);
  BOOST_TEST(status(*b).balance == 1500u + 250 - 400 + 1999 - 1000);

  // Above the no-PIN limit the payer refuses START FROM until its PIN is verified; nothing moves.
  const auto aBefore = status(*a), bBefore = status(*b);
  auto refused = terminal::runTransfer(a->purse(), b->purse(), 3000, reference(6));
  BOOST_TEST_REQUIRE(!refused.isOk());
  BOOST_TEST((refused.failure().step == terminal::TransferStep::kStartFrom));
  BOOST_TEST(refused.refusedWith(sw::kSecurityStatusNotSatisfied), why(refused));
  BOOST_TEST(status(*a).balance == aBefore.balance);
  BOOST_TEST(status(*a).nextSeq == aBefore.nextSeq);
  BOOST_TEST(status(*b).nextSeq == bBefore.nextSeq);
  auto pin = a->purse().verifyPin(*protocol::makePinBlock("1234"));
  BOOST_TEST_REQUIRE(pin.isOk(), why(pin));
  BOOST_TEST(pin->verified());
  transfer(*a, *b, 3000, 6);

  // More than the payer holds: refused at START FROM with 9401.
  auto broke = terminal::runTransfer(b->purse(), a->purse(), status(*b).balance + 1, reference(7));
  BOOST_TEST_REQUIRE(!broke.isOk());
  BOOST_TEST(broke.refusedWith(protocol::purse_sw::kInsufficientFunds), why(broke));

  const Amount aFinal = 20000 - 1500 - 250 + 400 - 1999 + 1000 - 3000;
  const Amount bFinal = 1500 + 250 - 400 + 1999 - 1000 + 3000;
  BOOST_TEST(status(*a).balance == aFinal);
  BOOST_TEST(status(*b).balance == bFinal);

  // The whole logs, record by record: A loaded, then took part in six transfers.
  const auto logA = transactionLog(*a);
  const auto logB = transactionLog(*b);
  std::vector<LogType> typesA, typesB;
  for (const auto& r : logA) typesA.push_back(r.type);
  for (const auto& r : logB) typesB.push_back(r.type);
  const std::vector<LogType> expectA = {LogType::kLoad,        LogType::kTransferOut, LogType::kTransferAcked,
                                        LogType::kTransferOut, LogType::kTransferAcked, LogType::kTransferIn,
                                        LogType::kTransferOut, LogType::kTransferAcked, LogType::kTransferIn,
                                        LogType::kTransferOut, LogType::kTransferAcked};
  const std::vector<LogType> expectB = {LogType::kTransferIn,  LogType::kTransferIn,  LogType::kTransferOut,
                                        LogType::kTransferAcked, LogType::kTransferIn, LogType::kTransferOut,
                                        LogType::kTransferAcked, LogType::kTransferIn};
  BOOST_TEST((typesA == expectA), "A's log has " << typesA.size() << " records");
  BOOST_TEST((typesB == expectB), "B's log has " << typesB.size() << " records");
  for (std::size_t i = 0; i < logA.size(); ++i) BOOST_TEST(logA[i].number == i + 1);
  BOOST_TEST(logA.back().balanceAfter == aFinal);
  BOOST_TEST(logB.back().balanceAfter == bFinal);
  checkChain(*a, "A");
  checkChain(*b, "B");
  BOOST_TEST(exceptionLog(*a).empty());
  BOOST_TEST(exceptionLog(*b).empty());

  // A log that is tampered with no longer verifies.
  auto tampered = logA;
  tampered[3].balanceAfter += 1;
  BOOST_TEST(!host::verifyTransactionLog(tampered).isOk());

  audit(*a, *b);
  audit(*b, *a);
}

BOOST_AUTO_TEST_CASE(state_survives_restarts_of_both_card_processes) {
  auto a = plug(0, "a.img");
  auto b = plug(1, "b.img");
  personalise(*a, *b);
  load(*a, 5000);
  transfer(*a, *b, 700, 1);
  transfer(*b, *a, 200, 2);
  transfer(*a, *b, 50, 3);
  // One settled interruption, so the exception log has something to keep as well.
  {
    terminal::TransferSession session(b->purse(), a->purse(), 20, reference(4));
    BOOST_TEST_REQUIRE(session.readParties().isOk());
    BOOST_TEST_REQUIRE(session.startFrom().isOk());
    BOOST_TEST_REQUIRE(session.startTo().isOk());
    auto report = terminal::recover(b->purse(), a->purse());
    BOOST_TEST_REQUIRE(report.isOk(), why(report));
    BOOST_TEST(report->payeeLog.size() == 1u);
  }

  const auto statusA = status(*a), statusB = status(*b);
  const auto certA = certificate(*a).encode(), certB = certificate(*b).encode();
  const auto logA = rawRecords(*a, protocol::kSfiTransactionLog), logB = rawRecords(*b, protocol::kSfiTransactionLog);
  const auto xA = rawRecords(*a, protocol::kSfiExceptionLog), xB = rawRecords(*b, protocol::kSfiExceptionLog);
  BOOST_TEST(statusA.balance == 5000u - 700 + 200 - 50);
  BOOST_TEST(xA.size() == 1u);
  BOOST_TEST(xB.empty());

  // A stops cleanly, B is killed; both come back on their images.
  a = replug(a, SIGTERM, 0);
  b = replug(b, SIGKILL, kExitKilled);
  for (int round = 0; round < 2; ++round) {
    const auto sa = status(*a), sb = status(*b);
    BOOST_TEST((sa == statusA), "A's status changed across the restart: balance " << sa.balance << " nextSeq "
                                                                                  << sa.nextSeq << " log "
                                                                                  << sa.logAppended);
    BOOST_TEST((sb == statusB), "B's status changed across the restart: balance " << sb.balance << " nextSeq "
                                                                                  << sb.nextSeq << " log "
                                                                                  << sb.logAppended);
    BOOST_TEST(sa.balance == statusA.balance);
    BOOST_TEST(sa.nextSeq == statusA.nextSeq);
    BOOST_TEST(sb.nextSeq == statusB.nextSeq);
    BOOST_TEST(certificate(*a).encode() == certA);
    BOOST_TEST(certificate(*b).encode() == certB);
    BOOST_TEST(rawRecords(*a, protocol::kSfiTransactionLog) == logA);
    BOOST_TEST(rawRecords(*b, protocol::kSfiTransactionLog) == logB);
    BOOST_TEST(rawRecords(*a, protocol::kSfiExceptionLog) == xA);
    BOOST_TEST(rawRecords(*b, protocol::kSfiExceptionLog) == xB);
    if (round == 0) {  // both at once this time, the other way round
      a = replug(a, SIGKILL, kExitKilled);
      b = replug(b, SIGTERM, 0);
    }
  }

  // The purses carry on where they were: sequence numbers and the log chain continue.
  const auto pd = transfer(*a, *b, 300, 5);
  BOOST_TEST(pd.fromSeq == statusA.nextSeq);
  BOOST_TEST(pd.toSeq == statusB.nextSeq);
  const auto after = transactionLog(*a);
  BOOST_TEST_REQUIRE(after.size() == logA.size() + 2);
  BOOST_TEST(after.back().number == statusA.logAppended + 2);
  checkChain(*a, "A");
  checkChain(*b, "B");
  audit(*a, *b);
}

BOOST_AUTO_TEST_CASE(t0_card_transfers_with_get_response) {
  auto a = plug(0, "t0.img", "t0");
  auto b = plug(1, "t1.img", "t1");
  BOOST_TEST_REQUIRE((a->channel->pcsc().activeProtocol() == Protocol::kT0));
  BOOST_TEST_REQUIRE((b->channel->pcsc().activeProtocol() == Protocol::kT1));
  personalise(*a, *b);  // GENERATE KEY PAIR and friends through T=0 as well
  load(*a, 3000);

  // What the card answered to the first exchange of command `ins`, and what came next.
  auto transport = [](const RecordingChannel& ch, std::uint8_t ins) {
    struct Seen {
      bool found = false;
      Bytes first;        // the raw answer to the command itself
      Bytes nextCommand;  // the exchange after it, if any
    } seen;
    for (std::size_t i = 0; i < ch.exchanges.size(); ++i) {
      const auto& e = ch.exchanges[i];
      if (e.command.size() >= 2 && e.command[1] == ins) {
        seen.found = true;
        seen.first = e.response;
        if (i + 1 < ch.exchanges.size()) seen.nextCommand = ch.exchanges[i + 1].command;
        break;
      }
    }
    return seen;
  };
  auto getResponses = [](const RecordingChannel& ch) {
    return std::count_if(ch.exchanges.begin(), ch.exchanges.end(),
                         [](const auto& e) { return e.command.size() >= 2 && e.command[1] == kInsGetResponse; });
  };
  auto expectGetResponse = [&](const RecordingChannel& ch, std::uint8_t ins, const char* name) {
    const auto seen = transport(ch, ins);
    BOOST_TEST_REQUIRE(seen.found, name << " was never sent");
    BOOST_TEST_REQUIRE(seen.first.size() == 2u, name << " answered " << toHex(seen.first) << " on T=0");
    BOOST_TEST(seen.first[0] == 0x61, name << " answered " << toHex(seen.first) << ", not 61xx");
    BOOST_TEST_REQUIRE(seen.nextCommand.size() >= 5u);
    BOOST_TEST(seen.nextCommand[1] == kInsGetResponse, name << ": no GET RESPONSE after 61xx");
    BOOST_TEST(seen.nextCommand[4] == seen.first[1], name << ": GET RESPONSE for another length");
  };

  // A (T=0) pays: START FROM and REQ answer data, so the card says 61xx and the terminal
  // fetches it with GET RESPONSE. B (T=1) answers in one go.
  a->channel->exchanges.clear();
  b->channel->exchanges.clear();
  transfer(*a, *b, 800, 1);
  expectGetResponse(*a->channel, protocol::kInsStartFrom, "START FROM");
  expectGetResponse(*a->channel, protocol::kInsReq, "REQ");
  BOOST_TEST(getResponses(*b->channel) == 0);
  const auto startTo = transport(*b->channel, protocol::kInsStartTo);
  BOOST_TEST_REQUIRE(startTo.found);
  BOOST_TEST(startTo.first.size() == protocol::SignedTransferMessage::kSize + 2);

  // A (T=0) is paid: START TO and VAL answer REQ and ACK through GET RESPONSE.
  a->channel->exchanges.clear();
  b->channel->exchanges.clear();
  transfer(*b, *a, 300, 2);
  expectGetResponse(*a->channel, protocol::kInsStartTo, "START TO");
  expectGetResponse(*a->channel, protocol::kInsVal, "VAL");
  BOOST_TEST(getResponses(*b->channel) == 0);

  BOOST_TEST(status(*a).balance == 3000u - 800 + 300);
  BOOST_TEST(status(*b).balance == 800u - 300);
  checkChain(*a, "A (T=0)");
  checkChain(*b, "B (T=1)");
  audit(*a, *b);
}

BOOST_AUTO_TEST_SUITE_END()
