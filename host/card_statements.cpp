#include "host/card_statements.h"

#include "protocol/signed_payloads.h"

namespace epurse::host {

using namespace protocol;

Result<EcPublicKey> certifiedCardKey(const CardCertificate& cert, const EcPublicKey& issuerKey) {
  if (!cert.verify(issuerKey)) {
    return makeError(ErrorCode::kProtocol, "the card certificate is not signed by this issuer key");
  }
  auto key = EcPublicKey::fromUncompressed(cert.publicKey);
  if (!key) return makeError(ErrorCode::kProtocol, "the card certificate holds no usable public key");
  return key;
}

Result<ValueReceipt> verifyReceipt(ByteView responseData, ReceiptKind kind, const CardCertificate& cert,
                                   const EcPublicKey& issuerKey) {
  auto parts = splitSigned(responseData, ValueReceipt::kSize);
  if (!parts) return parts.error();
  auto receipt = ValueReceipt::decode(parts->fields);
  if (!receipt) return receipt.error();
  auto cardKey = certifiedCardKey(cert, issuerKey);
  if (!cardKey) return cardKey.error();
  if (receipt->purseId != cert.purseId) {
    return makeError(ErrorCode::kProtocol, "the receipt names purse " + purseIdHex(receipt->purseId) +
                                               ", the certificate purse " + purseIdHex(cert.purseId));
  }
  const std::string_view domain = kind == ReceiptKind::kLoad ? kDomainLoadReceipt : kDomainUnloadReceipt;
  if (!cardKey->verify(domainPayload(domain, parts->fields), parts->signature)) {
    return makeError(ErrorCode::kProtocol, std::string("the card's signature on the ") +
                                               (kind == ReceiptKind::kLoad ? "load" : "unload") +
                                               " receipt does not verify");
  }
  return receipt;
}

Result<AuditHead> verifyAuditResponse(ByteView responseData, std::uint8_t sfi, ByteView challenge,
                                      const CardCertificate& cert, const EcPublicKey& issuerKey) {
  auto cardKey = certifiedCardKey(cert, issuerKey);
  if (!cardKey) return cardKey.error();
  return verifyAuditWithCardKey(responseData, sfi, challenge, cert.purseId, *cardKey);
}

Result<AuditHead> verifyAuditWithCardKey(ByteView responseData, std::uint8_t sfi, ByteView challenge,
                                         const PurseId& purseId, const EcPublicKey& cardKey) {
  auto parts = splitSigned(responseData, AuditHead::kSize);
  if (!parts) return parts.error();
  auto head = AuditHead::decode(parts->fields);
  if (!head) return head.error();
  if (head->purseId != purseId) {
    return makeError(ErrorCode::kProtocol, "the audit head names purse " + purseIdHex(head->purseId) +
                                               ", the certificate purse " + purseIdHex(purseId));
  }
  if (head->log != sfi) {
    return makeError(ErrorCode::kProtocol, "asked to audit log " + std::to_string(sfi) + ", the card audited log " +
                                               std::to_string(head->log));
  }
  if (!cardKey.verify(auditPayload(challenge, *head), parts->signature)) {
    return makeError(ErrorCode::kProtocol, "the card's signature on the audit head does not verify");
  }
  return head;
}

}  // namespace epurse::host
