// The fixture of the purse end-to-end tests (purse_end_to_end*_test): epurse-card processes
// plugged into the two vpcd readers of the private pcscd, a terminal channel that records
// every raw exchange, and the issuer's and terminal's steps over PC/SC (personalise, load,
// transfer, audit) with their checks. The including test is built with EPURSE_CARD_PROGRAM.
#pragma once

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
#include "host/card_statements.h"
#include "host/log_verifier.h"
#include "host/purse_client.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/signed_payloads.h"
#include "terminal/transfer/transfer_driver.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/child_process.h"
#include "tests/support/private_pcscd_readers.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_records.h"
#include "tests/support/test_printing.h"

namespace epurse::testing::e2e {

using namespace std::chrono_literals;
using protocol::Amount;
using protocol::LogType;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
namespace fs = std::filesystem;

inline constexpr int kExitKilled = 128 + SIGKILL;

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

inline protocol::PurchaseReference reference(std::uint8_t n) {
  protocol::PurchaseReference r{};
  const std::string text = "purse e2e order ";
  std::copy(text.begin(), text.end(), r.begin());
  r[31] = n;
  return r;
}

using checks::holds;

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

}  // namespace epurse::testing::e2e
