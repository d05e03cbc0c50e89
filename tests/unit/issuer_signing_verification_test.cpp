// What the issuer's and the terminal's side verify of the card (host/): receipts and audit heads
// under the certified card key, the transaction log's chain and the exception log's digest, and
// the purse client reading them from a scripted card and stopping a transfer at a refusal.
#define BOOST_TEST_MODULE issuer_signing_verification_test
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "apdu/card_channel.h"
#include "host/card_statements.h"
#include "host/log_verifier.h"
#include "host/purse_client.h"
#include "issuer/signing/issuer_key.h"
#include "issuer/signing/issuer_orders.h"
#include "protocol/purse_apdus.h"
#include "protocol/signed_payloads.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/issuer_signing_checks.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"

namespace {

using namespace epurse;
using namespace epurse::protocol;
using namespace epurse::testing::issuer_checks;
using epurse::issuer::IssuerKey;
using epurse::issuer::IssuerSigner;
using epurse::testing::h;

// Records `first`..`last`, chained from `previous`, each a load of 100.
std::vector<LogRecord> chain(std::uint32_t first, std::uint32_t last, Digest previous = Digest{}) {
  std::vector<LogRecord> out;
  for (std::uint32_t n = first; n <= last; ++n) {
    LogRecord r;
    r.number = n;
    r.type = LogType::kLoad;
    r.details.toId = purseId(1);
    r.details.fromSeq = n;
    r.details.value = 100;
    r.details.currency = kEuro;
    r.balanceAfter = 100 * n;
    // The chain rule, written out here rather than taken from the code under test.
    r.chainHash = sha256(previous, r.hashedPart());
    previous = r.chainHash;
    out.push_back(r);
  }
  return out;
}

AuditHead headOf(const std::vector<LogRecord>& records) {
  AuditHead head;
  head.purseId = purseId(1);
  head.log = kSfiTransactionLog;
  head.appended = records.empty() ? 0 : records.back().number;
  head.headHash = records.empty() ? Digest{} : records.back().chainHash;
  head.held = static_cast<std::uint8_t>(records.size());
  return head;
}

ExceptionRecord exceptionRecord(std::uint32_t number, std::uint32_t value) {
  ExceptionRecord r;
  r.number = number;
  r.abortedIn = ProtocolStatus::kEpv;
  r.pd.fromId = purseId(1);
  r.pd.toId = purseId(2);
  r.pd.value = value;
  r.pd.currency = kEuro;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(card_statements)

struct CertifiedCard {
  CertifiedCard() : issuer(freshKey()), card(freshCardKey()) {
    auto c = IssuerSigner(issuer).certify(purseId(1), card.publicKey(), kEuro, kExpiry);
    BOOST_TEST_REQUIRE(c.isOk());
    cert = *c;
  }
  Bytes signedBy(const EcPrivateKey& key, std::string_view domain, const Bytes& fields) const {
    auto signature = key.sign(domainPayload(domain, fields));
    BOOST_TEST_REQUIRE(signature.isOk());
    Bytes out = fields;
    appendBytes(out, *signature);
    return out;
  }
  IssuerKey issuer;
  EcPrivateKey card;
  CardCertificate cert;
};

BOOST_FIXTURE_TEST_CASE(a_receipt_verifies_only_as_what_the_card_signed, CertifiedCard) {
  const ValueReceipt receipt{purseId(1), 7, 2500, kEuro, 12500, 42};
  const Bytes response = signedBy(card, kDomainLoadReceipt, receipt.encode());

  auto verified = host::verifyReceipt(response, host::ReceiptKind::kLoad, cert, issuer.verificationKey());
  BOOST_TEST_REQUIRE(verified.isOk(), verified.status().toString());
  BOOST_TEST(verified->encode() == receipt.encode());

  // Not as an unload receipt; not with a bit flipped; not under another issuer.
  BOOST_TEST(!host::verifyReceipt(response, host::ReceiptKind::kUnload, cert, issuer.verificationKey()));
  BOOST_TEST(!host::verifyReceipt(flipBit(response, 12 * 8), host::ReceiptKind::kLoad, cert,
                                      issuer.verificationKey()));
  BOOST_TEST(!host::verifyReceipt(flipBit(response, response.size() * 8 - 1), host::ReceiptKind::kLoad,
                                      cert, issuer.verificationKey()));
  BOOST_TEST(!host::verifyReceipt(response, host::ReceiptKind::kLoad, cert, freshKey().verificationKey()));
  // Wrong length.
  const Bytes shortResponse(response.begin(), response.end() - 1);
  auto truncated = host::verifyReceipt(shortResponse, host::ReceiptKind::kLoad, cert, issuer.verificationKey());
  BOOST_TEST_REQUIRE(!truncated.isOk());
  BOOST_TEST(truncated.error().code == ErrorCode::kMalformed);
}

BOOST_FIXTURE_TEST_CASE(a_receipt_for_another_purse_is_refused_even_if_well_signed, CertifiedCard) {
  const ValueReceipt receipt{purseId(2), 7, 2500, kEuro, 12500, 42};
  const Bytes response = signedBy(card, kDomainUnloadReceipt, receipt.encode());
  auto verified = host::verifyReceipt(response, host::ReceiptKind::kUnload, cert, issuer.verificationKey());
  BOOST_TEST_REQUIRE(!verified.isOk());
  BOOST_TEST(verified.error().code == ErrorCode::kProtocol);
  BOOST_TEST(verified.error().message.find("0102030405060702") != std::string::npos, verified.error().message);
}

BOOST_FIXTURE_TEST_CASE(an_audit_head_verifies_for_its_challenge_and_log_only, CertifiedCard) {
  AuditHead head;
  head.purseId = purseId(1);
  head.log = kSfiTransactionLog;
  head.appended = 5;
  head.headHash = sha256(toBytes("head"));
  head.balance = 300;
  head.nextSeq = 9;
  head.held = 5;
  const Bytes challenge = h("0011223344556677");
  auto signature = card.sign(auditPayload(challenge, head));
  BOOST_TEST_REQUIRE(signature.isOk());
  Bytes response = head.encode();
  appendBytes(response, *signature);

  auto verified =
      host::verifyAuditResponse(response, kSfiTransactionLog, challenge, cert, issuer.verificationKey());
  BOOST_TEST_REQUIRE(verified.isOk(), verified.status().toString());
  BOOST_TEST(verified->encode() == head.encode());
  BOOST_TEST(!host::verifyAuditResponse(response, kSfiTransactionLog, h("0011223344556678"), cert,
                                            issuer.verificationKey()));
  BOOST_TEST(!host::verifyAuditResponse(response, kSfiExceptionLog, challenge, cert, issuer.verificationKey()));
  BOOST_TEST(!host::verifyAuditResponse(flipBit(response, 20 * 8), kSfiTransactionLog, challenge, cert,
                                            issuer.verificationKey()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(log_verifier)

BOOST_AUTO_TEST_CASE(a_correct_chain_from_record_one_is_accepted) {
  const auto records = chain(1, 6);
  BOOST_TEST(host::verifyTransactionLog(records).isOk());
  BOOST_TEST(host::verifyTransactionLog({}).isOk());
  BOOST_TEST(host::verifyTransactionHead(records, headOf(records)).isOk());
  BOOST_TEST(host::verifyTransactionHead({}, headOf({})).isOk());
}

BOOST_AUTO_TEST_CASE(a_cyclic_tail_is_accepted_without_its_predecessor) {
  const auto all = chain(1, 30);
  const std::vector<LogRecord> tail(all.begin() + 20, all.end());  // 21..30
  BOOST_TEST(host::verifyTransactionLog(tail).isOk());
  BOOST_TEST(host::verifyTransactionHead(tail, headOf(tail)).isOk());
}

BOOST_AUTO_TEST_CASE(a_missing_record_is_detected) {
  auto records = chain(1, 6);
  records.erase(records.begin() + 3);
  const Status s = host::verifyTransactionLog(records);
  BOOST_TEST_REQUIRE(!s.isOk());
  BOOST_TEST(s.error().code == ErrorCode::kCorrupt);

  // The oldest or newest record missing keeps the rest consistent; the signed head says so.
  const auto all = chain(1, 6);
  const std::vector<LogRecord> withoutNewest(all.begin(), all.end() - 1);
  const std::vector<LogRecord> withoutOldest(all.begin() + 1, all.end());
  BOOST_TEST(host::verifyTransactionLog(withoutNewest).isOk());
  BOOST_TEST(!host::verifyTransactionHead(withoutNewest, headOf(all)).isOk());
  BOOST_TEST(!host::verifyTransactionHead(withoutOldest, headOf(all)).isOk());
}

BOOST_AUTO_TEST_CASE(reordered_records_are_detected) {
  auto records = chain(1, 6);
  std::swap(records[2], records[3]);
  BOOST_TEST(!host::verifyTransactionLog(records).isOk());
}

BOOST_AUTO_TEST_CASE(an_altered_record_is_detected) {
  auto balance = chain(1, 6);
  balance[2].balanceAfter += 1;  // in the middle: the next link breaks
  BOOST_TEST(!host::verifyTransactionLog(balance).isOk());

  // The newest altered: no later link, but the signed head no longer matches it.
  auto newest = chain(1, 6);
  const AuditHead head = headOf(newest);
  newest.back().details.value = 1000000;
  newest.back().chainHash = sha256(newest[4].chainHash, newest.back().hashedPart());  // even re-chained
  BOOST_TEST(host::verifyTransactionLog(newest).isOk());
  BOOST_TEST(!host::verifyTransactionHead(newest, head).isOk());

  // Record 1 must chain from the zero hash.
  const auto rebased = chain(1, 3, sha256(toBytes("not zero")));
  BOOST_TEST(!host::verifyTransactionLog(rebased).isOk());
  // A renumbered record breaks the sequence.
  auto renumbered = chain(1, 6);
  renumbered[5].number = 7;
  BOOST_TEST(!host::verifyTransactionLog(renumbered).isOk());
}

BOOST_AUTO_TEST_CASE(a_head_of_the_wrong_log_is_refused) {
  const auto records = chain(1, 3);
  AuditHead head = headOf(records);
  head.log = kSfiExceptionLog;
  BOOST_TEST(!host::verifyTransactionHead(records, head).isOk());
}

BOOST_AUTO_TEST_CASE(the_exception_head_is_the_digest_of_the_held_records) {
  const std::vector<ExceptionRecord> records = {exceptionRecord(1, 10), exceptionRecord(2, 20),
                                                exceptionRecord(4, 40)};
  Bytes concatenated;
  for (const auto& r : records) appendBytes(concatenated, r.encode());
  BOOST_TEST(concatenated.size() == 3 * ExceptionRecord::kSize);
  AuditHead head;
  head.purseId = purseId(1);
  head.log = kSfiExceptionLog;
  head.appended = 4;
  head.headHash = sha256(concatenated);
  head.held = 3;
  BOOST_TEST(host::verifyExceptionHead(records, head).isOk());

  auto altered = records;
  altered[1].pd.value = 21;
  BOOST_TEST(!host::verifyExceptionHead(altered, head).isOk());
  auto reordered = records;
  std::swap(reordered[0], reordered[1]);
  BOOST_TEST(!host::verifyExceptionHead(reordered, head).isOk());
  const std::vector<ExceptionRecord> missing = {records[0], records[2]};
  BOOST_TEST(!host::verifyExceptionHead(missing, head).isOk());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(purse_client_over_a_scripted_card)

namespace {

// A card that answers from a script and remembers what it was sent.
class ScriptedChannel : public CardChannel {
 public:
  Result<Bytes> transmitRaw(ByteView command) override {
    sent.emplace_back(command.begin(), command.end());
    if (replies.empty()) return makeError(ErrorCode::kCardRemoved, "the script has no more answers");
    Bytes reply = std::move(replies.front());
    replies.pop_front();
    return reply;
  }
  void answer(const Bytes& data, sw::StatusWord status = sw::kSuccess) {
    replies.push_back(ResponseApdu(data, status).serialize());
  }
  void refuse(sw::StatusWord status) { replies.push_back(ResponseApdu(status).serialize()); }

  std::vector<Bytes> sent;
  std::deque<Bytes> replies;
};

PurseStatus statusOf(const PurseId& id, std::uint32_t nextSeq) {
  PurseStatus s;
  s.lifeCycle = LifeCycle::kPersonalised;
  s.purseId = id;
  s.currency = kEuro;
  s.nextSeq = nextSeq;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(logs_are_read_until_record_not_found_and_returned_oldest_first) {
  const auto records = chain(1, 3);
  ScriptedChannel card;
  for (auto it = records.rbegin(); it != records.rend(); ++it) card.answer(it->encode());  // newest first
  card.refuse(sw::kRecordNotFound);
  host::PurseClient client(card);
  auto read = client.readTransactionLog();
  BOOST_TEST_REQUIRE(read.isOk(), read.status().toString());
  BOOST_TEST_REQUIRE(read->size() == 3u);
  BOOST_TEST((*read)[0].number == 1u);
  BOOST_TEST((*read)[2].number == 3u);
  BOOST_TEST(host::verifyTransactionLog(*read).isOk());
  BOOST_TEST_REQUIRE(card.sent.size() == 4u);
  BOOST_TEST(card.sent[0] == apdus::readRecord(kSfiTransactionLog, 1).serialize());
  BOOST_TEST(card.sent[3] == apdus::readRecord(kSfiTransactionLog, 4).serialize());
}

BOOST_AUTO_TEST_CASE(a_refusal_carries_its_status_word_and_names_it) {
  ScriptedChannel card;
  card.refuse(purse_sw::kMaxBalanceExceeded);
  host::PurseClient client(card);
  auto receipt = client.load(apdus::load(ValueOrder{}, Bytes(kSignatureSize, 0)));
  BOOST_TEST_REQUIRE(!receipt.isOk());
  BOOST_TEST(receipt.refusal().value_or(sw::kSuccess) == purse_sw::kMaxBalanceExceeded);
  BOOST_TEST(receipt.refusedWith(purse_sw::kMaxBalanceExceeded));
  BOOST_TEST(receipt.error().message == "LOAD refused: 9402 maximum balance exceeded");

  // A card that is gone is a failure without a status word.
  auto gone = client.status();
  BOOST_TEST_REQUIRE(!gone.isOk());
  BOOST_TEST(!gone.refusal().has_value());
  BOOST_TEST(gone.error().code == ErrorCode::kCardRemoved);
}

BOOST_AUTO_TEST_CASE(verify_answers_are_pin_results_not_failures) {
  ScriptedChannel card;
  card.refuse(sw::verifyFailed(2));
  card.refuse(sw::kAuthenticationMethodBlocked);
  card.answer({});
  card.refuse(sw::kWrongData);
  host::PurseClient client(card);
  const PinBlock pin = *makePinBlock("1234");
  auto wrong = client.verifyPin(pin);
  BOOST_TEST_REQUIRE(wrong.isOk());
  BOOST_TEST((wrong->outcome == host::PinResult::Outcome::kWrong));
  BOOST_TEST(wrong->triesLeft == 2);
  auto blocked = client.verifyPin(pin);
  BOOST_TEST_REQUIRE(blocked.isOk());
  BOOST_TEST((blocked->outcome == host::PinResult::Outcome::kBlocked));
  auto ok = client.verifyPin(pin);
  BOOST_TEST_REQUIRE(ok.isOk());
  BOOST_TEST(ok->verified());
  auto refused = client.verifyPin(pin);
  BOOST_TEST(refused.refusal().value_or(sw::kSuccess) == sw::kWrongData);
}

BOOST_AUTO_TEST_CASE(a_transfer_stops_at_the_refused_step_and_names_it) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const EcPrivateKey payerKey = freshCardKey();
  const EcPrivateKey payeeKey = freshCardKey();
  auto payerCert = signer.certify(purseId(1), payerKey.publicKey(), kEuro, kExpiry);
  auto payeeCert = signer.certify(purseId(2), payeeKey.publicKey(), kEuro, kExpiry);
  BOOST_TEST_REQUIRE(payerCert.isOk());
  BOOST_TEST_REQUIRE(payeeCert.isOk());
  const PurchaseReference reference = {0xAB};  // AB, then zeros

  PaymentDetails pd;
  pd.fromId = purseId(1);
  pd.fromSeq = 11;
  pd.toId = purseId(2);
  pd.toSeq = 22;
  pd.value = 500;
  pd.currency = kEuro;
  pd.reference = reference;
  SignedTransferMessage req{pd, *payeeKey.sign(transferPayload(TransferMessage::kReq, pd))};

  ScriptedChannel payerCard, payeeCard;
  payerCard.answer(statusOf(purseId(1), 11).encode());
  payeeCard.answer(statusOf(purseId(2), 22).encode());
  payerCard.answer(payerCert->encode());
  payeeCard.answer(payeeCert->encode());
  payerCard.answer(pd.encode());                         // START FROM
  payeeCard.answer(req.encode());                        // START TO
  payerCard.refuse(sw::kSecurityStatusNotSatisfied);    // REQ
  host::PurseClient payer(payerCard), payee(payeeCard);

  auto result = terminal::runTransfer(payer, payee, 500, reference);
  BOOST_TEST_REQUIRE(!result.isOk());
  BOOST_TEST((result.failure().step == terminal::TransferStep::kReq));
  BOOST_TEST(result.refusal().value_or(sw::kSuccess) == sw::kSecurityStatusNotSatisfied);
  BOOST_TEST(result.error().message.find("REQ") != std::string::npos, result.error().message);
  BOOST_TEST(result.error().message.find("payer") != std::string::npos, result.error().message);
  // The terminal relayed the payee's REQ byte for byte and then stopped: nothing was retried.
  BOOST_TEST(payerCard.sent.back() == apdus::req(req).serialize());
  BOOST_TEST(payerCard.replies.empty());
  BOOST_TEST(payerCard.sent.size() == 4u);
  BOOST_TEST(payeeCard.sent.size() == 3u);
  // START FROM named the payee's certificate, value, sequence number and reference.
  const StartOrder sentToPayer{payeeCert->encode(), 500, 22, reference};
  BOOST_TEST(payerCard.sent[2] == apdus::startFrom(sentToPayer).serialize());
}

BOOST_AUTO_TEST_CASE(a_payer_pd_that_is_not_the_transfer_asked_for_stops_the_transfer) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  auto payerCert = signer.certify(purseId(1), freshCardKey().publicKey(), kEuro, kExpiry);
  auto payeeCert = signer.certify(purseId(2), freshCardKey().publicKey(), kEuro, kExpiry);
  BOOST_TEST_REQUIRE(payerCert.isOk());
  BOOST_TEST_REQUIRE(payeeCert.isOk());
  PaymentDetails pd;
  pd.fromId = purseId(1);
  pd.fromSeq = 11;
  pd.toId = purseId(2);
  pd.toSeq = 22;
  pd.value = 5000;  // ten times what was asked for
  pd.currency = kEuro;

  ScriptedChannel payerCard, payeeCard;
  payerCard.answer(statusOf(purseId(1), 11).encode());
  payeeCard.answer(statusOf(purseId(2), 22).encode());
  payerCard.answer(payerCert->encode());
  payeeCard.answer(payeeCert->encode());
  payerCard.answer(pd.encode());
  host::PurseClient payer(payerCard), payee(payeeCard);

  auto result = terminal::runTransfer(payer, payee, 500, PurchaseReference{});
  BOOST_TEST_REQUIRE(!result.isOk());
  BOOST_TEST((result.failure().step == terminal::TransferStep::kStartFrom));
  BOOST_TEST(!result.refusal().has_value());
  BOOST_TEST(result.error().message.find("value") != std::string::npos, result.error().message);
  BOOST_TEST(payeeCard.sent.size() == 2u);  // START TO never sent
}

BOOST_AUTO_TEST_SUITE_END()
