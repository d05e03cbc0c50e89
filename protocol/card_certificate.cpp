#include "protocol/card_certificate.h"

#include "apdu/ber_tlv.h"
#include "base/byte_codec.h"

namespace epurse::protocol {
namespace {

constexpr std::size_t kAnyLength = 0;

// The value of the next object of `in`, which must have `tag` and (unless kAnyLength) `length`
// value bytes; `in` moves past it.
Result<ByteView> takeTlv(ByteView& in, std::uint32_t tag, std::size_t length, const char* what) {
  std::size_t consumed = 0;
  auto obj = parseTlv(in, consumed);
  if (!obj || obj->tag != tag || (length != kAnyLength && obj->value.size() != length)) {
    return makeError(ErrorCode::kMalformed, std::string("card certificate: bad ") + what);
  }
  in = in.subspan(consumed);
  return obj->value;
}

// The EC point inside a public key template's value: exactly 86 { 65-byte point }.
Result<ByteView> pointOf(ByteView templateValue) {
  auto point = takeTlv(templateValue, kTagEcPoint, kPublicKeySize, "EC point");
  if (!point || !templateValue.empty()) {
    return makeError(ErrorCode::kMalformed, "a public key template is 7F49 { 86 point }");
  }
  return point;
}

}  // namespace

IssuerKeyId issuerKeyIdOf(ByteView issuerPublicKey) {
  const Digest d = sha256(issuerPublicKey);
  ByteReader digest(d);
  return digest.array<kIssuerKeyIdSize>();  // its first bytes
}

Bytes encodePublicKeyTemplate(ByteView point) { return encodeTlv(kTagPublicKeyTemplate, encodeTlv(kTagEcPoint, point)); }

Result<Bytes> decodePublicKeyTemplate(ByteView in) {
  auto outer = takeTlv(in, kTagPublicKeyTemplate, kAnyLength, "public key template");
  if (!outer || !in.empty()) return makeError(ErrorCode::kMalformed, "a public key template is 7F49 { 86 point }");
  auto point = pointOf(*outer);
  if (!point) return point.error();
  return Bytes(point->begin(), point->end());
}

Bytes CardCertificate::body() const {
  Bytes inner;
  inner.reserve(110);
  appendTlv(inner, kTagHolderReference, purseId);
  appendBytes(inner, encodePublicKeyTemplate(publicKey));
  appendTlv(inner, kTagCurrency, ByteWriter().u16(currency).view());
  appendTlv(inner, kTagExpiry, ByteWriter().u32(expiry).view());
  appendTlv(inner, kTagAuthorityReference, issuerKeyId);
  return encodeTlv(kTagCertificateBody, inner);
}

Bytes CardCertificate::encode() const {
  Bytes inner = body();
  appendTlv(inner, kTagSignature, signature);
  return encodeTlv(kTagCvCertificate, inner);
}

Result<CardCertificate> CardCertificate::decode(ByteView in) {
  if (in.size() != kEncodedSize) return makeError(ErrorCode::kMalformed, "a card certificate is 177 bytes");
  auto outer = takeTlv(in, kTagCvCertificate, kAnyLength, "certificate template");
  if (!outer || !in.empty()) return makeError(ErrorCode::kMalformed, "card certificate: trailing bytes");
  ByteView cert = *outer;
  auto body = takeTlv(cert, kTagCertificateBody, kAnyLength, "body");
  if (!body) return body.error();
  auto sig = takeTlv(cert, kTagSignature, kSignatureSize, "signature");
  if (!sig) return sig.error();
  if (!cert.empty()) return makeError(ErrorCode::kMalformed, "card certificate: bytes after the signature");

  // The body's objects in their one order, each of its one length (so the values below are
  // read from views of exactly their size).
  ByteView b = *body;
  auto holder = takeTlv(b, kTagHolderReference, kPurseIdSize, "purse ID");
  if (!holder) return holder.error();
  auto keyTemplate = takeTlv(b, kTagPublicKeyTemplate, kAnyLength, "public key");
  if (!keyTemplate) return keyTemplate.error();
  auto point = pointOf(*keyTemplate);
  if (!point) return point.error();
  auto currency = takeTlv(b, kTagCurrency, 2, "currency");
  if (!currency) return currency.error();
  auto expiry = takeTlv(b, kTagExpiry, 4, "expiry");
  if (!expiry) return expiry.error();
  auto issuer = takeTlv(b, kTagAuthorityReference, kIssuerKeyIdSize, "issuer key ID");
  if (!issuer) return issuer.error();
  if (!b.empty()) return makeError(ErrorCode::kMalformed, "card certificate: bytes after the issuer key ID");

  CardCertificate out;
  out.purseId = ByteReader(*holder).array<kPurseIdSize>();
  out.publicKey.assign(point->begin(), point->end());
  out.currency = ByteReader(*currency).u16();
  out.expiry = ByteReader(*expiry).u32();
  out.issuerKeyId = ByteReader(*issuer).array<kIssuerKeyIdSize>();
  out.signature.assign(sig->begin(), sig->end());
  return out;
}

bool CardCertificate::verify(const EcPublicKey& issuerKey) const {
  return issuerKeyId == issuerKeyIdOf(issuerKey.encoded()) && issuerKey.verify(body(), signature);
}

}  // namespace epurse::protocol
