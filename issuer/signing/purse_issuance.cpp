#include "issuer/signing/purse_issuance.h"

#include "protocol/purse_apdus.h"

namespace epurse::issuer {

host::CardResult<protocol::CardCertificate> personalisePurse(host::PurseClient& purse,
                                                                 const IssuerSigner& signer,
                                                                 const protocol::Personalisation& data,
                                                                 protocol::Date expiry) {
  if (auto r = purse.execute(signer.putIssuerKey()); !r) return r.failure();
  auto keyTemplate = purse.execute(protocol::apdus::generateKeyPair());
  if (!keyTemplate) return keyTemplate.failure();
  auto cardKey = protocol::decodePublicKeyTemplate(*keyTemplate);
  if (!cardKey) return cardKey.error();
  auto order = signer.personalise(*cardKey, data);
  if (!order) return order.error();
  if (auto r = purse.execute(*order); !r) return r.failure();
  auto cert = signer.certify(data.purseId, *cardKey, data.currency, expiry);
  if (!cert) return cert.error();
  if (auto r = purse.execute(IssuerSigner::putCertificate(*cert)); !r) return r.failure();
  return *cert;
}

host::CardResult<CommandApdu> loadOrderFor(host::PurseClient& purse, const IssuerSigner& signer,
                                               protocol::Amount amount, protocol::Date date) {
  auto status = purse.status();
  if (!status) return status.failure();
  protocol::ValueOrder order;
  order.counter = status->loadCounter;
  order.amount = amount;
  order.currency = status->currency;
  order.date = date;
  auto command = signer.load(status->purseId, order);
  if (!command) return command.error();
  return *command;
}

host::CardResult<host::SignedReceipt> loadPurse(host::PurseClient& purse, const IssuerSigner& signer,
                                                        protocol::Amount amount, protocol::Date date) {
  auto order = loadOrderFor(purse, signer, amount, date);
  if (!order) return order.failure();
  return purse.load(*order);
}

}  // namespace epurse::issuer
