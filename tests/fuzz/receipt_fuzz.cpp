// Fuzz target for the payment receipt file `epurse verify-receipt` reads
// (terminal/receipt/receipt_file.h: parseReceipt, then verifyReceipt under a fixed issuer key,
// the one this process's issuer generated at start-up).
//
// Byte 0, top bit clear: the rest is a receipt file's text. Whatever it is, parsing must not
// crash; a parsed receipt must encode to text that parses to the same receipt; verifying it
// must not crash.
// Top bit set: the rest mutates a genuine receipt file (text_mutation.h) (a real
// transfer between two purses of that issuer, with an order). A mutated file must be refused
// cleanly (a parse error, or a verdict that fails), or, if it verifies, carry exactly the
// genuine receipt's content: the only field not signed is paidAt, which is for people.
// Built with standalone_fuzz_driver.cpp for ctest, and as receipt_libfuzzer with clang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "terminal/receipt/receipt_check.h"
#include "terminal/receipt/receipt_file.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/text_mutation.h"
#include "tests/support/purse_fixture.h"

namespace {

using namespace epurse;
using terminal::PaymentReceipt;

const std::string kOrder = "2 x espresso; table 7";

struct Genuine {
  testing::TestIssuer issuer;
  std::unique_ptr<testing::TestPurse> payer = testing::makePurse(issuer, 1, 5000);
  std::unique_ptr<testing::TestPurse> payee = testing::makePurse(issuer, 2, 100);
  Bytes order{kOrder.begin(), kOrder.end()};
  PaymentReceipt receipt;
  std::string text;

  Genuine() {
    auto done = terminal::runTransfer(payer->client(), payee->client(), 250, terminal::purchaseReferenceFor(order));
    FUZZ_CHECK(done.isOk());
    receipt.pd = done->pd;
    receipt.orderHash = protocol::sha256(order);
    receipt.req = done->req;
    receipt.val = done->val;
    receipt.ack = done->ack;
    receipt.payerCertificate = *payer->client().certificate();
    receipt.payeeCertificate = *payee->client().certificate();
    receipt.paidAt = "2026-12-01T15:00:00Z";
    text = terminal::encodeReceipt(receipt);
    // make-corpus.sh asks for the genuine file as a raw-text seed (keys differ per process, so
    // it parses but does not verify in another run; the mutated seeds start from it anyway).
    if (const char* seed = std::getenv("EPURSE_FUZZ_WRITE_SEED")) std::ofstream(seed, std::ios::binary) << '\0' << text;
    // The starting point must itself pass, or the mutations below prove nothing.
    FUZZ_CHECK(terminal::verifyReceipt(receipt, issuer.key().verificationKey(), order).passed());
  }
};

Genuine& genuine() {
  static Genuine g;
  return g;
}

bool sameSignedContent(PaymentReceipt a, const PaymentReceipt& b) {
  a.paidAt = b.paidAt;
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Genuine& g = genuine();
  const auto input = fuzz::fuzzedText(g.text, data, size);
  if (!input) return 0;
  const std::string& text = input->text;
  const bool mutated = input->mutated;

  const auto parsed = terminal::parseReceipt(text);
  if (!parsed) return 0;
  const auto again = terminal::parseReceipt(terminal::encodeReceipt(*parsed));
  FUZZ_CHECK(again.isOk());
  FUZZ_CHECK(*again == *parsed);
  const auto verdict = terminal::verifyReceipt(*parsed, g.issuer.key().verificationKey(), g.order);
  (void)verdict.failures();
  if (mutated && verdict.passed()) FUZZ_CHECK(sameSignedContent(*parsed, g.receipt));
  return 0;
}
