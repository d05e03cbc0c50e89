// P-256 ECDSA with SHA-256 through OpenSSL 3, in the compact forms the purse puts on the wire:
// a public key is the 65-byte uncompressed point (04 || X || Y), a signature is r || s, 32
// bytes each, and a private key is its 32-byte scalar. Keys hold a parsed EVP_PKEY so that
// signing and verifying do not re-parse on every call.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/result.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace epurse::protocol {

inline constexpr std::size_t kPublicKeySize = 65;
inline constexpr std::size_t kPrivateScalarSize = 32;
inline constexpr std::size_t kSignatureSize = 64;
inline constexpr std::size_t kSha256Size = 32;

using Digest = std::array<std::uint8_t, kSha256Size>;
Digest sha256(ByteView data);
Digest sha256(ByteView a, ByteView b);  // over a || b, without copying them together

// Constant-time comparison of two equally long buffers (false when the lengths differ).
bool constantTimeEqual(ByteView a, ByteView b);

// Cryptographically strong random bytes; false if the generator failed.
bool randomBytes(std::uint8_t* out, std::size_t n);

class EcPublicKey {
 public:
  // kMalformed unless `point` is an uncompressed point on P-256.
  static Result<EcPublicKey> fromUncompressed(ByteView point);

  const Bytes& encoded() const { return encoded_; }
  bool verify(ByteView message, ByteView signature) const;
  EVP_PKEY* pkey() const { return key_.get(); }

 private:
  std::shared_ptr<EVP_PKEY> key_;
  Bytes encoded_;
};

class EcPrivateKey {
 public:
  static Result<EcPrivateKey> generate();
  // The scalar with its public point, as a card stores them.
  static Result<EcPrivateKey> fromScalar(ByteView scalar, ByteView publicPoint);
  // Takes over a key OpenSSL read elsewhere (a PEM file); kInvalidArgument unless P-256.
  static Result<EcPrivateKey> adopt(EVP_PKEY* key);

  Bytes scalar() const;
  const Bytes& publicKey() const { return publicKey_; }
  // r || s over SHA-256(message); an error only if OpenSSL fails.
  Result<Bytes> sign(ByteView message) const;
  EVP_PKEY* pkey() const { return key_.get(); }

 private:
  std::shared_ptr<EVP_PKEY> key_;
  Bytes publicKey_;
};

}  // namespace epurse::protocol
