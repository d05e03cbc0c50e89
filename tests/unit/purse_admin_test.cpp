// The purse commands of the issuer after personalisation and of the value transfer, one at a
// time: AUDIT READ, READ RECORD, CLEAR EXCEPTION LOG (with the full exception log rule), PUT
// REVOCATION LIST, SET LIFE CYCLE, START FROM, START TO, REQ, VAL and ACK. Each success with
// its effect checked (records byte by byte, hashes and balances computed here, signatures
// verified with the certified card key); each refusal with its exact status word and the card
// image byte for byte unchanged. The cardholder's and the bureau's commands are in
// purse_commands_test.cpp.
#define BOOST_TEST_MODULE purse_admin
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "card/persistence/transaction_store.h"
#include "card/purse/purse_layout.h"
#include "card/runtime/card_os.h"
#include "protocol/card_certificate.h"
#include "protocol/log_record.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "protocol/purse_status.h"
#include "protocol/transfer_messages.h"
#include "host/card_statements.h"
#include "host/log_verifier.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/purse_command_checks.h"
#include "tests/support/purse_fixture.h"

namespace epurse::testing {
namespace {

using namespace checks;
using protocol::Amount;
using protocol::CardCertificate;
using protocol::LifeCycle;
using protocol::LifeCycleChange;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;
using protocol::PurseStatus;
using protocol::SignedTransferMessage;
using protocol::StartOrder;
namespace apdus = protocol::apdus;
namespace purse_sw = protocol::purse_sw;


constexpr std::uint8_t kTxLog = protocol::kSfiTransactionLog;
constexpr std::uint8_t kExLog = protocol::kSfiExceptionLog;

// SHA-256 over the empty string.
const std::string kSha256OfNothing = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";

Bytes bytesOf(const protocol::Digest& d) { return Bytes(d.begin(), d.end()); }

protocol::Digest digestOf(const std::vector<Bytes>& parts) {
  Bytes all;
  for (const Bytes& p : parts) appendBytes(all, p);
  return protocol::sha256(all);
}

protocol::PurchaseReference referenceOf(std::uint8_t tag) {
  protocol::PurchaseReference r{};
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint8_t>(tag + i);
  return r;
}

// pd laid out as payment_details.h defines it, built here.
Bytes pdBytes(const protocol::PurseId& from, std::uint32_t fromSeq, const protocol::PurseId& to, std::uint32_t toSeq,
              Amount value, protocol::Currency currency, const protocol::PurchaseReference& reference) {
  Bytes out(from.begin(), from.end());
  appendU32(out, fromSeq);
  appendBytes(out, to);
  appendU32(out, toSeq);
  appendU32(out, value);
  appendU16(out, currency);
  appendBytes(out, reference);
  return out;
}

// A transaction-log record: number, type, pd, balance after, chain hash.
Bytes logRecordBytes(std::uint32_t number, protocol::LogType type, const Bytes& pd, Amount balanceAfter,
                     const Bytes& previousHash) {
  Bytes hashed;
  appendU32(hashed, number);
  hashed.push_back(static_cast<std::uint8_t>(type));
  appendBytes(hashed, pd);
  appendU32(hashed, balanceAfter);
  Bytes record = hashed;
  appendBytes(record, bytesOf(protocol::sha256(previousHash, hashed)));
  return record;
}

// An exception record: number, protocol status aborted in, pd.
Bytes exceptionRecordBytes(std::uint32_t number, ProtocolStatus abortedIn, const Bytes& pd) {
  Bytes out;
  appendU32(out, number);
  out.push_back(static_cast<std::uint8_t>(abortedIn));
  appendBytes(out, pd);
  return out;
}

// READ RECORD 1, 2, ... of `sfi` until 6A83, newest first, each read checked not to change
// the image.
std::vector<Bytes> recordsNewestFirst(TestPurse& purse, std::uint8_t sfi) {
  std::vector<Bytes> out;
  for (int n = 1; n <= 255; ++n) {
    const auto command = apdus::readRecord(sfi, static_cast<std::uint8_t>(n));
    const auto r = exchange(purse, command, "READ RECORD");
    if (r.sw() == kNoRecord) break;
    BOOST_TEST_REQUIRE(r.sw() == sw::kSuccess, "READ RECORD " << n << " answered " << swHex(r.sw()));
    out.push_back(r.data());
  }
  return out;
}

Bytes chainHashOf(const Bytes& record) { return Bytes(record.begin() + 71, record.end()); }

// A transfer from payer to payee begun (START FROM, START TO) and aborted on both: the payee,
// in epv, logs pd; the payer, in epr, logs nothing. Returns pd as the payee signed it in REQ.
PaymentDetails leaveException(TestPurse& payer, TestPurse& payee, Amount value, std::uint8_t tag = 0) {
  terminal::TransferSession session(payer.client(), payee.client(), value, referenceOf(tag));
  auto parties = session.readParties();
  BOOST_TEST_REQUIRE(parties.isOk(), "read parties: " << why(parties));
  auto pd = session.startFrom();
  BOOST_TEST_REQUIRE(pd.isOk(), "START FROM: " << why(pd));
  auto req = session.startTo();
  BOOST_TEST_REQUIRE(req.isOk(), "START TO: " << why(req));
  (void)expectOk(payee, apdus::abortTransfer(), "ABORT payee in epv");
  (void)expectOk(payer, apdus::abortTransfer(), "ABORT payer in epr");
  return req->pd;
}

Bytes auditOf(TestPurse& purse, std::uint8_t sfi, const Bytes& challenge) {
  return expectOkUnchanged(purse, apdus::auditRead(sfi, challenge), "AUDIT READ " + std::to_string(sfi));
}

// The audit head as issuer_authorisations.h lays it out.
Bytes auditHeadBytes(const protocol::PurseId& id, std::uint8_t log, std::uint32_t appended, const Bytes& headHash,
                     Amount balance, std::uint32_t nextSeq, std::uint8_t held) {
  Bytes out(id.begin(), id.end());
  out.push_back(log);
  appendU32(out, appended);
  appendBytes(out, headHash);
  appendU32(out, balance);
  appendU32(out, nextSeq);
  out.push_back(held);
  return out;
}

// The START order naming `counterparty`, as a terminal builds it from that purse's
// certificate and its status record as they are now.
StartOrder startOrderNaming(TestPurse& counterparty, Amount value, std::uint8_t tag = 0) {
  return StartOrder{certificateOf(counterparty).encode(), value, counterparty.status().nextSeq, referenceOf(tag)};
}

// A START order carrying any certificate bytes.
StartOrder startOrderWith(const Bytes& certificate, Amount value) {
  return StartOrder{certificate, value, 1, referenceOf(0)};
}

Bytes u32(std::uint32_t v) {
  Bytes out;
  appendU32(out, v);
  return out;
}

// Writes `bytes` at `offset` of the purse's persistent memory (card/purse/purse_layout.h)
// behind the applet's back, as one transaction of the card's own store, and powers the card
// up again: a purse whose counters stand where no test could drive them with commands. The
// purse's region follows the card directory (it is the only applet).
void patchPurse(TestPurse& purse, std::size_t offset, const Bytes& bytes) {
  card::TransactionStore& store = purse.card().store();
  BOOST_TEST_REQUIRE(store.begin().isOk());
  BOOST_TEST_REQUIRE(store.write(card::CardOs::kDirectorySize + offset, bytes).isOk());
  BOOST_TEST_REQUIRE(store.commit().isOk());
  purse.powerCycle();
}

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
  const Bytes head(answer.begin(), answer.begin() + 54);
  const Bytes signature(answer.begin() + 54, answer.end());
  const Bytes newest = recordsNewestFirst(*purse, kTxLog).front();
  BOOST_TEST(hx(head) == hx(auditHeadBytes(testPurseId(1), kTxLog, 2, chainHashOf(newest), 1234, 1, 2)));
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
  BOOST_TEST(hx(Bytes(answer.begin(), answer.begin() + 54)) ==
             hx(auditHeadBytes(testPurseId(2), kExLog, 2, digest, 0, 3, 2)));
  BOOST_TEST(signedBy(cert.publicKey, cat({ascii("AUDT"), Bytes{8}, challenge, Bytes(answer.begin(), answer.begin() + 54)}),
                      Bytes(answer.begin() + 54, answer.end())));
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
  BOOST_TEST(hx(Bytes(tx.begin(), tx.begin() + 54)) ==
             hx(auditHeadBytes(testPurseId(1), kTxLog, 0, Bytes(32, 0), 0, 1, 0)),
             "an empty transaction log's head hash is the zero hash");
  const Bytes ex = auditOf(*purse, kExLog, Bytes(32, 2));
  BOOST_TEST(hx(Bytes(ex.begin(), ex.begin() + 54)) ==
             hx(auditHeadBytes(testPurseId(1), kExLog, 0, h(kSha256OfNothing), 0, 1, 0)),
             "an empty exception log's digest is SHA-256 over nothing");
  const CardCertificate cert = certificateOf(*purse);
  BOOST_TEST(signedBy(cert.publicKey, cat({ascii("AUDT"), Bytes{32}, Bytes(32, 2), Bytes(ex.begin(), ex.begin() + 54)}),
                      Bytes(ex.begin() + 54, ex.end())));
}

BOOST_AUTO_TEST_CASE(refusals) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 10);
  const Bytes challenge(16, 7);
  const CommandApdu good = apdus::auditRead(kTxLog, challenge);
  expectRefused(*purse, withP1P2(good, kTxLog, 0x01), kWrongP1P2, "P2 01");
  for (std::uint8_t p1 : {0x00, 0x03, 0x0A, 0xFF}) {
    expectRefused(*purse, withP1P2(good, p1, 0x00), kWrongP1P2, "P1 " + hx(Bytes{p1}));
  }
  for (std::size_t n : {0, 1, 7, 33, 64}) {
    expectRefused(*purse, apdus::auditRead(kTxLog, Bytes(n, 7)), kWrongLength, std::to_string(n) + "-byte challenge");
    expectRefused(*purse, apdus::auditRead(kExLog, Bytes(n, 7)), kWrongLength, std::to_string(n) + "-byte challenge");
  }
  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse: no card key, no certificate");
  Staged notYet = staged(issuer, Stage::kData, 2);
  expectRefused(*notYet.purse, good, kWrongState, "no certificate yet");
  expectRefused(*notYet.purse, apdus::auditRead(kTxLog, Bytes(7, 0)), kWrongLength,
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

  const Bytes issuerSide = idBytes(keyIdOf(issuer.key().publicKey()));
  std::vector<Bytes> newestFirst;
  for (std::uint8_t k = 1; k <= 32; ++k) {
    newestFirst.push_back(
        expectOkUnchanged(*purse, apdus::readRecord(kTxLog, k), "READ RECORD " + std::to_string(k)));
  }
  expectRefused(*purse, apdus::readRecord(kTxLog, 33), kNoRecord, "record 33 of 32 held");
  expectRefused(*purse, apdus::readRecord(kTxLog, 255), kNoRecord, "record 255");

  for (std::size_t k = 0; k < 32; ++k) {
    const Bytes& r = newestFirst[k];
    BOOST_TEST_REQUIRE(r.size() == 103u);
    const std::uint32_t number = 35 - static_cast<std::uint32_t>(k);  // 35, 34, ..., 4
    BOOST_TEST(loadU32(r.data()) == number, "record " << k + 1 << " is number " << loadU32(r.data()));
    BOOST_TEST(r[4] == static_cast<std::uint8_t>(protocol::LogType::kLoad));
    Bytes pd = issuerSide;
    appendU32(pd, number - 1);  // the load counter the order carried
    appendBytes(pd, idBytes(id));
    appendU32(pd, 0);
    appendU32(pd, number);
    appendU16(pd, kEuro);
    appendBytes(pd, Bytes(32, 0));
    BOOST_TEST(hx(ByteView(r.data() + 5, 62)) == hx(pd), "pd of record " << number);
    BOOST_TEST(loadU32(r.data() + 67) == number * (number + 1) / 2, "balance after load " << number);
    if (k + 1 < 32) {  // the chain: each record's hash follows from the one before it
      const Bytes& older = newestFirst[k + 1];
      const auto expected = protocol::sha256(chainHashOf(older), ByteView(r.data(), 71));
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
  expectRefused(*purse, apdus::readRecord(kTxLog, 2), kNoRecord, "record 2 of 1");
  expectRefused(*purse, apdus::readRecord(kExLog, 1), kNoRecord, "empty exception log");
  expectRefused(*purse, withP1P2(good, 0x00, 0x0C), kWrongP1P2, "record number 0");
  for (std::uint8_t low : {0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07}) {
    expectRefused(*purse, withP1P2(good, 0x01, static_cast<std::uint8_t>(kTxLog << 3 | low)), kWrongP1P2,
                  "P2 low bits " + std::to_string(low));
  }
  for (std::uint8_t sfi : {0, 3, 4, 30, 31}) {
    expectRefused(*purse, apdus::readRecord(sfi, 1), sw::kFileNotFound, "SFI " + std::to_string(sfi));
  }
  expectRefused(*purse, withData(good, Bytes{0x00}), kWrongLength, "with data");
  TestPurse blank;
  expectRefused(blank, good, kNoRecord, "a blank purse has no records");
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(clear_exception_log)

BOOST_AUTO_TEST_CASE(aborts_in_epv_and_epa_log_pd_and_in_epr_nothing) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 5000);
  auto payee = makePurse(issuer, 2, 0);
  const PaymentDetails pd = leaveException(*payer, *payee, 150, 9);
  const Bytes expectedPd = pdBytes(testPurseId(1), 1, testPurseId(2), 1, 150, kEuro, referenceOf(9));
  BOOST_TEST(hx(pd.encode()) == hx(expectedPd));
  const auto payeeLog = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(payeeLog.size() == 1u);
  BOOST_TEST(hx(payeeLog[0]) == hx(exceptionRecordBytes(1, ProtocolStatus::kEpv, expectedPd)));
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
  const Bytes pd2 = pdBytes(testPurseId(1), 2, testPurseId(2), 2, 300, kEuro, referenceOf(3));
  const auto payerLog = recordsNewestFirst(*payer, kExLog);
  BOOST_TEST_REQUIRE(payerLog.size() == 1u);
  BOOST_TEST(hx(payerLog[0]) == hx(exceptionRecordBytes(1, ProtocolStatus::kEpa, pd2)));
  BOOST_TEST(payer->status().balance == 5000u - 300, "the value left the payer");
  // The payee, still in epv, aborts at power-up.
  payee->powerCycle();
  const auto payeeLog2 = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(payeeLog2.size() == 2u);
  BOOST_TEST(hx(payeeLog2[0]) == hx(exceptionRecordBytes(2, ProtocolStatus::kEpv, pd2)), "newest first");
}

BOOST_AUTO_TEST_CASE(a_clear_order_removes_exactly_the_records_it_names) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 5000);
  auto payee = makePurse(issuer, 2, 0);
  for (std::uint8_t i = 1; i <= 3; ++i) (void)leaveException(*payer, *payee, 100u * i, i);
  auto held = recordsNewestFirst(*payee, kExLog);  // numbers 3, 2, 1
  BOOST_TEST_REQUIRE(held.size() == 3u);
  const Bytes r1 = held[2], r2 = held[1], r3 = held[0];
  BOOST_TEST(loadU32(r1.data()) == 1u);
  BOOST_TEST(loadU32(r3.data()) == 3u);

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
  BOOST_TEST(loadU32(audit.data() + 9) == 3u, "records ever appended stays 3");
  BOOST_TEST(hx(ByteView(audit.data() + 13, 32)) == hx(bytesOf(digestOf({r1, r3}))));

  // Numbers never repeat: the next exception is number 4.
  (void)leaveException(*payer, *payee, 400, 4);
  held = recordsNewestFirst(*payee, kExLog);
  BOOST_TEST_REQUIRE(held.size() == 3u);
  const Bytes r4 = held[0];
  BOOST_TEST(loadU32(r4.data()) == 4u);
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

  expectRefused(*payee, withP1P2(good, 0x01, 0x00), kWrongP1P2, "P1 01");
  expectRefused(*payee, withP1P2(good, 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(*payee, withDataResized(good, 63), kWrongLength, "less than a signature");
  expectRefused(*payee, CommandApdu(0x80, protocol::kInsClearExceptionLog, 0, 0), kWrongLength, "no data");
  expectRefused(*payee, withData(good, cat({Bytes{0}, Bytes(32, 0), Bytes(64, 0)})), kWrongLength, "naming 0 records");
  expectRefused(*payee, withData(good, cat({Bytes{9}, Bytes(36, 0), Bytes(32, 0), Bytes(64, 0)})), kWrongLength,
                "naming 9 records");
  expectRefused(*payee, withData(good, cat({Bytes{2}, Bytes(4, 0), Bytes(32, 0), Bytes(64, 0)})), kWrongLength,
                "a count of 2 with one number");
  expectRefused(*payee, withDataResized(good, good.data().size() + 1), kWrongLength, "one byte more");

  expectRefused(*payee, clearCommand(another, id, {1, 2}, digestOf({r1, r2})), kSecurity, "signed by another issuer");
  expectRefused(*payee, clearCommand(issuer, testPurseId(1), {1, 2}, digestOf({r1, r2})), kSecurity,
                "an order for another purse", {payer.get()});
  expectRefused(*payee, withDataBitFlipped(good, 1 + 8 + 5), kSecurity, "the digest altered");
  expectRefused(*payee, withDataBitFlipped(good, 4), kSecurity, "a number altered");
  expectRefused(*payee, withDataBitFlipped(good, good.data().size() - 1), kSecurity, "the signature altered");

  expectRefused(*payee, clearCommand(issuer, id, {1, 2}, digestOf({r2, r1})), kWrongData, "digest in the other order");
  expectRefused(*payee, clearCommand(issuer, id, {1}, digestOf({r2})), kWrongData, "digest of another record");
  expectRefused(*payee, clearCommand(issuer, id, {1}, protocol::Digest{}), kWrongData, "zero digest");
  expectRefused(*payee, clearCommand(issuer, id, {99}, digestOf({r1})), kNoSuchData, "an unknown number");
  expectRefused(*payee, clearCommand(issuer, id, {0}, digestOf({r1})), kNoSuchData, "number 0");
  expectRefused(*payee, clearCommand(issuer, id, {1, 3}, digestOf({r1})), kNoSuchData, "one known, one unknown");
  expectRefused(*payee, clearCommand(issuer, id, {1, 1}, digestOf({r1, r1})), kNoSuchData, "the same number twice");

  (void)expectOk(*payee, good, "CLEAR {1, 2}");
  expectRefused(*payee, good, kNoSuchData, "the same order replayed");
  expectRefused(*payer, clearCommand(issuer, testPurseId(1), {1}, digestOf({r1})), kNoSuchData,
                "a purse with an empty log");

  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");
  expectRefused(blank, withDataResized(good, 10), kWrongState, "the life cycle is checked before the length");
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
  expectRefused(*full, apdus::startTo(startOrderNaming(*other, 100)), kLogFull, "START TO with 8 records");
  // As payer.
  expectRefused(*full, apdus::startFrom(startOrderNaming(*other, 100)), kLogFull, "START FROM with 8 records");
  BOOST_TEST((full->status().protocol == ProtocolStatus::kIdle));

  // Clearing one record makes room for exactly one more transfer.
  const auto held = recordsNewestFirst(*full, kExLog);
  const Bytes oldest = held.back();
  (void)expectOk(*full, clearCommand(issuer, testPurseId(1), {loadU32(oldest.data())}, digestOf({oldest})), "CLEAR");
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
  expectRefused(*busy, apdus::startTo(startOrderNaming(*other, 50)), kLogFull, "START TO while in epv, 7 held");
  expectRefused(*busy, apdus::startFrom(startOrderNaming(*other, 50)), kLogFull, "START FROM while in epv, 7 held");
  (void)expectOk(*busy, apdus::abortTransfer(), "ABORT");
  BOOST_TEST(busy->status().exceptionsHeld == 8);
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(put_revocation_list)

BOOST_AUTO_TEST_CASE(only_a_newer_version_is_taken) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  expectRefused(*purse, revocationCommand(issuer, 0, {}), kWrongState, "version 0 on a purse that has version 0");
  const PurseStatus before = purse->status();
  BOOST_TEST(expectOk(*purse, revocationCommand(issuer, 1, {testPurseId(9)}), "version 1").empty());
  PurseStatus expected = before;
  expected.revocationVersion = 1;
  BOOST_TEST((purse->status() == expected), "only the version changed in the status record");
  expectRefused(*purse, revocationCommand(issuer, 1, {}), kWrongState, "version 1 again");
  (void)expectOk(*purse, revocationCommand(issuer, 5, {}), "version 5");
  expectRefused(*purse, revocationCommand(issuer, 4, {}), kWrongState, "version 4 after 5");
  expectRefused(*purse, revocationCommand(issuer, 5, {testPurseId(3)}), kWrongState, "another version 5");
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
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 100)), kSecurity, "START FROM naming a revoked payee");
  expectRefused(*a, apdus::startTo(startOrderNaming(*b, 100)), kSecurity, "START TO naming a revoked payer");
  expectRefused(*b, apdus::startTo(startOrderNaming(*a, 100)), kSecurity, "START TO naming a revoked payer");
  expectRefused(*b, apdus::startFrom(startOrderNaming(*a, 100)), kSecurity, "START FROM naming a revoked payee");

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
  expectRefused(*purse, withP1P2(good, 0x01, 0x00), kWrongP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(*purse, withDataResized(good, 63), kWrongLength, "less than a signature");
  expectRefused(*purse, withData(good, cat({h("0000000100"), Bytes(7, 0), Bytes(64, 0)})), kWrongLength,
                "a count of 0 and 7 bytes more");
  expectRefused(*purse, withData(good, cat({h("0000000101"), Bytes(7, 0), Bytes(64, 0)})), kWrongLength,
                "an ID of 7 bytes");
  expectRefused(*purse, withData(good, cat({h("0000000121"), Bytes(33 * 8, 0), Bytes(64, 0)})), kWrongLength,
                "33 entries");
  expectRefused(*purse, withData(good, cat({h("00000001"), Bytes(64, 0)})), kWrongLength, "no count");
  expectRefused(*purse, revocationCommand(another, 1, {testPurseId(5)}), kSecurity, "signed by another issuer");
  expectRefused(*purse, withDataBitFlipped(good, 5), kSecurity, "an ID altered");
  expectRefused(*purse, withDataBitFlipped(good, 3), kSecurity, "the version altered");
  expectRefused(*purse, withDataBitFlipped(good, good.data().size() - 1), kSecurity, "the signature altered");
  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");
  Staged notYet = staged(issuer, Stage::kData, 2);
  expectRefused(*notYet.purse, good, kWrongState, "not yet personalised");
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

  expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 10)), kWrongState, "LOAD blocked");
  expectRefused(*purse, apdus::verifyPin(pinBlock("1234")), kWrongState, "VERIFY blocked");
  expectRefused(*purse, apdus::pinTriesLeft(), kWrongState, "VERIFY without data blocked");
  expectRefused(*purse, apdus::changePin(pinBlock("1234"), pinBlock("4321")), kWrongState, "CHANGE blocked");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(1, 10)), kWrongState, "UNLOAD blocked");
  expectRefused(*purse, apdus::startFrom(startOrderNaming(*other, 10)), kWrongState, "START FROM blocked");
  expectRefused(*purse, apdus::startTo(startOrderNaming(*other, 10)), kWrongState, "START TO blocked");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 1, LifeCycleChange::kBlock), kWrongState, "block again");
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
  expectRefused(*purse, lifeCycleCommand(issuer, id, 3, LifeCycleChange::kUnblock), kWrongState, "unblock again");
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
      expectRefused(*purse, lifeCycleCommand(issuer, id, counter, change), kWrongState, "SET LIFE CYCLE" + when);
    }
    expectRefused(*purse, unblockCommand(issuer, id, counter, pinBlock("1111")), kWrongState, "RESET" + when);
    expectRefused(*purse, revocationCommand(issuer, 9, {}), kWrongState, "PUT REVOCATION LIST" + when);
    expectRefused(*purse, clearCommand(issuer, id, {1}, protocol::Digest{}), kWrongState, "CLEAR" + when);
    expectRefused(*purse, loadCommand(issuer, id, valueOrder(1, 10)), kWrongState, "LOAD" + when);
    expectRefused(*purse, unloadCommand(issuer, id, valueOrder(1, 10)), kWrongState, "UNLOAD" + when);
    expectRefused(*purse, apdus::verifyPin(pinBlock("1234")), kWrongState, "VERIFY" + when);
    expectRefused(*purse, apdus::changePin(pinBlock("1234"), pinBlock("4321")), kWrongState, "CHANGE" + when);
    expectRefused(*purse, apdus::startFrom(startOrderNaming(*other, 10)), kWrongState, "START FROM" + when);
    expectRefused(*purse, apdus::startTo(startOrderNaming(*other, 10)), kWrongState, "START TO" + when);
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
  expectRefused(*purse, withP1P2(good, 0x01, 0x00), kWrongP1P2, "P1 01");
  expectRefused(*purse, withP1P2(good, 0x00, 0x01), kWrongP1P2, "P2 01");
  expectRefused(*purse, withDataResized(good, 68), kWrongLength, "68 bytes");
  expectRefused(*purse, withDataResized(good, 70), kWrongLength, "70 bytes");
  expectRefused(*purse, CommandApdu(0x80, protocol::kInsSetLifeCycle, 0, 0), kWrongLength, "no data");
  expectRefused(*purse, lifeCycleCommand(another, id, 0, LifeCycleChange::kBlock), kSecurity, "another issuer");
  expectRefused(*purse, lifeCycleCommand(issuer, testPurseId(2), 0, LifeCycleChange::kBlock), kSecurity,
                "an order for another purse", {other.get()});
  expectRefused(*purse, withDataBitFlipped(good, 4, 1), kSecurity, "block altered into terminate");
  expectRefused(*purse, withDataBitFlipped(good, 5 + 10), kSecurity, "the signature altered");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 0, static_cast<LifeCycleChange>(0)), kWrongData,
                "a signed order with change 0");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 0, static_cast<LifeCycleChange>(4)), kWrongData,
                "a signed order with change 4");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 1, LifeCycleChange::kBlock), kWrongState, "a later counter");
  expectRefused(*purse, lifeCycleCommand(issuer, id, 0, LifeCycleChange::kUnblock), kWrongState,
                "unblock a purse that is not blocked");

  // The admin counter is shared with RESET RETRY COUNTER.
  (void)expectOk(*purse, unblockCommand(issuer, id, 0, pinBlock("1234")), "RESET RETRY COUNTER 0");
  expectRefused(*purse, good, kWrongState, "a life-cycle order for a counter a PIN order used");
  const CommandApdu block1 = lifeCycleCommand(issuer, id, 1, LifeCycleChange::kBlock);
  (void)expectOk(*purse, block1, "block");
  expectRefused(*purse, block1, kWrongState, "replayed");

  TestPurse blank;
  expectRefused(blank, good, kWrongState, "blank purse");
  expectRefused(blank, withDataResized(good, 68), kWrongState, "the life cycle is checked before the length");
  Staged notYet = staged(issuer, Stage::kData, 3);
  expectRefused(*notYet.purse, lifeCycleCommand(issuer, testPurseId(3), 0, LifeCycleChange::kBlock), kWrongState,
                "not yet personalised");
}

BOOST_AUTO_TEST_CASE(no_life_cycle_change_while_a_transfer_is_in_progress) {
  TestIssuer issuer;
  auto payer = makePurse(issuer, 1, 1000);
  auto payee = makePurse(issuer, 2, 0);
  (void)expectOk(*payer, apdus::startFrom(startOrderNaming(*payee, 100)), "START FROM");
  (void)expectOk(*payee, apdus::startTo(startOrderNaming(*payer, 100)), "START TO");
  for (auto change : {LifeCycleChange::kBlock, LifeCycleChange::kTerminate}) {
    expectRefused(*payer, lifeCycleCommand(issuer, testPurseId(1), 0, change), kWrongState, "payer in epr");
    expectRefused(*payee, lifeCycleCommand(issuer, testPurseId(2), 0, change), kWrongState, "payee in epv");
  }
  (void)expectOk(*payer, apdus::abortTransfer(), "ABORT");
  (void)expectOk(*payer, lifeCycleCommand(issuer, testPurseId(1), 0, LifeCycleChange::kBlock), "block when idle");
}

BOOST_AUTO_TEST_SUITE_END()

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
  const Bytes pd = pdBytes(testPurseId(1), 1, testPurseId(2), 1, value, kEuro, referenceOf(4));
  // Both orders as the terminal reads them before it starts either purse.
  const StartOrder toPayer = startOrderNaming(*payee, value, 4);
  const StartOrder toPayee = startOrderNaming(*payer, value, 4);

  // START FROM: the payer answers pd and waits in epr; nothing moved.
  const Bytes started = expectOk(*payer, apdus::startFrom(toPayer), "START FROM");
  BOOST_TEST(hx(started) == hx(pd));
  PurseStatus payerExpected = payerBefore;
  payerExpected.protocol = ProtocolStatus::kEpr;
  payerExpected.nextSeq = 2;
  BOOST_TEST((payer->status() == payerExpected), "payer: epr and nextSeq 2, nothing else");

  // START TO: the payee answers REQ (pd signed with its key) and waits in epv.
  const Bytes req = expectOk(*payee, apdus::startTo(toPayee), "START TO");
  BOOST_TEST_REQUIRE(req.size() == 126u);
  BOOST_TEST(hx(Bytes(req.begin(), req.begin() + 62)) == hx(pd));
  BOOST_TEST(signedBy(payeeCert.publicKey, cat({ascii("REQ"), pd}), Bytes(req.begin() + 62, req.end())));
  PurseStatus payeeExpected = payeeBefore;
  payeeExpected.protocol = ProtocolStatus::kEpv;
  payeeExpected.nextSeq = 2;
  BOOST_TEST((payee->status() == payeeExpected), "payee: epv and nextSeq 2, nothing else");

  // REQ: the payer debits, logs, answers VAL and waits in epa.
  const Bytes val = expectOk(*payer, apdus::req(required(SignedTransferMessage::decode(req), "REQ")), "REQ");
  BOOST_TEST_REQUIRE(val.size() == 126u);
  BOOST_TEST(hx(Bytes(val.begin(), val.begin() + 62)) == hx(pd));
  BOOST_TEST(signedBy(payerCert.publicKey, cat({ascii("VAL"), pd}), Bytes(val.begin() + 62, val.end())));
  payerExpected.protocol = ProtocolStatus::kEpa;
  payerExpected.balance = 5000 - value;
  payerExpected.logAppended = 2;
  BOOST_TEST((payer->status() == payerExpected), "payer: debited, epa, one record more");
  const Bytes outRecord = logRecordBytes(2, protocol::LogType::kTransferOut, pd, 5000 - value, payerPrevious);
  BOOST_TEST(hx(recordsNewestFirst(*payer, kTxLog).front()) == hx(outRecord));

  // VAL: the payee credits, logs, answers ACK and is idle.
  const Bytes ack = expectOk(*payee, apdus::val(required(SignedTransferMessage::decode(val), "VAL")), "VAL");
  BOOST_TEST_REQUIRE(ack.size() == 126u);
  BOOST_TEST(hx(Bytes(ack.begin(), ack.begin() + 62)) == hx(pd));
  BOOST_TEST(signedBy(payeeCert.publicKey, cat({ascii("ACK"), pd}), Bytes(ack.begin() + 62, ack.end())));
  payeeExpected.protocol = ProtocolStatus::kIdle;
  payeeExpected.balance = 1000 + value;
  payeeExpected.logAppended = 2;
  BOOST_TEST((payee->status() == payeeExpected), "payee: credited, idle, one record more");
  BOOST_TEST(hx(recordsNewestFirst(*payee, kTxLog).front()) ==
             hx(logRecordBytes(2, protocol::LogType::kTransferIn, pd, 1000 + value, payeePrevious)));

  // ACK: the payer logs the acknowledgement and is idle.
  BOOST_TEST(expectOk(*payer, apdus::ack(required(SignedTransferMessage::decode(ack), "ACK")), "ACK").empty());
  payerExpected.protocol = ProtocolStatus::kIdle;
  payerExpected.logAppended = 3;
  BOOST_TEST((payer->status() == payerExpected), "payer: idle, one record more, balance as after REQ");
  BOOST_TEST(hx(recordsNewestFirst(*payer, kTxLog).front()) ==
             hx(logRecordBytes(3, protocol::LogType::kTransferAcked, pd, 5000 - value, chainHashOf(outRecord))));
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
  const Bytes firstPd = pdBytes(testPurseId(2), 1, testPurseId(1), 3, 300, kEuro, referenceOf(1));
  BOOST_TEST(hx(Bytes(first.begin(), first.begin() + 62)) == hx(firstPd));
  BOOST_TEST(hx(log[0]) == hx(exceptionRecordBytes(1, ProtocolStatus::kEpv, firstPd)));
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
    expectRefused(*a, withP1P2(good, 0x01, 0x00), kWrongP1P2, name + "P1 01");
    expectRefused(*a, withP1P2(good, 0x00, 0x01), kWrongP1P2, name + "P2 01");
    expectRefused(*a, withDataResized(good, 216), kWrongLength, name + "216 bytes");
    expectRefused(*a, withDataResized(good, 218), kWrongLength, name + "218 bytes");
    expectRefused(*a, start(startOrderWith(Bytes(177, 0), 100)), kWrongData, name + "no certificate");
    expectRefused(*a, start(startOrderNaming(*usd, 100)), kWrongData, name + "a purse in another currency");
    expectRefused(*a, start(startOrderNaming(*a, 100)), kWrongData, name + "the purse itself");
    expectRefused(*a, start(startOrderNaming(*b, 0)), kWrongData, name + "value 0");
    expectRefused(*a, start(startOrderNaming(*foreign, 100)), kSecurity, name + "a purse of another issuer");
    expectRefused(*a, withDataBitFlipped(good, 176), kSecurity, name + "the certificate's signature altered");
    CardCertificate misnamed = certificateOf(*b);
    misnamed.issuerKeyId = keyIdOf(another.key().publicKey());
    misnamed.signature = required(issuer.key().sign(misnamed.body()), "sign body");
    expectRefused(*a, start(startOrderWith(misnamed.encode(), 100)), kSecurity,
                  name + "signed by the issuer, naming another issuer key");
    TestPurse blank;
    expectRefused(blank, good, kWrongState, name + "blank purse");
  }
  // The payer's limits, in the order the purse checks them.
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 50001)), purse_sw::kTransferLimitExceeded,
                "above the per-transfer maximum (and the balance)");
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 3001)), purse_sw::kInsufficientFunds, "above the balance");
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 2001)), kSecurity, "above the no-PIN limit without PIN");
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
  expectRefused(*a, apdus::startFrom(startOrderNaming(*b, 10)), kSecurity, "START FROM naming an expired payee");
  expectRefused(*a, apdus::startTo(startOrderNaming(*b, 10)), kSecurity, "START TO naming an expired payer");
  // C's own certificate expires before its clock: it cannot take part, whoever it meets.
  (void)expectOk(*c, loadCommand(issuer, testPurseId(3), valueOrder(1, 1, kEuro, 20261201)), "LOAD dated after expiry");
  expectRefused(*c, apdus::startFrom(startOrderNaming(*b, 10)), kWrongState, "START FROM with its own expired");
  expectRefused(*c, apdus::startTo(startOrderNaming(*b, 10)), kWrongState, "START TO with its own expired");
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

  expectRefused(*payer, withP1P2(req, 0x01, 0x00), kWrongP1P2, "REQ P1 01");
  expectRefused(*payer, withP1P2(req, 0x00, 0x01), kWrongP1P2, "REQ P2 01");
  expectRefused(*payer, withDataResized(req, 125), kWrongLength, "REQ 125 bytes");
  expectRefused(*payer, withDataResized(req, 127), kWrongLength, "REQ 127 bytes");
  expectRefused(*payer, withDataBitFlipped(req, 27), kWrongState, "REQ with another value in pd");
  expectRefused(*payer, withDataBitFlipped(req, 100), kSecurity, "REQ with the signature altered");
  expectRefused(*payee, req, kWrongState, "REQ to the payee (epv)");
  expectRefused(*idle, req, kWrongState, "REQ to an idle purse");
  const CommandApdu asVal = withHeader(req, 0x80, protocol::kInsVal, 0, 0);
  expectRefused(*payer, asVal, kWrongState, "VAL to the payer in epr");
  expectRefused(*payee, asVal, kSecurity, "the payee's own REQ relayed back to it as VAL");
  expectRefused(*payer, withHeader(req, 0x80, protocol::kInsAck, 0, 0), kWrongState, "ACK to the payer in epr");

  auto valMessage = session.req(*reqMessage);
  BOOST_TEST_REQUIRE(valMessage.isOk(), why(valMessage));
  const CommandApdu val = apdus::val(*valMessage);
  expectRefused(*payer, req, kWrongState, "REQ again (epa)");
  expectRefused(*payer, withHeader(val, 0x80, protocol::kInsAck, 0, 0), kSecurity, "the payer's own VAL as ACK");
  expectRefused(*payee, withP1P2(val, 0x00, 0x01), kWrongP1P2, "VAL P2 01");
  expectRefused(*payee, withDataResized(val, 125), kWrongLength, "VAL 125 bytes");
  expectRefused(*payee, withDataBitFlipped(val, 0), kWrongState, "VAL with another payer in pd");
  expectRefused(*payee, withDataBitFlipped(val, 125), kSecurity, "VAL with the signature altered");
  expectRefused(*idle, val, kWrongState, "VAL to an idle purse");

  auto ackMessage = session.val(*valMessage);
  BOOST_TEST_REQUIRE(ackMessage.isOk(), why(ackMessage));
  const CommandApdu ack = apdus::ack(*ackMessage);
  expectRefused(*payee, val, kWrongState, "VAL again (idle)");
  expectRefused(*payee, ack, kWrongState, "ACK to the payee");
  expectRefused(*payer, withP1P2(ack, 0x01, 0x00), kWrongP1P2, "ACK P1 01");
  expectRefused(*payer, withDataResized(ack, 127), kWrongLength, "ACK 127 bytes");
  expectRefused(*payer, withDataBitFlipped(ack, 20), kWrongState, "ACK with another sequence number in pd");
  expectRefused(*payer, withDataBitFlipped(ack, 62), kSecurity, "ACK with the signature altered");
  (void)expectOk(*payer, ack, "ACK");
  expectRefused(*payer, ack, kWrongState, "ACK again (idle)");
  BOOST_TEST(payer->status().balance == 4700u);
  BOOST_TEST(payee->status().balance == 1300u);
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
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(0, 10)), kWrongState, "LOAD with counter 0");
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
  BOOST_TEST(loadU32(answer.data() + 22) == 0xFFFFFFFFu, "the receipt names record FFFFFFFF");
  BOOST_TEST(loadU32(expectOk(*purse, apdus::readRecord(kTxLog, 1), "READ RECORD 1").data()) == 0xFFFFFFFFu);
  expectRefused(*purse, loadCommand(issuer, id, valueOrder(2, 10)), purse_sw::kSequenceExhausted,
                "LOAD with no record number left");
  verifyPinOk(*purse, "1234");
  expectRefused(*purse, unloadCommand(issuer, id, valueOrder(2, 10)), purse_sw::kSequenceExhausted,
                "UNLOAD with no record number left");
}

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
  expectRefused(*purse, unblockCommand(issuer, id, 0, pinBlock("5555")), kWrongState, "RESET with counter 0");
}

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
  BOOST_TEST(loadU32(held[0].data()) == 0xFFFFFFFEu, "the exception record numbered FFFFFFFE");
  BOOST_TEST(hx(ByteView(held[0].data() + 5, 62)) == hx(pd.encode()));
  expectRefused(*a, apdus::startTo(startOrderNaming(*b, 10)), purse_sw::kSequenceExhausted, "START TO, 1 left");
}

// Memory that no command could have written: the purse refuses with 6581 rather than act on it.
BOOST_AUTO_TEST_CASE(a_protocol_status_out_of_range_or_an_unreadable_issuer_key_is_6581) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);
  patchPurse(*purse, layout::kProtocolStatus, Bytes{0x04});
  expectRefused(*purse, apdus::getData(0x0101), sw::kMemoryFailure, "GET DATA status, protocol status 04");
  expectRefused(*purse, loadCommand(issuer, testPurseId(1), valueOrder(1, 10)), sw::kMemoryFailure, "LOAD");
  expectRefused(*purse, apdus::abortTransfer(), sw::kMemoryFailure, "ABORT");

  auto other = makePurse(issuer, 2, 1000);
  Bytes offCurve = issuer.key().publicKey();
  offCurve[64] ^= 0x01;
  patchPurse(*other, layout::kIssuerPublicKey, offCurve);
  expectRefused(*other, loadCommand(issuer, testPurseId(2), valueOrder(1, 10)), sw::kMemoryFailure,
                "LOAD with the stored issuer key unreadable");
  expectRefused(*other, revocationCommand(issuer, 1, {}), sw::kMemoryFailure, "PUT REVOCATION LIST, same");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
