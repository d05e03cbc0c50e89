#include "terminal/receipt/receipt_check.h"

#include "base/hex.h"
#include "host/card_statements.h"
#include "protocol/signed_payloads.h"

namespace epurse::terminal {
namespace {

using protocol::TransferMessage;

ReceiptCheck check(std::string name, bool passed, std::string detail) {
  return ReceiptCheck{std::move(name), passed, std::move(detail)};
}

// The certificate's checks; the card key when it passed.
std::optional<protocol::EcPublicKey> checkCertificate(ReceiptVerdict& verdict, const char* name,
                                                      const protocol::CardCertificate& cert,
                                                      const protocol::PurseId& purse, protocol::Currency currency,
                                                      const protocol::EcPublicKey& issuerKey) {
  auto key = host::certifiedCardKey(cert, issuerKey);
  if (!key) {
    verdict.checks.push_back(check(name, false, key.error().message));
    return std::nullopt;
  }
  if (cert.purseId != purse) {
    verdict.checks.push_back(check(name, false,
                                   "certifies purse " + protocol::purseIdHex(cert.purseId) + ", the payment names " +
                                       protocol::purseIdHex(purse)));
    return std::nullopt;
  }
  if (cert.currency != currency) {
    verdict.checks.push_back(check(name, false, "certifies currency " + std::to_string(cert.currency) +
                                                    ", the payment is in " + std::to_string(currency)));
    return std::nullopt;
  }
  verdict.checks.push_back(check(name, true, "purse " + protocol::purseIdHex(purse) + ", issued under this key"));
  return *key;
}

void checkSignature(ReceiptVerdict& verdict, TransferMessage kind, const protocol::SignedTransferMessage& message,
                    const std::optional<protocol::EcPublicKey>& signer, const char* signerName) {
  std::string name = protocol::transferMessageName(kind);
  name += " signature";
  if (!signer) {
    verdict.checks.push_back(check(name, false, std::string("the ") + signerName + "'s certificate failed"));
    return;
  }
  const bool ok = signer->verify(protocol::transferPayload(kind, message.pd), message.signature);
  verdict.checks.push_back(check(name, ok, ok ? std::string("by the ") + signerName
                                              : std::string("does not verify with the ") + signerName + "'s key"));
}

}  // namespace

bool ReceiptVerdict::passed() const {
  for (const auto& c : checks) {
    if (!c.passed) return false;
  }
  return !checks.empty();
}

std::string ReceiptVerdict::failures() const {
  std::string text;
  for (const auto& c : checks) {
    if (c.passed) continue;
    if (!text.empty()) text += "; ";
    text += c.name;
    text += ": ";
    text += c.detail;
  }
  return text;
}

ReceiptVerdict verifyReceipt(const PaymentReceipt& receipt, const protocol::EcPublicKey& issuerKey,
                             const std::optional<Bytes>& order) {
  ReceiptVerdict verdict;
  const auto& pd = receipt.pd;
  auto payerKey = checkCertificate(verdict, "payer certificate", receipt.payerCertificate, pd.fromId, pd.currency,
                                   issuerKey);
  auto payeeKey = checkCertificate(verdict, "payee certificate", receipt.payeeCertificate, pd.toId, pd.currency,
                                   issuerKey);
  const std::pair<const char*, const protocol::SignedTransferMessage*> messages[] = {
      {"pd in REQ", &receipt.req}, {"pd in VAL", &receipt.val}, {"pd in ACK", &receipt.ack}};
  for (const auto& [name, message] : messages) {
    const bool same = message->pd == pd;
    verdict.checks.push_back(check(name, same, same ? "the payment's pd" : "differs from the payment's pd"));
  }
  checkSignature(verdict, TransferMessage::kReq, receipt.req, payeeKey, "payee");
  checkSignature(verdict, TransferMessage::kVal, receipt.val, payerKey, "payer");
  checkSignature(verdict, TransferMessage::kAck, receipt.ack, payeeKey, "payee");
  const bool bound = std::equal(pd.reference.begin(), pd.reference.end(), receipt.orderHash.begin());
  verdict.checks.push_back(check("purchase reference", bound,
                                 bound ? "is the order hash" : "the pd's reference is not the order hash"));
  if (order) {
    const protocol::Digest digest = protocol::sha256(*order);
    const bool same = digest == receipt.orderHash;
    verdict.checks.push_back(check("order", same,
                                   same ? "SHA-256 of the order file is the order hash"
                                        : "SHA-256 of the order file is " + toHex(digest) + ", not the order hash"));
  }
  return verdict;
}

}  // namespace epurse::terminal
