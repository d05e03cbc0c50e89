// What the purse tells its issuer about its logs (card/purse/purse_audit.cpp, purse_logs.cpp):
// AUDIT READ, the signed head of either log, and READ RECORD of both logs. Heads and records
// are checked field by field, hashes and digests computed here, signatures verified with the
// certified card key; each refusal with its exact status word and the card image byte for
// byte unchanged.
#define BOOST_TEST_MODULE purse_audit
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/card_statements.h"
#include "host/log_verifier.h"
#include "protocol/card_certificate.h"
#include "protocol/log_record.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_status.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_records.h"
#include "tests/support/purse_transfers.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::CardCertificate;
namespace apdus = protocol::apdus;

// SHA-256 over the empty string.
const std::string kSha256OfNothing = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";

}  // namespace

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(audit_read)

BOOST_AUTO_TEST_CASE(the_transaction_log_head_is_signed_over_the_challenge) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);
  (void)expectOk(*purse, loadCommand(issuer, testPurseId(1), valueOrder(1, 234)), "second LOAD");
  const CardCertificate cert = certificateOf(*purse);
  const Bytes challenge = h("00112233445566778899AABBCCDDEEFF");
  const Bytes answer = auditOf(*purse, kTxLog, challenge);
  BOOST_TEST_REQUIRE(answer.size() == 54u + 64);
  const Bytes head = headOf(answer, 54);
  const Bytes signature = tailOf(answer, 54);
  const Bytes newest = recordsNewestFirst(*purse, kTxLog).front();
  checkAuditHead(head, testPurseId(1), kTxLog, 2, chainHashOf(newest), 1234, 1, 2, "transaction log head");
  // "AUDT" || challenge length || challenge || head, under the certified card key.
  BOOST_TEST(signedBy(cert.publicKey, cat({ascii("AUDT"), Bytes{16}, challenge, head}), signature));
  BOOST_TEST(!signedBy(cert.publicKey, cat({ascii("AUDT"), Bytes{16}, h("00112233445566778899AABBCCDDEEFE"), head}),
                       signature),
             "the signature covers the challenge");

  auto audited = purse->client().audit(kTxLog, challenge, cert, issuer.key().verificationKey());
  BOOST_TEST_REQUIRE(audited.isOk(), "PurseClient::audit: " << why(audited));
  auto records = purse->client().readTransactionLog();
  BOOST_TEST_REQUIRE(records.isOk());
  BOOST_TEST(host::verifyTransactionLog(*records).isOk());
  BOOST_TEST(host::verifyTransactionHead(*records, *audited).isOk());
  BOOST_TEST(!host::verifyAuditResponse(answer, kTxLog, h("FFFFFFFFFFFFFFFF"), cert, issuer.key().verificationKey()),
             "the answer verifies for another challenge");
  BOOST_TEST(!host::verifyAuditResponse(answer, kExLog, challenge, cert, issuer.key().verificationKey()),
             "the transaction log's head passes as the exception log's");
}

BOOST_AUTO_TEST_CASE(the_exception_log_head_is_the_digest_of_the_records_held) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 5000);
  auto payee = makePurse(issuer, 2, 0);
  (void)leaveException(*payer, *payee, 100, 1);
  (void)leaveException(*payer, *payee, 200, 2);
  const CardCertificate cert = certificateOf(*payee);
  const Bytes challenge(8, 0x5A);
  const Bytes answer = auditOf(*payee, kExLog, challenge);
  BOOST_TEST_REQUIRE(answer.size() == 54u + 64);
  const auto held = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(held.size() == 2u);
  const Bytes digest = bytesOf(digestOf({held[1], held[0]}));  // oldest first
  // The payee's nextSeq: 1 + the two START TO it took.
  checkAuditHead(headOf(answer, 54), testPurseId(2), kExLog, 2, digest, 0, 3, 2, "exception log head");
  BOOST_TEST(signedBy(cert.publicKey, cat({ascii("AUDT"), Bytes{8}, challenge, headOf(answer, 54)}),
                      tailOf(answer, 54)));
  auto audited = payee->client().audit(kExLog, challenge, cert, issuer.key().verificationKey());
  BOOST_TEST_REQUIRE(audited.isOk(), why(audited));
  auto records = payee->client().readExceptionLog();
  BOOST_TEST_REQUIRE(records.isOk());
  BOOST_TEST(host::verifyExceptionHead(*records, *audited).isOk());
}

BOOST_AUTO_TEST_CASE(empty_logs_and_the_challenge_lengths_8_and_32) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  const Bytes tx = auditOf(*purse, kTxLog, Bytes(8, 1));
  // An empty transaction log's head hash is the zero hash.
  checkAuditHead(headOf(tx, 54), testPurseId(1), kTxLog, 0, Bytes(32, 0), 0, 1, 0, "empty transaction log");
  const Bytes ex = auditOf(*purse, kExLog, Bytes(32, 2));
  // An empty exception log's digest is SHA-256 over nothing.
  checkAuditHead(headOf(ex, 54), testPurseId(1), kExLog, 0, h(kSha256OfNothing), 0, 1, 0, "empty exception log");
  const CardCertificate cert = certificateOf(*purse);
  BOOST_TEST(signedBy(cert.publicKey, cat({ascii("AUDT"), Bytes{32}, Bytes(32, 2), headOf(ex, 54)}), tailOf(ex, 54)));
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 10);
  const Bytes challenge(16, 7);
  const CommandApdu good = apdus::auditRead(kTxLog, challenge);
  expectRefused(*purse, withP1P2(good, kTxLog, 0x01), sw::kIncorrectP1P2, "P2 01");
  for (std::uint8_t p1 : {0x00, 0x03, 0x0A, 0xFF}) {
    expectRefused(*purse, withP1P2(good, p1, 0x00), sw::kIncorrectP1P2, "P1 " + hx(Bytes{p1}));
  }
  for (std::size_t n : {0, 1, 7, 33, 64}) {
    expectRefused(*purse, apdus::auditRead(kTxLog, Bytes(n, 7)), sw::kWrongLength,
                  std::to_string(n) + "-byte challenge");
    expectRefused(*purse, apdus::auditRead(kExLog, Bytes(n, 7)), sw::kWrongLength,
                  std::to_string(n) + "-byte challenge");
  }
  TestPurse blank;
  expectRefused(blank, good, sw::kConditionsNotSatisfied, "blank purse: no card key, no certificate");
  Staged notYet = staged(issuer, Stage::kData, 2);
  expectRefused(*notYet.purse, good, sw::kConditionsNotSatisfied, "no certificate yet");
  expectRefused(*notYet.purse, apdus::auditRead(kTxLog, Bytes(7, 0)), sw::kWrongLength,
                "the length is checked before the state");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(read_record)

BOOST_AUTO_TEST_CASE(thirty_five_loads_wrap_the_32_record_ring_newest_first) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  const auto id = testPurseId(1);
  for (std::uint32_t n = 1; n <= 35; ++n) {
    (void)expectOk(*purse, loadCommand(issuer, id, valueOrder(n - 1, n)), "LOAD " + std::to_string(n));
  }
  BOOST_TEST(purse->status().balance == 35u * 36 / 2);
  BOOST_TEST(purse->status().logAppended == 35u);

  const protocol::PurseId issuerSide = keyIdOf(issuer.key().publicKey());
  std::vector<Bytes> newestFirst;
  for (std::uint8_t k = 1; k <= 32; ++k) {
    newestFirst.push_back(
        expectOkUnchanged(*purse, apdus::readRecord(kTxLog, k), "READ RECORD " + std::to_string(k)));
  }
  expectRefused(*purse, apdus::readRecord(kTxLog, 33), sw::kRecordNotFound, "record 33 of 32 held");
  expectRefused(*purse, apdus::readRecord(kTxLog, 255), sw::kRecordNotFound, "record 255");

  for (std::size_t k = 0; k < 32; ++k) {
    const Bytes& r = newestFirst[k];
    const std::uint32_t number = 35 - static_cast<std::uint32_t>(k);  // 35, 34, ..., 4
    const protocol::LogRecord record = logRecordOf(r);  // 103 bytes
    BOOST_TEST(record.number == number, "record " << k + 1 << " is number " << record.number);
    BOOST_TEST((record.type == protocol::LogType::kLoad));
    // A load's pd: from the issuer key ID at the load counter the order carried, to this purse.
    BOOST_TEST((record.details == paymentDetails(issuerSide, number - 1, id, 0, number, kEuro)),
               "pd of record " << number);
    BOOST_TEST(record.balanceAfter == number * (number + 1) / 2, "balance after load " << number);
    if (k + 1 < 32) {  // the chain: each record's hash follows from the one before it
      const Bytes& older = newestFirst[k + 1];
      const auto expected = protocol::sha256(chainHashOf(older), ByteView(r.data(), protocol::LogRecord::kHashedSize));
      BOOST_TEST(hx(chainHashOf(r)) == hx(expected), "record " << number << " chains from " << number - 1);
    }
  }
  auto log = purse->client().readTransactionLog();
  BOOST_TEST_REQUIRE(log.isOk(), why(log));
  BOOST_TEST(log->size() == 32u);
  BOOST_TEST(host::verifyTransactionLog(*log).isOk(), "log_verifier accepts the wrapped chain");
  const CardCertificate cert = certificateOf(*purse);
  auto head = purse->client().audit(kTxLog, Bytes(8, 3), cert, issuer.key().verificationKey());
  BOOST_TEST_REQUIRE(head.isOk(), why(head));
  BOOST_TEST(head->appended == 35u);
  BOOST_TEST(head->held == 32);
  BOOST_TEST(host::verifyTransactionHead(*log, *head).isOk());
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 50);  // one transaction record, no exceptions
  const CommandApdu good = apdus::readRecord(kTxLog, 1);
  (void)expectOkUnchanged(*purse, good, "READ RECORD 1");
  expectRefused(*purse, apdus::readRecord(kTxLog, 2), sw::kRecordNotFound, "record 2 of 1");
  expectRefused(*purse, apdus::readRecord(kExLog, 1), sw::kRecordNotFound, "empty exception log");
  expectRefused(*purse, withP1P2(good, 0x00, 0x0C), sw::kIncorrectP1P2, "record number 0");
  for (std::uint8_t low : {0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07}) {
    expectRefused(*purse, withP1P2(good, 0x01, static_cast<std::uint8_t>(kTxLog << 3 | low)), sw::kIncorrectP1P2,
                  "P2 low bits " + std::to_string(low));
  }
  for (std::uint8_t sfi : {0, 3, 4, 30, 31}) {
    expectRefused(*purse, apdus::readRecord(sfi, 1), sw::kFileNotFound, "SFI " + std::to_string(sfi));
  }
  expectRefused(*purse, withData(good, Bytes{0x00}), sw::kWrongLength, "with data");
  TestPurse blank;
  expectRefused(blank, good, sw::kRecordNotFound, "a blank purse has no records");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
