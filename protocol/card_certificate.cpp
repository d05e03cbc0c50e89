#include "protocol/card_certificate.h"

#include <algorithm>

#include "apdu/ber_tlv.h"

namespace epurse::protocol {
namespace {

Result<ByteView> expectTlv(ByteView& in, std::uint32_t tag, std::size_t length, const char* what) {
  std::size_t consumed = 0;
  auto obj = parseTlv(in, consumed);
  if (!obj || obj->tag != tag || (length != 0 && obj->value.size() != length)) {
    return makeError(ErrorCode::kMalformed, std::string("card certificate: bad ") + what);
  }
  in = in.subspan(consumed);
  return obj->value;
}

}  // namespace

IssuerKeyId issuerKeyIdOf(ByteView issuerPublicKey) {
  const Digest d = sha256(issuerPublicKey);
  return toArray<kIssuerKeyIdSize>(ByteView(d.data(), kIssuerKeyIdSize));
}

Bytes encodePublicKeyTemplate(ByteView point) { return encodeTlv(kTagPublicKeyTemplate, encodeTlv(kTagEcPoint, point)); }

Result<Bytes> decodePublicKeyTemplate(ByteView in) {
  auto outer = expectTlv(in, kTagPublicKeyTemplate, 0, "public key template");
  if (!outer || !in.empty()) return makeError(ErrorCode::kMalformed, "a public key template is 7F49 { 86 point }");
  ByteView inner = *outer;
  auto point = expectTlv(inner, kTagEcPoint, kPublicKeySize, "EC point");
  if (!point || !inner.empty()) return makeError(ErrorCode::kMalformed, "a public key template is 7F49 { 86 point }");
  return Bytes(point->begin(), point->end());
}

Bytes CardCertificate::body() const {
  Bytes inner;
  inner.reserve(110);
  appendTlv(inner, kTagHolderReference, purseId);
  appendBytes(inner, encodePublicKeyTemplate(publicKey));
  Bytes cur;
  appendU16(cur, currency);
  appendTlv(inner, kTagCurrency, cur);
  Bytes exp;
  appendU32(exp, expiry);
  appendTlv(inner, kTagExpiry, exp);
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
  auto outer = expectTlv(in, kTagCvCertificate, 0, "certificate template");
  if (!outer || !in.empty()) return makeError(ErrorCode::kMalformed, "card certificate: trailing bytes");
  ByteView cert = *outer;
  auto body = expectTlv(cert, kTagCertificateBody, 0, "body");
  if (!body) return body.error();
  auto sig = expectTlv(cert, kTagSignature, kSignatureSize, "signature");
  if (!sig) return sig.error();
  if (!cert.empty()) return makeError(ErrorCode::kMalformed, "card certificate: bytes after the signature");

  ByteView b = *body;
  CardCertificate out;
  auto holder = expectTlv(b, kTagHolderReference, kPurseIdSize, "purse ID");
  if (!holder) return holder.error();
  out.purseId = toArray<kPurseIdSize>(*holder);
  std::size_t consumed = 0;
  auto keyTlv = parseTlv(b, consumed);
  if (!keyTlv) return makeError(ErrorCode::kMalformed, "card certificate: bad public key");
  auto key = decodePublicKeyTemplate(b.subspan(0, consumed));
  if (!key) return key.error();
  out.publicKey = std::move(*key);
  b = b.subspan(consumed);
  auto cur = expectTlv(b, kTagCurrency, 2, "currency");
  if (!cur) return cur.error();
  out.currency = loadU16(cur->data());
  auto exp = expectTlv(b, kTagExpiry, 4, "expiry");
  if (!exp) return exp.error();
  out.expiry = loadU32(exp->data());
  auto car = expectTlv(b, kTagAuthorityReference, kIssuerKeyIdSize, "issuer key ID");
  if (!car) return car.error();
  out.issuerKeyId = toArray<kIssuerKeyIdSize>(*car);
  if (!b.empty()) return makeError(ErrorCode::kMalformed, "card certificate: bytes after the issuer key ID");
  out.signature.assign(sig->begin(), sig->end());
  return out;
}

bool CardCertificate::verify(const EcPublicKey& issuerKey) const {
  return issuerKeyId == issuerKeyIdOf(issuerKey.encoded()) && issuerKey.verify(body(), signature);
}

}  // namespace epurse::protocol
