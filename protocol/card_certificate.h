// The card certificate: the issuer's statement that a public key belongs to one purse. A
// compact card-verifiable certificate in the style of ISO 7816-8 CV certificates, fixed size:
//
//   7F21 81 AD                     CV certificate
//     7F4E 67                      body (the signed bytes are this whole TLV, tag included)
//       5F20 08  purse ID          certificate holder reference
//       7F49 43  86 41 point       the card's public key (uncompressed P-256)
//       5F2A 02  currency          ISO 4217 numeric
//       5F24 04  expiry            YYYYMMDD, last valid day
//       42   08  issuer key ID     first 8 bytes of SHA-256 over the issuer's public key
//     5F37 40  signature           issuer's ECDSA (r || s) over the body
#pragma once

#include "base/bytes.h"
#include "base/result.h"
#include "protocol/ec_key.h"
#include "protocol/purse_types.h"

namespace epurse::protocol {

inline constexpr std::uint32_t kTagCvCertificate = 0x7F21;
inline constexpr std::uint32_t kTagCertificateBody = 0x7F4E;
inline constexpr std::uint32_t kTagHolderReference = 0x5F20;
inline constexpr std::uint32_t kTagPublicKeyTemplate = 0x7F49;
inline constexpr std::uint32_t kTagEcPoint = 0x86;
inline constexpr std::uint32_t kTagCurrency = 0x5F2A;
inline constexpr std::uint32_t kTagExpiry = 0x5F24;
inline constexpr std::uint32_t kTagAuthorityReference = 0x42;
inline constexpr std::uint32_t kTagSignature = 0x5F37;

IssuerKeyId issuerKeyIdOf(ByteView issuerPublicKey);

struct CardCertificate {
  static constexpr std::size_t kEncodedSize = 177;

  PurseId purseId{};
  Bytes publicKey;  // 65 bytes
  Currency currency = 0;
  Date expiry = 0;
  IssuerKeyId issuerKeyId{};
  Bytes signature;  // 64 bytes

  Bytes body() const;    // the signed bytes (7F4E TLV)
  Bytes encode() const;  // the whole 7F21 TLV
  // Strict: exactly this layout, these lengths, nothing after it. Does not check the signature.
  static Result<CardCertificate> decode(ByteView in);
  bool operator==(const CardCertificate&) const = default;

  // The signature verifies under `issuerKey` and names that key.
  bool verify(const EcPublicKey& issuerKey) const;
};

// The public key template 7F49 { 86 point } that GENERATE KEY PAIR and GET DATA return.
Bytes encodePublicKeyTemplate(ByteView point);
Result<Bytes> decodePublicKeyTemplate(ByteView in);

}  // namespace epurse::protocol
