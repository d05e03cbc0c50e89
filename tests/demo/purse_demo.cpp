// purse-demo: what the demo shows once two blank epurse cards sit in PC/SC readers 0 and 1.
// It plays the issuer (a throwaway key), personalises both purses, loads the first, and runs
// a Mondex transfer between them with the terminal library, through pcscd like any PC/SC
// program. The issuer's and the cardholder's own programs come in later issues; this driver
// uses exactly the libraries they will use.
#include <cstdio>
#include <string>

#include "apdu/pcsc_channel.h"
#include "base/hex.h"
#include "host/card_statements.h"
#include "host/log_verifier.h"
#include "host/purse_client.h"
#include "issuer/signing/issuer_key.h"
#include "issuer/signing/issuer_orders.h"
#include "issuer/signing/purse_issuance.h"
#include "terminal/transfer/transfer_driver.h"

namespace {

using namespace epurse;
using protocol::PurseStatus;

constexpr protocol::Currency kEuro = 978;
constexpr protocol::Date kToday = 20261123;
constexpr protocol::Date kExpiry = 20301231;

int fail(const std::string& what) {
  std::fprintf(stderr, "purse-demo: %s\n", what.c_str());
  return 1;
}

std::string euros(protocol::Amount cents) {
  char text[32];
  std::snprintf(text, sizeof text, "%u.%02u EUR", cents / 100, cents % 100);
  return text;
}

void show(const char* name, const PurseStatus& s) {
  std::printf("  %s  purse %s  %-12s  balance %-12s  nextSeq %u  log %u  exceptions %u  protocol %s\n", name,
              toHex(s.purseId).c_str(), protocol::lifeCycleName(s.lifeCycle), euros(s.balance).c_str(), s.nextSeq,
              s.logAppended, s.exceptionsHeld, protocol::protocolStatusName(s.protocol));
}

Status personalise(host::PurseClient& purse, const issuer::IssuerSigner& signer, std::uint8_t n) {
  protocol::Personalisation data;
  data.purseId = {0xE0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, n};
  data.currency = kEuro;
  data.maxBalance = 50000;
  data.perTransferMax = 20000;
  data.noPinLimit = 2000;
  data.pin = *protocol::makePinBlock("1234");
  data.date = kToday;
  return issuer::personalisePurse(purse, signer, data, kExpiry).status();
}

}  // namespace

int main() {
  auto context = PcscContext::establish();
  if (!context) return fail(context.error().toString());
  auto names = (*context)->readerNames();
  if (!names || names->size() < 2) return fail("two PC/SC readers with epurse cards are needed");
  auto payerChannel = PcscChannel::connect(**context, (*names)[0]);
  auto payeeChannel = PcscChannel::connect(**context, (*names)[1]);
  if (!payerChannel) return fail(payerChannel.error().toString());
  if (!payeeChannel) return fail(payeeChannel.error().toString());
  host::PurseClient alice(**payerChannel), bob(**payeeChannel);
  if (auto s = alice.select(); !s) return fail(s.error().toString());
  if (auto s = bob.select(); !s) return fail(s.error().toString());

  auto key = issuer::IssuerKey::generate();
  if (!key) return fail(key.error().toString());
  issuer::IssuerSigner signer(*key);

  std::printf("issuer key %s (a throwaway one, for this demo)\n", toHex(key->keyId()).c_str());
  std::printf("personalising both purses: issuer key, on-card key pair, signed data, certificate\n");
  if (Status s = personalise(alice, signer, 1); !s) return fail("personalising reader 0: " + s.toString());
  if (Status s = personalise(bob, signer, 2); !s) return fail("personalising reader 1: " + s.toString());
  auto a = alice.status(), b = bob.status();
  if (!a || !b) return fail("status");
  show("reader 0", *a);
  show("reader 1", *b);

  constexpr protocol::Amount kLoad = 10000;
  auto receipt = issuer::loadPurse(alice, signer, kLoad, kToday);
  if (!receipt) return fail(receipt.error().toString());
  auto aliceCert = alice.certificate();
  if (!aliceCert) return fail(aliceCert.error().toString());
  auto checked = host::verifyReceipt(receipt->responseData, host::ReceiptKind::kLoad, *aliceCert,
                                         key->verificationKey());
  std::printf("\nLOAD %s into reader 0: receipt signed by the card, %s\n", euros(kLoad).c_str(),
              checked ? "signature verified" : ("NOT verified: " + checked.error().toString()).c_str());

  protocol::PurchaseReference order{};
  const std::string orderText = "order 4711: one coffee";
  std::copy(orderText.begin(), orderText.end(), order.begin());
  std::printf("\nMondex transfer of %s from reader 0 to reader 1 (START FROM, START TO, REQ, VAL, ACK)\n",
              euros(1250).c_str());
  auto transfer = terminal::runTransfer(alice, bob, 1250, order);
  if (!transfer) return fail(transfer.error().toString());
  std::printf("  pd: from %s seq %u -> to %s seq %u, reference \"%s\"\n", toHex(transfer->pd.fromId).c_str(),
              transfer->pd.fromSeq, toHex(transfer->pd.toId).c_str(), transfer->pd.toSeq, orderText.c_str());
  a = alice.status();
  b = bob.status();
  if (!a || !b) return fail("status");
  show("reader 0", *a);
  show("reader 1", *b);

  auto log = alice.readTransactionLog();
  if (!log) return fail(log.error().toString());
  std::printf("\nreader 0's log (oldest first), hash chain %s:\n",
              host::verifyTransactionLog(*log).isOk() ? "verified" : "BROKEN");
  for (const auto& r : *log) {
    std::printf("  #%u %-26s %-12s balance after %s\n", r.number, protocol::logTypeName(r.type),
                euros(r.details.value).c_str(), euros(r.balanceAfter).c_str());
  }
  return 0;
}
