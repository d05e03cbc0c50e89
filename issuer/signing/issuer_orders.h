// Every issuer-signed command, built in one place: what the issuer program sends and what the
// tests send are the same bytes. Each signs exactly the payload protocol/signed_payloads.h
// defines for its domain and wraps it with the builder from protocol/purse_apdus.h.
//
// The signer checks only what it must to sign meaningfully (a card key is a P-256 point, a
// count fits its byte); whether an order makes sense for a purse is the issuer's and the
// card's business, and tests need to send orders the card must refuse.
#pragma once

#include <vector>

#include "apdu/command_apdu.h"
#include "issuer/signing/issuer_key.h"
#include "protocol/card_certificate.h"
#include "protocol/issuer_authorisations.h"

namespace epurse::issuer {

class IssuerSigner {
 public:
  // `key` must outlive the signer.
  explicit IssuerSigner(const IssuerKey& key) : key_(key) {}

  // PUT ISSUER KEY: the public key, unsigned (a blank card takes its first issuer key on trust).
  CommandApdu putIssuerKey() const;
  // PERSONALISE, signed over "PERS" || card public key || data.
  Result<CommandApdu> personalise(ByteView cardPublicKey, const protocol::Personalisation& data) const;
  // The card certificate for `cardPublicKey`, naming and signed by this issuer key.
  Result<protocol::CardCertificate> certify(const protocol::PurseId& purseId, ByteView cardPublicKey,
                                            protocol::Currency currency, protocol::Date expiry) const;
  // PUT CERTIFICATE: the certificate as it is (certify() signed it).
  static CommandApdu putCertificate(const protocol::CardCertificate& cert);

  // Orders for one purse, signed over domain || purse ID || order.
  Result<CommandApdu> load(const protocol::PurseId& purseId, const protocol::ValueOrder& order) const;
  Result<CommandApdu> unload(const protocol::PurseId& purseId, const protocol::ValueOrder& order) const;
  Result<CommandApdu> unblockPin(const protocol::PurseId& purseId, const protocol::PinUnblockOrder& order) const;
  Result<CommandApdu> setLifeCycle(const protocol::PurseId& purseId, const protocol::LifeCycleOrder& order) const;
  Result<CommandApdu> clearExceptionLog(const protocol::PurseId& purseId,
                                        const protocol::ExceptionClearOrder& order) const;
  // For every purse: signed over "REVL" || list.
  Result<CommandApdu> putRevocationList(const protocol::RevocationList& list) const;

 private:
  Result<Bytes> signOrder(std::string_view domain, const protocol::PurseId& purseId, ByteView fields) const;

  const IssuerKey& key_;
};

}  // namespace epurse::issuer
