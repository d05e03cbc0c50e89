#include "issuer/signing/issuer_orders.h"

#include "protocol/purse_apdus.h"
#include "protocol/signed_payloads.h"

namespace epurse::issuer {
namespace {

using namespace protocol;

// Counts travel in one byte; a longer list would be encoded as a different, shorter one.
constexpr std::size_t kMaxByteCount = 255;

Status requireCardKey(ByteView cardPublicKey) {
  if (auto key = EcPublicKey::fromUncompressed(cardPublicKey); !key) {
    return makeError(ErrorCode::kInvalidArgument, "card public key: " + key.error().message);
  }
  return Status::ok();
}

}  // namespace

CommandApdu IssuerSigner::putIssuerKey() const { return apdus::putIssuerKey(key_.publicKey()); }

Result<CommandApdu> IssuerSigner::personalise(ByteView cardPublicKey, const Personalisation& data) const {
  if (Status s = requireCardKey(cardPublicKey); !s) return s;
  Bytes fields(cardPublicKey.begin(), cardPublicKey.end());
  appendBytes(fields, data.encode());
  auto signature = key_.sign(domainPayload(kDomainPersonalise, fields));
  if (!signature) return signature.error();
  return apdus::personalise(data, *signature);
}

Result<CardCertificate> IssuerSigner::certify(const PurseId& purseId, ByteView cardPublicKey, Currency currency,
                                              Date expiry) const {
  if (Status s = requireCardKey(cardPublicKey); !s) return s;
  CardCertificate cert;
  cert.purseId = purseId;
  cert.publicKey.assign(cardPublicKey.begin(), cardPublicKey.end());
  cert.currency = currency;
  cert.expiry = expiry;
  cert.issuerKeyId = key_.keyId();
  auto signature = key_.sign(cert.body());
  if (!signature) return signature.error();
  cert.signature = std::move(*signature);
  return cert;
}

CommandApdu IssuerSigner::putCertificate(const CardCertificate& cert) { return apdus::putCertificate(cert.encode()); }

Result<Bytes> IssuerSigner::signOrder(std::string_view domain, const PurseId& purseId, ByteView fields) const {
  return key_.sign(issuerOrderPayload(domain, purseId, fields));
}

Result<CommandApdu> IssuerSigner::load(const PurseId& purseId, const ValueOrder& order) const {
  auto signature = signOrder(kDomainLoad, purseId, order.encode());
  if (!signature) return signature.error();
  return apdus::load(order, *signature);
}

Result<CommandApdu> IssuerSigner::unload(const PurseId& purseId, const ValueOrder& order) const {
  auto signature = signOrder(kDomainUnload, purseId, order.encode());
  if (!signature) return signature.error();
  return apdus::unload(order, *signature);
}

Result<CommandApdu> IssuerSigner::unblockPin(const PurseId& purseId, const PinUnblockOrder& order) const {
  auto signature = signOrder(kDomainPinUnblock, purseId, order.encode());
  if (!signature) return signature.error();
  return apdus::resetRetryCounter(order, *signature);
}

Result<CommandApdu> IssuerSigner::setLifeCycle(const PurseId& purseId, const LifeCycleOrder& order) const {
  auto signature = signOrder(kDomainLifeCycle, purseId, order.encode());
  if (!signature) return signature.error();
  return apdus::setLifeCycle(order, *signature);
}

Result<CommandApdu> IssuerSigner::clearExceptionLog(const PurseId& purseId, const ExceptionClearOrder& order) const {
  if (order.numbers.size() > kMaxByteCount) {
    return makeError(ErrorCode::kInvalidArgument, "an exception-clear order cannot name more than 255 records");
  }
  auto signature = signOrder(kDomainExceptionClear, purseId, order.encode());
  if (!signature) return signature.error();
  return apdus::clearExceptionLog(order, *signature);
}

Result<CommandApdu> IssuerSigner::putRevocationList(const RevocationList& list) const {
  if (list.revoked.size() > kMaxByteCount) {
    return makeError(ErrorCode::kInvalidArgument, "a revocation list cannot hold more than 255 entries");
  }
  auto signature = key_.sign(domainPayload(kDomainRevocationList, list.encode()));
  if (!signature) return signature.error();
  return apdus::putRevocationList(list, *signature);
}

}  // namespace epurse::issuer
