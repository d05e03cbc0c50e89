// The payment receipt file (terminal/receipt/): a receipt of a real transfer between two
// in-process purses reads back as written and verifies under the issuer's key; every
// tampering (each signature, each message's pd, the payment, the order, a certificate, the
// wrong issuer) is refused by the check it breaks, by name; a file that is not a receipt is
// a kMalformed error naming what is wrong, never a crash; the file is never overwritten.
#define BOOST_TEST_MODULE receipt_file_test
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "terminal/receipt/issuer_public_key.h"
#include "terminal/receipt/receipt_check.h"
#include "terminal/receipt/receipt_file.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing;
using terminal::PaymentReceipt;

namespace {

const std::string kOrder = "1 x espresso, 1 x croissant; table 4";

struct ReceiptFixture {
  TestIssuer issuer;
  std::unique_ptr<TestPurse> payer = makePurse(issuer, 1, 5000);
  std::unique_ptr<TestPurse> payee = makePurse(issuer, 2, 100);
  PaymentReceipt receipt;
  std::filesystem::path dir;

  ReceiptFixture() {
    const Bytes order(kOrder.begin(), kOrder.end());
    auto done = terminal::runTransfer(payer->client(), payee->client(), 1250, terminal::purchaseReferenceFor(order));
    BOOST_TEST_REQUIRE(done.isOk(), why(done));
    receipt.pd = done->pd;
    receipt.orderHash = protocol::sha256(order);
    receipt.req = done->req;
    receipt.val = done->val;
    receipt.ack = done->ack;
    receipt.payerCertificate = *payer->client().certificate();
    receipt.payeeCertificate = *payee->client().certificate();
    receipt.paidAt = "2026-12-01T15:00:00Z";
    std::string tmpl = "/tmp/receipt-test.XXXXXX";
    dir = ::mkdtemp(tmpl.data());
  }
  ~ReceiptFixture() { std::filesystem::remove_all(dir); }

  terminal::ReceiptVerdict verify(const PaymentReceipt& r, std::optional<std::string> order = kOrder) const {
    std::optional<Bytes> bytes;
    if (order) bytes = Bytes(order->begin(), order->end());
    return terminal::verifyReceipt(r, issuer.key().verificationKey(), bytes);
  }

  static const terminal::ReceiptCheck* find(const terminal::ReceiptVerdict& v, const std::string& name) {
    for (const auto& c : v.checks) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  // Exactly the checks named fail.
  static void failsOnly(const terminal::ReceiptVerdict& v, std::set<std::string> names) {
    BOOST_TEST(!v.passed());
    for (const auto& c : v.checks) {
      BOOST_TEST(c.passed == (names.count(c.name) == 0), c.name << ": " << c.detail);
    }
    for (const auto& n : names) BOOST_TEST(find(v, n) != nullptr, n);
  }
};

nlohmann::json asJson(const PaymentReceipt& r) { return nlohmann::json::parse(terminal::encodeReceipt(r)); }

Result<PaymentReceipt> reparsed(const nlohmann::json& j) { return terminal::parseReceipt(j.dump()); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(receipt_file, ReceiptFixture)

BOOST_AUTO_TEST_CASE(a_real_receipt_round_trips_and_verifies) {
  const std::string text = terminal::encodeReceipt(receipt);
  auto back = terminal::parseReceipt(text);
  BOOST_TEST_REQUIRE(back.isOk(), why(back));
  BOOST_TEST((*back == receipt));
  const auto verdict = verify(*back);
  BOOST_TEST(verdict.passed(), verdict.failures());
  BOOST_TEST(verdict.checks.size() == 10u);
  // Without the order, the order itself is not checked, and everything else still is.
  const auto withoutOrder = verify(*back, std::nullopt);
  BOOST_TEST(withoutOrder.passed());
  BOOST_TEST(find(withoutOrder, "order") == nullptr);
  // The purchase reference is all of SHA-256(order).
  BOOST_TEST(toHex(receipt.pd.reference) == toHex(protocol::sha256(Bytes(kOrder.begin(), kOrder.end()))));
}

BOOST_AUTO_TEST_CASE(each_signature_tampered_is_refused_by_name) {
  for (auto member : {&PaymentReceipt::req, &PaymentReceipt::val, &PaymentReceipt::ack}) {
    PaymentReceipt r = receipt;
    (r.*member).signature[10] ^= 0x01;
    auto back = reparsed(asJson(r));
    BOOST_TEST_REQUIRE(back.isOk(), why(back));
    const std::string name = member == &PaymentReceipt::req ? "REQ" : member == &PaymentReceipt::val ? "VAL" : "ACK";
    failsOnly(verify(*back), {name + " signature"});
  }
}

BOOST_AUTO_TEST_CASE(signatures_swapped_between_messages_are_refused) {
  PaymentReceipt r = receipt;
  std::swap(r.req.signature, r.ack.signature);  // both by the payee, over different payloads
  failsOnly(verify(r), {"REQ signature", "ACK signature"});
}

BOOST_AUTO_TEST_CASE(a_changed_payment_or_message_pd_is_refused) {
  PaymentReceipt more = receipt;
  more.pd.value = 125000;  // the payment claims more than the cards signed
  failsOnly(verify(more), {"pd in REQ", "pd in VAL", "pd in ACK"});

  PaymentReceipt val = receipt;
  val.val.pd.value = 1;  // one message's pd altered, its signature no longer over it
  failsOnly(verify(val), {"pd in VAL", "VAL signature"});

  PaymentReceipt all = receipt;  // everything rewritten consistently: the signatures tell
  all.pd.toSeq += 1;
  all.req.pd = all.val.pd = all.ack.pd = all.pd;
  failsOnly(verify(all), {"REQ signature", "VAL signature", "ACK signature"});
}

BOOST_AUTO_TEST_CASE(the_wrong_order_or_order_hash_is_refused) {
  failsOnly(verify(receipt, std::string("1 x espresso")), {"order"});
  PaymentReceipt r = receipt;
  r.orderHash[0] ^= 0x80;
  failsOnly(verify(r), {"purchase reference", "order"});
}

BOOST_AUTO_TEST_CASE(certificates_must_verify_under_the_issuer_and_name_the_purses) {
  PaymentReceipt swapped = receipt;
  std::swap(swapped.payerCertificate, swapped.payeeCertificate);
  const auto v = verify(swapped);
  BOOST_TEST(!v.passed());
  BOOST_TEST(!find(v, "payer certificate")->passed);
  BOOST_TEST(!find(v, "payee certificate")->passed);

  PaymentReceipt forged = receipt;
  forged.payerCertificate.signature[3] ^= 0x01;
  failsOnly(verify(forged), {"payer certificate", "VAL signature"});

  TestIssuer other;
  const auto underOther = terminal::verifyReceipt(receipt, other.key().verificationKey(), std::nullopt);
  BOOST_TEST(!underOther.passed());
  BOOST_TEST(!find(underOther, "payer certificate")->passed);
  BOOST_TEST(!find(underOther, "payee certificate")->passed);
}

BOOST_AUTO_TEST_CASE(malformed_files_are_clear_errors) {
  const nlohmann::json good = asJson(receipt);
  auto expectMalformed = [](const Result<PaymentReceipt>& r, const std::string& needle) {
    BOOST_TEST_REQUIRE(!r.isOk(), "accepted: " << needle);
    BOOST_TEST((r.error().code == ErrorCode::kMalformed), r.error().message);
    BOOST_TEST(r.error().message.find(needle) != std::string::npos, r.error().message << " lacks " << needle);
  };
  expectMalformed(terminal::parseReceipt(""), "");
  expectMalformed(terminal::parseReceipt("not json"), "");
  expectMalformed(terminal::parseReceipt("[1,2,3]"), "object");
  const std::string text = good.dump();
  expectMalformed(terminal::parseReceipt(text.substr(0, text.size() / 2)), "");
  for (const auto* field : {"format", "version", "paidAt", "payment", "orderHash", "req", "val", "ack",
                            "payerCertificate", "payeeCertificate"}) {
    nlohmann::json j = good;
    j.erase(field);
    expectMalformed(reparsed(j), field);
  }
  nlohmann::json unknown = good;
  unknown["extra"] = 1;
  expectMalformed(reparsed(unknown), "extra");
  nlohmann::json version = good;
  version["version"] = 2;
  expectMalformed(reparsed(version), "version");
  nlohmann::json format = good;
  format["format"] = "something else";
  expectMalformed(reparsed(format), "format");
  nlohmann::json shortHash = good;
  shortHash["orderHash"] = "00";
  expectMalformed(reparsed(shortHash), "orderHash");
  nlohmann::json notHex = good;
  notHex["req"] = "zz";
  expectMalformed(reparsed(notHex), "req");
  nlohmann::json typed = good;
  typed["payment"]["value"] = "1250";
  expectMalformed(reparsed(typed), "payment.value");
  nlohmann::json negative = good;
  negative["payment"]["payerSeq"] = -1;
  expectMalformed(reparsed(negative), "payment.payerSeq");
  nlohmann::json big = good;
  big["payment"]["currency"] = 70000;
  expectMalformed(reparsed(big), "payment.currency");
  nlohmann::json cert = good;
  std::string certHex = cert["payeeCertificate"];
  certHex[0] = '8';  // 7F21 -> 8F21: the right length, not a certificate
  cert["payeeCertificate"] = certHex;
  expectMalformed(reparsed(cert), "payeeCertificate");
  // A key twice: the standard leaves open which wins, so neither does.
  std::string twice = text;
  twice.insert(1, "\"paidAt\":\"x\",");
  expectMalformed(terminal::parseReceipt(twice), "paidAt");
  // Deep nesting is refused before it can exhaust the stack.
  expectMalformed(terminal::parseReceipt(std::string(100000, '[')), "");
}

BOOST_AUTO_TEST_CASE(the_file_is_written_once_and_read_back) {
  const std::string path = (dir / "receipt.json").string();
  BOOST_TEST_REQUIRE(terminal::writeReceiptFile(path, receipt).isOk());
  auto back = terminal::readReceiptFile(path);
  BOOST_TEST_REQUIRE(back.isOk(), why(back));
  BOOST_TEST((*back == receipt));
  PaymentReceipt other = receipt;
  other.paidAt = "later";
  auto again = terminal::writeReceiptFile(path, other);
  BOOST_TEST(!again.isOk());
  BOOST_TEST(again.error().message.find("already exists") != std::string::npos);
  BOOST_TEST(terminal::readReceiptFile(path)->paidAt == receipt.paidAt);
  // No temporary file is left behind.
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) == 1);

  const std::string huge = (dir / "huge.json").string();
  std::ofstream(huge) << std::string(terminal::kMaxReceiptFileSize + 10, ' ');
  auto tooBig = terminal::readReceiptFile(huge);
  BOOST_TEST_REQUIRE(!tooBig.isOk());
  BOOST_TEST((tooBig.error().code == ErrorCode::kMalformed));
  BOOST_TEST((terminal::readReceiptFile((dir / "absent").string()).error().code == ErrorCode::kIo));
}

BOOST_AUTO_TEST_CASE(the_issuer_public_key_reads_from_its_pem) {
  const std::string pem = (dir / "issuer.pub.pem").string();
  BOOST_TEST_REQUIRE(issuer.key().savePublicPem(pem).isOk());
  auto key = terminal::loadIssuerPublicKey(pem);
  BOOST_TEST_REQUIRE(key.isOk(), why(key));
  BOOST_TEST(key->encoded() == issuer.key().publicKey());
  BOOST_TEST(terminal::verifyReceipt(receipt, *key, std::nullopt).passed());
  const std::string junk = (dir / "junk.pem").string();
  std::ofstream(junk) << "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  BOOST_TEST((terminal::loadIssuerPublicKey(junk).error().code == ErrorCode::kMalformed));
  BOOST_TEST((terminal::loadIssuerPublicKey((dir / "none").string()).error().code == ErrorCode::kIo));
}

BOOST_AUTO_TEST_SUITE_END()
