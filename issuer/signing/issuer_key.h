// The issuer's P-256 signing key: the root every purse trusts. It certifies card keys and
// signs every order a purse obeys (personalisation, loads, unloads, PIN unblock, life cycle,
// exception-log clearing, revocation lists). Kept on disk as a PKCS#8 PEM file readable by its
// owner only, unencrypted or encrypted with AES-256 under a passphrase.
#pragma once

#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "protocol/ec_key.h"
#include "protocol/purse_types.h"

namespace epurse::issuer {

class IssuerKey {
 public:
  static Result<IssuerKey> generate();
  // A PEM private key (PKCS#8, or SEC1 "EC PRIVATE KEY"). kIo if the file cannot be read,
  // kMalformed if it holds no readable unencrypted private key, kInvalidArgument if the key is
  // not P-256. Never prompts for a passphrase.
  static Result<IssuerKey> loadPem(const std::string& path);
  // The same for a key that may be encrypted: with a passphrase, an encrypted PKCS#8 key
  // (kCorrupt "wrong passphrase or damaged key file" when it does not decrypt); without one
  // (nullopt), as loadPem(path).
  static Result<IssuerKey> loadPem(const std::string& path, const std::optional<std::string>& passphrase);

  // PKCS#8 PEM, mode 0600. Refuses (kIo) if `path` exists: a key file is never replaced.
  Status savePem(const std::string& path) const;
  // With a non-empty passphrase: encrypted PKCS#8 (PBES2, AES-256-CBC); without one (nullopt or
  // empty), as savePem(path). The same refusal to replace an existing file.
  Status savePem(const std::string& path, const std::optional<std::string>& passphrase) const;
  static bool isEncryptedPem(ByteView pemText);
  // The public key as a SubjectPublicKeyInfo PEM, mode 0644, for anyone who verifies.
  Status savePublicPem(const std::string& path) const;

  const Bytes& publicKey() const { return key_.publicKey(); }  // 65-byte uncompressed point
  const protocol::EcPublicKey& verificationKey() const { return publicKey_; }
  protocol::IssuerKeyId keyId() const { return keyId_; }
  // r || s over SHA-256(payload).
  Result<Bytes> sign(ByteView payload) const { return key_.sign(payload); }

 private:
  static Result<IssuerKey> fromPrivateKey(protocol::EcPrivateKey key);
  IssuerKey(protocol::EcPrivateKey key, protocol::EcPublicKey publicKey);

  protocol::EcPrivateKey key_;
  protocol::EcPublicKey publicKey_;
  protocol::IssuerKeyId keyId_;
};

}  // namespace epurse::issuer
