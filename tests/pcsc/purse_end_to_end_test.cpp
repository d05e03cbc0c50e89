// The purse end to end: two epurse-card processes in the two vpcd readers of a real pcscd,
// started privately for this test by tests/pcsc/with-private-pcscd.sh (EPURSE_VPCD_PORT is
// reader 0, EPURSE_VPCD_PORT + 1 reader 1), each on its own card image. The terminal side is
// exactly the programs' code: TestIssuer personalises and loads over PC/SC, the terminal
// protocol library runs and recovers transfers, checks logs, receipts and audits. Transfers
// are interrupted by SIGKILL of a card process and settled after a restart on the same image.
#define BOOST_TEST_MODULE purse_end_to_end_test
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apdu/pcsc_channel.h"
#include "apdu/status_word.h"
#include "base/hex.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/signed_payloads.h"
#include "host/card_statements.h"
#include "host/log_verifier.h"
#include "host/purse_client.h"
#include "terminal/transfer/transfer_driver.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/child_process.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/private_pcscd_readers.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing;
using namespace std::chrono_literals;
using protocol::Amount;
using protocol::LogType;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
namespace fs = std::filesystem;

namespace {

constexpr int kExitKilled = 128 + SIGKILL;

// A PC/SC channel that keeps every raw exchange, so a test can see the transport (61xx and
// GET RESPONSE on T=0) under the purse commands.
class RecordingChannel final : public CardChannel {
 public:
  struct Exchange {
    Bytes command;
    Bytes response;  // empty when the exchange failed
  };

  explicit RecordingChannel(std::unique_ptr<PcscChannel> pcsc) : pcsc_(std::move(pcsc)) {}

  Result<Bytes> transmitRaw(ByteView command) override {
    auto r = pcsc_->transmitRaw(command);
    exchanges.push_back({Bytes(command.begin(), command.end()), r ? *r : Bytes{}});
    return r;
  }
  PcscChannel& pcsc() { return *pcsc_; }

  std::vector<Exchange> exchanges;

 private:
  std::unique_ptr<PcscChannel> pcsc_;
};

// One card process in one reader, with the terminal's channel and purse client bound to it.
// Members are destroyed bottom up: the client and channel go before the process is killed.
struct Card {
  unsigned slot;
  std::string image;
  ChildProcess process;
  std::unique_ptr<RecordingChannel> channel;
  std::unique_ptr<host::PurseClient> client;

  host::PurseClient& purse() { return *client; }
};

protocol::PurchaseReference reference(std::uint8_t n) {
  protocol::PurchaseReference r{};
  const std::string text = "purse e2e order ";
  std::copy(text.begin(), text.end(), r.begin());
  r[31] = n;
  return r;
}

bool holds(const std::vector<protocol::ExceptionRecord>& log, const PaymentDetails& pd,
           std::optional<ProtocolStatus> abortedIn = std::nullopt) {
  return std::any_of(log.begin(), log.end(), [&](const protocol::ExceptionRecord& r) {
    return r.pd == pd && (!abortedIn || r.abortedIn == *abortedIn);
  });
}

struct PurseFixture : PrivatePcscdReaders {
  TestIssuer issuer;

  PurseFixture() : PrivatePcscdReaders("epurse-purse-e2e") {}

  std::string cardLog() const {
    std::ifstream in(dir / "cards.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  void waitFor(unsigned slot, bool present) {
    auto s = context->waitForCard(readers[slot], present, kCardArrivalMs);
    BOOST_TEST_REQUIRE(s.isOk(), "reader " << slot << (present ? " card arrival: " : " card removal: ")
                                           << why(s) << "\ncard processes said:\n"
                                           << cardLog());
  }

  // Starts epurse-card on `image` in reader `slot`, connects and selects the purse.
  std::unique_ptr<Card> plug(unsigned slot, const std::string& image, const std::string& protocol = "t1") {
    const std::string path = (dir / image).string();
    auto child = ChildProcess::start({EPURSE_CARD_PROGRAM, "--state", path, "--port", std::to_string(port + slot),
                                      "--protocol", protocol, "--quiet"},
                                     (dir / "cards.log").string());
    BOOST_TEST_REQUIRE(child.isOk(), why(child));
    auto card = std::unique_ptr<Card>(new Card{slot, path, std::move(*child), nullptr, nullptr});
    waitFor(slot, true);
    auto ch = PcscChannel::connect(*context, readers[slot]);
    BOOST_TEST_REQUIRE(ch.isOk(), why(ch));
    card->channel = std::make_unique<RecordingChannel>(std::move(*ch));
    card->client = std::make_unique<host::PurseClient>(*card->channel);
    auto selected = card->client->select();
    BOOST_TEST_REQUIRE(selected.isOk(), why(selected));
    return card;
  }

  // The card process gets `sig` (the card leaves the reader while the terminal still holds
  // its connection), then the terminal lets go.
  void unplug(std::unique_ptr<Card>& card, int sig, int expectedExit) {
    card->process.signal(sig);
    auto rc = card->process.wait(5000ms);
    BOOST_TEST_REQUIRE(rc.isOk(), why(rc));
    BOOST_TEST(*rc == expectedExit);
    waitFor(card->slot, false);
    card.reset();
  }

  // Power comes back: the same image in the same reader, a new connection.
  std::unique_ptr<Card> replug(std::unique_ptr<Card>& card, int sig, int expectedExit,
                               const std::string& protocol = "t1") {
    const unsigned slot = card->slot;
    const std::string image = fs::path(card->image).filename().string();
    unplug(card, sig, expectedExit);
    return plug(slot, image, protocol);
  }

  static PurseProfile profile(std::uint8_t n) {
    PurseProfile p;
    p.id = testPurseId(n);
    return p;
  }

  protocol::PurseStatus status(Card& card) {
    auto s = card.purse().status();
    BOOST_TEST_REQUIRE(s.isOk(), why(s));
    return *s;
  }

  protocol::CardCertificate certificate(Card& card) {
    auto c = card.purse().certificate();
    BOOST_TEST_REQUIRE(c.isOk(), why(c));
    return *c;
  }

  std::vector<protocol::LogRecord> transactionLog(Card& card) {
    auto log = card.purse().readTransactionLog();
    BOOST_TEST_REQUIRE(log.isOk(), why(log));
    return *log;
  }

  std::vector<protocol::ExceptionRecord> exceptionLog(Card& card) {
    auto log = card.purse().readExceptionLog();
    BOOST_TEST_REQUIRE(log.isOk(), why(log));
    return *log;
  }

  std::vector<Bytes> rawRecords(Card& card, std::uint8_t sfi) {
    auto records = card.purse().readRawRecords(sfi);
    BOOST_TEST_REQUIRE(records.isOk(), why(records));
    return *records;
  }

  // A signed LOAD whose receipt must verify under the card's certificate and the issuer key.
  void load(Card& card, Amount amount) {
    const Amount before = status(card).balance;
    auto receipt = card.purse().load(issuer.loadOrder(card.purse(), amount));
    BOOST_TEST_REQUIRE(receipt.isOk(), why(receipt));
    auto verified = host::verifyReceipt(receipt->responseData, host::ReceiptKind::kLoad, certificate(card),
                                            issuer.key().verificationKey());
    BOOST_TEST(verified.isOk(), why(verified));
    BOOST_TEST(receipt->receipt.amount == amount);
    BOOST_TEST(receipt->receipt.balanceAfter == before + amount);
    BOOST_TEST(status(card).balance == before + amount);
  }

  void checkChain(Card& card, const char* who) {
    const auto log = transactionLog(card);
    const Status chain = host::verifyTransactionLog(log);
    BOOST_TEST(chain.isOk(), who << " transaction log chain: " << chain.toString());
  }

  // A full transfer with runTransfer, checked from outside: the pd names both purses at their
  // nextSeq, every message verifies under the certified key of its signer, the balances move
  // by exactly the value, both purses end idle with nextSeq + 1 and the logs grew by the
  // records the protocol writes (payer: transfer out, acknowledged; payee: transfer in).
  PaymentDetails transfer(Card& payer, Card& payee, Amount value, std::uint8_t ref) {
    const auto payerBefore = status(payer), payeeBefore = status(payee);
    auto done = terminal::runTransfer(payer.purse(), payee.purse(), value, reference(ref));
    BOOST_TEST_REQUIRE(done.isOk(), why(done));
    const PaymentDetails& pd = done->pd;
    BOOST_TEST(pd.fromId == payerBefore.purseId);
    BOOST_TEST(pd.toId == payeeBefore.purseId);
    BOOST_TEST(pd.fromSeq == payerBefore.nextSeq);
    BOOST_TEST(pd.toSeq == payeeBefore.nextSeq);
    BOOST_TEST(pd.value == value);
    BOOST_TEST(pd.currency == kEuro);
    BOOST_TEST((pd.reference == reference(ref)));
    BOOST_TEST((done->req.pd == pd && done->val.pd == pd && done->ack.pd == pd));
    auto payerKey = protocol::EcPublicKey::fromUncompressed(certificate(payer).publicKey);
    auto payeeKey = protocol::EcPublicKey::fromUncompressed(certificate(payee).publicKey);
    BOOST_TEST_REQUIRE((payerKey.isOk() && payeeKey.isOk()));
    using protocol::TransferMessage;
    BOOST_TEST(payeeKey->verify(protocol::transferPayload(TransferMessage::kReq, pd), done->req.signature));
    BOOST_TEST(payerKey->verify(protocol::transferPayload(TransferMessage::kVal, pd), done->val.signature));
    BOOST_TEST(payeeKey->verify(protocol::transferPayload(TransferMessage::kAck, pd), done->ack.signature));
    BOOST_TEST(!payerKey->verify(protocol::transferPayload(TransferMessage::kReq, pd), done->req.signature));

    const auto payerAfter = status(payer), payeeAfter = status(payee);
    BOOST_TEST(payerAfter.balance == payerBefore.balance - value);
    BOOST_TEST(payeeAfter.balance == payeeBefore.balance + value);
    BOOST_TEST(payerAfter.nextSeq == payerBefore.nextSeq + 1);
    BOOST_TEST(payeeAfter.nextSeq == payeeBefore.nextSeq + 1);
    BOOST_TEST((payerAfter.protocol == ProtocolStatus::kIdle && payeeAfter.protocol == ProtocolStatus::kIdle));
    BOOST_TEST(payerAfter.logAppended == payerBefore.logAppended + 2);
    BOOST_TEST(payeeAfter.logAppended == payeeBefore.logAppended + 1);
    BOOST_TEST(payerAfter.exceptionsHeld == payerBefore.exceptionsHeld);
    BOOST_TEST(payeeAfter.exceptionsHeld == payeeBefore.exceptionsHeld);

    const auto payerLog = transactionLog(payer);
    const auto payeeLog = transactionLog(payee);
    BOOST_TEST_REQUIRE(payerLog.size() >= 2u);
    BOOST_TEST_REQUIRE(payeeLog.size() >= 1u);
    const auto& out = payerLog[payerLog.size() - 2];
    const auto& acked = payerLog.back();
    const auto& in = payeeLog.back();
    BOOST_TEST((out.type == LogType::kTransferOut && out.details == pd));
    BOOST_TEST(out.balanceAfter == payerAfter.balance);
    BOOST_TEST((acked.type == LogType::kTransferAcked && acked.details == pd));
    BOOST_TEST((in.type == LogType::kTransferIn && in.details == pd));
    BOOST_TEST(in.balanceAfter == payeeAfter.balance);
    return pd;
  }

  // Both logs of a purse against a fresh signed audit head, and the audit signature itself
  // against the wrong challenge, the other purse's certificate and a flipped byte.
  void audit(Card& card, Card& other) {
    const auto cert = certificate(card);
    const auto& issuerKey = issuer.key().verificationKey();
    const auto s = status(card);
    Bytes challenge(16);
    BOOST_TEST_REQUIRE(protocol::randomBytes(challenge.data(), challenge.size()));

    const auto log = transactionLog(card);
    auto head = card.purse().audit(protocol::kSfiTransactionLog, challenge, cert, issuerKey);
    BOOST_TEST_REQUIRE(head.isOk(), why(head));
    BOOST_TEST((head->purseId == s.purseId));
    BOOST_TEST(head->balance == s.balance);
    BOOST_TEST(head->nextSeq == s.nextSeq);
    BOOST_TEST(head->appended == s.logAppended);
    const Status matches = host::verifyTransactionHead(log, *head);
    BOOST_TEST(matches.isOk(), matches.toString());
    BOOST_TEST(host::verifyTransactionLog(log).isOk());

    const auto exceptions = exceptionLog(card);
    auto xhead = card.purse().audit(protocol::kSfiExceptionLog, challenge, cert, issuerKey);
    BOOST_TEST_REQUIRE(xhead.isOk(), why(xhead));
    BOOST_TEST(xhead->held == exceptions.size());
    const Status xmatches = host::verifyExceptionHead(exceptions, *xhead);
    BOOST_TEST(xmatches.isOk(), xmatches.toString());

    auto raw = card.purse().execute(protocol::apdus::auditRead(protocol::kSfiTransactionLog, challenge));
    BOOST_TEST_REQUIRE(raw.isOk(), why(raw));
    auto good = host::verifyAuditResponse(*raw, protocol::kSfiTransactionLog, challenge, cert, issuerKey);
    BOOST_TEST(good.isOk(), why(good));
    Bytes otherChallenge = challenge;
    otherChallenge[0] ^= 1;
    BOOST_TEST(!host::verifyAuditResponse(*raw, protocol::kSfiTransactionLog, otherChallenge, cert, issuerKey));
    BOOST_TEST(!host::verifyAuditResponse(*raw, protocol::kSfiExceptionLog, challenge, cert, issuerKey));
    BOOST_TEST(!host::verifyAuditResponse(*raw, protocol::kSfiTransactionLog, challenge, certificate(other),
                                              issuerKey));
    Bytes flipped = *raw;
    flipped[20] ^= 0x01;  // inside the head hash
    BOOST_TEST(!host::verifyAuditResponse(flipped, protocol::kSfiTransactionLog, challenge, cert, issuerKey));
  }

  // Two personalised purses, A in reader 0 and B in reader 1.
  void personalise(Card& a, Card& b) {
    const auto certA = issuer.personalise(a.purse(), profile(1));
    const auto certB = issuer.personalise(b.purse(), profile(2));
    BOOST_TEST(certificate(a).encode() == certA.encode());
    BOOST_TEST(certificate(b).encode() == certB.encode());
    BOOST_TEST(certA.verify(issuer.key().verificationKey()));
    BOOST_TEST((status(a).lifeCycle == protocol::LifeCycle::kPersonalised));
    BOOST_TEST((status(b).lifeCycle == protocol::LifeCycle::kPersonalised));
  }
};

}  // namespace

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
