// Reading a purse's evidence (host/evidence_reader.h) and checking it as a whole
// (host/evidence_verifier.h): a purse with loads, transfers both ways and aborted transfers,
// so that both logs hold records, read and verified; then every way of tampering with what was
// read (a byte, a record dropped or moved, an audit replayed or cut short, a certificate or
// head of someone else) refused with an error naming what failed.
#define BOOST_TEST_MODULE evidence
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/evidence_reader.h"
#include "host/evidence_verifier.h"
#include "protocol/purse_commands.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_records.h"
#include "tests/support/purse_transfers.h"

namespace epurse::testing {
namespace {

using namespace checks;
using host::CollectedEvidence;
using host::VerifiedEvidence;

const Bytes kChallenge = h("00112233445566778899AABBCCDDEEFF");
const Bytes kOtherChallenge = h("FFEEDDCCBBAA99887766554433221100");

// Purse 2 ends with 4 transaction records (its load, 700 in from purse 1, 200 out to purse
// 1 and that transfer's ACK) and 2 exception records (two transfers from purse 1 aborted while it was in epv).
struct World {
  TestIssuer issuer;
  std::unique_ptr<TestPurse> payer = makePurse(issuer, 1, 5000);
  std::unique_ptr<TestPurse> purse = makePurse(issuer, 2, 1000);

  World() {
    auto in = terminal::runTransfer(payer->client(), purse->client(), 700, referenceOf(1));
    BOOST_TEST_REQUIRE(in.isOk(), "transfer in: " << why(in));
    auto out = terminal::runTransfer(purse->client(), payer->client(), 200, referenceOf(2));
    BOOST_TEST_REQUIRE(out.isOk(), "transfer out: " << why(out));
    (void)leaveException(*payer, *purse, 100, 3);
    (void)leaveException(*payer, *purse, 150, 4);
  }

  CollectedEvidence read(TestPurse& p, const Bytes& challenge = kChallenge) {
    auto evidence = host::readEvidence(p.client(), challenge);
    BOOST_TEST_REQUIRE(evidence.isOk(), "readEvidence: " << why(evidence));
    return *evidence;
  }
  Result<VerifiedEvidence> verify(const CollectedEvidence& evidence) {
    return host::verifyEvidence(evidence, issuer.key().verificationKey());
  }
};

bool mentions(const Error& e, const std::string& what) { return e.message.find(what) != std::string::npos; }

// `evidence` is refused with `code` and a message naming `what`.
void expectRefused(World& w, const CollectedEvidence& evidence, ErrorCode code, const std::string& what,
                   const std::string& tampering) {
  auto verified = w.verify(evidence);
  BOOST_TEST_REQUIRE(!verified.isOk(), tampering << ": accepted");
  BOOST_TEST((verified.error().code == code), tampering << ": " << verified.error().toString());
  BOOST_TEST(mentions(verified.error(), what), tampering << ": '" << verified.error().message << "' does not name '"
                                                         << what << "'");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reading)

BOOST_AUTO_TEST_CASE(a_reading_holds_what_the_card_answers_and_verifies) {
  World w;
  const CollectedEvidence evidence = w.read(*w.purse);
  BOOST_TEST((evidence.certificate == certificateOf(*w.purse)));
  BOOST_TEST(evidence.challenge == kChallenge);
  // Oldest first, exactly as READ RECORD answered.
  std::vector<Bytes> tx = recordsNewestFirst(*w.purse, kTxLog);
  std::vector<Bytes> ex = recordsNewestFirst(*w.purse, kExLog);
  std::reverse(tx.begin(), tx.end());
  std::reverse(ex.begin(), ex.end());
  BOOST_TEST_REQUIRE(tx.size() == 4u);
  BOOST_TEST_REQUIRE(ex.size() == 2u);
  BOOST_TEST(evidence.transactionRecords == tx);
  BOOST_TEST(evidence.exceptionRecords == ex);
  BOOST_TEST(evidence.transactionAudit.size() == protocol::AuditHead::kSize + 64);
  BOOST_TEST(evidence.exceptionAudit.size() == protocol::AuditHead::kSize + 64);

  auto verified = w.verify(evidence);
  BOOST_TEST_REQUIRE(verified.isOk(), "verifyEvidence: " << why(verified));
  BOOST_TEST((verified->certificate == evidence.certificate));
  BOOST_TEST(verified->transactionHead.purseId == testPurseId(2));
  BOOST_TEST(verified->transactionHead.log == kTxLog);
  BOOST_TEST(verified->transactionHead.held == 4u);
  BOOST_TEST(verified->transactionHead.balance == 1500u);
  BOOST_TEST(verified->exceptionHead.log == kExLog);
  BOOST_TEST(verified->exceptionHead.held == 2u);
  auto txLog = w.purse->client().readTransactionLog();
  auto exLog = w.purse->client().readExceptionLog();
  BOOST_TEST_REQUIRE(txLog.isOk());
  BOOST_TEST_REQUIRE(exLog.isOk());
  BOOST_TEST((verified->transactionRecords == *txLog));
  BOOST_TEST((verified->exceptionRecords == *exLog));
  BOOST_TEST((verified->transactionRecords[1].type == protocol::LogType::kTransferIn));
  BOOST_TEST((verified->transactionRecords[2].type == protocol::LogType::kTransferOut));
  BOOST_TEST((verified->transactionRecords[3].type == protocol::LogType::kTransferAcked));
  BOOST_TEST(verified->exceptionRecords[0].pd.value == 100u);
  BOOST_TEST(verified->exceptionRecords[1].pd.value == 150u);
}

BOOST_AUTO_TEST_CASE(a_purse_with_empty_logs_verifies) {
  World w;
  TestPurse blank;
  (void)w.issuer.personalise(blank.client(), profileFor(3));
  const CollectedEvidence evidence = w.read(blank);
  BOOST_TEST(evidence.transactionRecords.empty());
  BOOST_TEST(evidence.exceptionRecords.empty());
  auto verified = w.verify(evidence);
  BOOST_TEST_REQUIRE(verified.isOk(), "verifyEvidence: " << why(verified));
  BOOST_TEST(verified->transactionHead.held == 0u);
}

BOOST_AUTO_TEST_CASE(a_challenge_outside_8_to_32_bytes_is_not_sent) {
  World w;
  for (std::size_t size : {std::size_t{0}, std::size_t{7}, std::size_t{33}}) {
    auto evidence = host::readEvidence(w.purse->client(), Bytes(size, 0x11));
    BOOST_TEST_REQUIRE(!evidence.isOk(), size << " bytes accepted");
    BOOST_TEST((evidence.error().code == ErrorCode::kInvalidArgument));
    BOOST_TEST(!evidence.refusal().has_value(), "the card was asked");
  }
  for (std::size_t size : {std::size_t{8}, std::size_t{32}}) {
    auto verified = w.verify(w.read(*w.purse, Bytes(size, 0x22)));
    BOOST_TEST(verified.isOk(), size << " bytes: " << why(verified));
  }
}

BOOST_AUTO_TEST_CASE(a_reading_of_a_purse_not_personalised_fails_naming_the_command) {
  TestPurse blank;
  auto evidence = host::readEvidence(blank.client(), kChallenge);
  BOOST_TEST_REQUIRE(!evidence.isOk());
  BOOST_TEST(evidence.refusal().has_value(), evidence.error().toString());
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(tampering)

BOOST_AUTO_TEST_CASE(a_flipped_byte_anywhere_in_any_record_is_refused) {
  World w;
  const CollectedEvidence good = w.read(*w.purse);
  for (std::size_t r = 0; r < good.transactionRecords.size(); ++r) {
    for (std::size_t i = 0; i < good.transactionRecords[r].size(); ++i) {
      CollectedEvidence bad = good;
      bad.transactionRecords[r][i] ^= 0x01;
      auto verified = w.verify(bad);
      BOOST_TEST_REQUIRE(!verified.isOk(), "transaction record " << r << " byte " << i << " flipped: accepted");
      BOOST_TEST(mentions(verified.error(), "transaction log"), verified.error().message);
    }
  }
  for (std::size_t r = 0; r < good.exceptionRecords.size(); ++r) {
    for (std::size_t i = 0; i < good.exceptionRecords[r].size(); ++i) {
      CollectedEvidence bad = good;
      bad.exceptionRecords[r][i] ^= 0x80;
      auto verified = w.verify(bad);
      BOOST_TEST_REQUIRE(!verified.isOk(), "exception record " << r << " byte " << i << " flipped: accepted");
      BOOST_TEST(mentions(verified.error(), "exception log"), verified.error().message);
    }
  }
  // The chain's own check names the record: the newest record's hash no longer follows.
  CollectedEvidence bad = good;
  bad.transactionRecords[3][protocol::LogRecord::kHashedSize] ^= 0x01;
  expectRefused(w, bad, ErrorCode::kCorrupt, "record 4 does not chain from record 3", "newest chain hash");
  bad = good;
  bad.exceptionRecords[0][10] ^= 0x01;
  expectRefused(w, bad, ErrorCode::kCorrupt, "do not hash to the audit head", "exception pd");
}

BOOST_AUTO_TEST_CASE(a_dropped_record_is_refused) {
  World w;
  const CollectedEvidence good = w.read(*w.purse);
  for (std::size_t r = 0; r < good.transactionRecords.size(); ++r) {
    CollectedEvidence bad = good;
    bad.transactionRecords.erase(bad.transactionRecords.begin() + static_cast<std::ptrdiff_t>(r));
    expectRefused(w, bad, ErrorCode::kCorrupt, "transaction log", std::string("transaction record ") + std::to_string(r) + " dropped");
  }
  for (std::size_t r = 0; r < good.exceptionRecords.size(); ++r) {
    CollectedEvidence bad = good;
    bad.exceptionRecords.erase(bad.exceptionRecords.begin() + static_cast<std::ptrdiff_t>(r));
    expectRefused(w, bad, ErrorCode::kCorrupt, "exception log", std::string("exception record ") + std::to_string(r) + " dropped");
  }
  CollectedEvidence bad = good;
  bad.transactionRecords.pop_back();
  expectRefused(w, bad, ErrorCode::kCorrupt, "4 records are held, 3 were read", "newest dropped");
}

BOOST_AUTO_TEST_CASE(reordered_records_are_refused) {
  World w;
  const CollectedEvidence good = w.read(*w.purse);
  for (std::size_t r = 0; r + 1 < good.transactionRecords.size(); ++r) {
    CollectedEvidence bad = good;
    std::swap(bad.transactionRecords[r], bad.transactionRecords[r + 1]);
    expectRefused(w, bad, ErrorCode::kCorrupt, "out of order", std::string("transaction records ") + std::to_string(r) + " swapped");
  }
  CollectedEvidence bad = good;
  std::reverse(bad.transactionRecords.begin(), bad.transactionRecords.end());
  expectRefused(w, bad, ErrorCode::kCorrupt, "transaction log", "transaction records newest first");
  bad = good;
  std::swap(bad.exceptionRecords[0], bad.exceptionRecords[1]);
  expectRefused(w, bad, ErrorCode::kCorrupt, "exception record 1 is out of order", "exception records swapped");
}

BOOST_AUTO_TEST_CASE(a_duplicated_record_is_refused) {
  World w;
  const CollectedEvidence good = w.read(*w.purse);
  CollectedEvidence bad = good;
  bad.transactionRecords.push_back(bad.transactionRecords.back());
  expectRefused(w, bad, ErrorCode::kCorrupt, "transaction log", "newest transaction record twice");
  bad = good;
  bad.exceptionRecords.push_back(bad.exceptionRecords.back());
  expectRefused(w, bad, ErrorCode::kCorrupt, "exception log", "newest exception record twice");
}

BOOST_AUTO_TEST_CASE(an_audit_replayed_for_another_challenge_is_refused) {
  World w;
  const CollectedEvidence good = w.read(*w.purse);
  const CollectedEvidence other = w.read(*w.purse, kOtherChallenge);
  BOOST_TEST_REQUIRE(w.verify(other).isOk());
  CollectedEvidence bad = good;
  bad.transactionAudit = other.transactionAudit;
  expectRefused(w, bad, ErrorCode::kProtocol, "transaction log audit: the card's signature", "transaction audit replayed");
  bad = good;
  bad.exceptionAudit = other.exceptionAudit;
  expectRefused(w, bad, ErrorCode::kProtocol, "exception log audit: the card's signature", "exception audit replayed");
  // The whole old reading presented as an answer to a new challenge.
  bad = good;
  bad.challenge = kOtherChallenge;
  bad.transactionAudit = good.transactionAudit;
  expectRefused(w, bad, ErrorCode::kProtocol, "signature", "challenge changed");
}

BOOST_AUTO_TEST_CASE(an_audit_of_an_earlier_state_with_todays_records_is_refused) {
  World w;
  const CollectedEvidence before = w.read(*w.purse);
  (void)leaveException(*w.payer, *w.purse, 50, 5);
  (void)w.issuer.load(w.purse->client(), 10);
  const CollectedEvidence after = w.read(*w.purse);
  BOOST_TEST_REQUIRE(w.verify(after).isOk());
  CollectedEvidence bad = after;
  bad.transactionAudit = before.transactionAudit;  // same challenge, the head before the LOAD
  expectRefused(w, bad, ErrorCode::kCorrupt, "transaction log: the audit head says 4 records are held, 5 were read", "old transaction head");
  bad = after;
  bad.exceptionAudit = before.exceptionAudit;
  expectRefused(w, bad, ErrorCode::kCorrupt, "exception log", "old exception head");
}

BOOST_AUTO_TEST_CASE(an_audit_head_swapped_between_the_logs_is_refused) {
  World w;
  const CollectedEvidence good = w.read(*w.purse);
  CollectedEvidence bad = good;
  std::swap(bad.transactionAudit, bad.exceptionAudit);
  expectRefused(w, bad, ErrorCode::kProtocol, "asked to audit log 1, the card audited log 2", "heads swapped");
}

BOOST_AUTO_TEST_CASE(a_truncated_or_extended_audit_is_refused) {
  World w;
  const CollectedEvidence good = w.read(*w.purse);
  for (std::size_t size : {std::size_t{0}, protocol::AuditHead::kSize, good.transactionAudit.size() - 1}) {
    CollectedEvidence bad = good;
    bad.transactionAudit.resize(size);
    expectRefused(w, bad, ErrorCode::kMalformed, "transaction log audit", std::string("transaction audit cut to ") + std::to_string(size));
    bad = good;
    bad.exceptionAudit.resize(size);
    expectRefused(w, bad, ErrorCode::kMalformed, "exception log audit", std::string("exception audit cut to ") + std::to_string(size));
  }
  CollectedEvidence bad = good;
  bad.transactionAudit.push_back(0x00);
  expectRefused(w, bad, ErrorCode::kMalformed, "transaction log audit", "transaction audit one byte longer");
}

BOOST_AUTO_TEST_CASE(a_truncated_or_extended_record_is_refused) {
  World w;
  const CollectedEvidence good = w.read(*w.purse);
  CollectedEvidence bad = good;
  bad.transactionRecords[1].pop_back();
  expectRefused(w, bad, ErrorCode::kMalformed, "transaction log record [1]", "transaction record cut");
  bad = good;
  bad.exceptionRecords[0].push_back(0x00);
  expectRefused(w, bad, ErrorCode::kMalformed, "exception log record [0]", "exception record extended");
}

BOOST_AUTO_TEST_CASE(a_challenge_outside_8_to_32_bytes_is_refused) {
  World w;
  CollectedEvidence bad = w.read(*w.purse, Bytes(8, 0x33));
  bad.challenge.pop_back();
  expectRefused(w, bad, ErrorCode::kMalformed, "challenge is 7 bytes", "7-byte challenge");
  bad.challenge.assign(33, 0x33);
  expectRefused(w, bad, ErrorCode::kMalformed, "challenge is 33 bytes", "33-byte challenge");
}

BOOST_AUTO_TEST_CASE(a_certificate_of_another_issuer_is_refused) {
  World w;
  TestIssuer forger;
  auto forged = makePurse(forger, 2, 1000);  // same purse ID, another issuer's key
  const CollectedEvidence good = w.read(*w.purse);
  CollectedEvidence bad = good;
  bad.certificate = certificateOf(*forged);
  expectRefused(w, bad, ErrorCode::kProtocol, "not signed by this issuer key", "forger's certificate");
  // Found as the certificate's failure, before any audit is checked against it.
  BOOST_TEST(w.verify(bad).error().message.rfind("the card certificate of purse", 0) == 0u, w.verify(bad).error().message);
  // A whole reading of the forger's purse, internally consistent, is still refused.
  expectRefused(w, w.read(*forged), ErrorCode::kProtocol, "not signed by this issuer key", "forger's purse");
  // And the genuine purse does not pass under the forger's key.
  auto underForger = host::verifyEvidence(good, forger.key().verificationKey());
  BOOST_TEST(!underForger.isOk());
}

BOOST_AUTO_TEST_CASE(a_head_of_another_purse_is_refused) {
  World w;
  const CollectedEvidence good = w.read(*w.purse);
  const CollectedEvidence payers = w.read(*w.payer);  // same issuer, same challenge
  BOOST_TEST_REQUIRE(w.verify(payers).isOk());
  CollectedEvidence bad = good;
  bad.transactionAudit = payers.transactionAudit;
  expectRefused(w, bad, ErrorCode::kProtocol, std::string("names purse ") + protocol::purseIdHex(testPurseId(1)), "payer's transaction head");
  bad = good;
  bad.exceptionAudit = payers.exceptionAudit;
  expectRefused(w, bad, ErrorCode::kProtocol, std::string("names purse ") + protocol::purseIdHex(testPurseId(1)), "payer's exception head");
  // The purse's own heads and records under the payer's (genuine) certificate.
  bad = good;
  bad.certificate = payers.certificate;
  expectRefused(w, bad, ErrorCode::kProtocol, std::string("names purse ") + protocol::purseIdHex(testPurseId(2)), "payer's certificate");
  // The payer's records under the purse's heads.
  bad = good;
  bad.transactionRecords = payers.transactionRecords;
  expectRefused(w, bad, ErrorCode::kCorrupt, "transaction log", "payer's records");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
