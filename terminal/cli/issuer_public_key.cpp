#include "terminal/cli/issuer_public_key.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace epurse::terminal {

Result<protocol::EcPublicKey> loadIssuerPublicKey(const std::string& path) {
  const auto refused = [&](const std::string& why) {
    return makeError(ErrorCode::kInvalidArgument, std::string("--issuer-key ") + path + ": " + why);
  };
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), BIO_free);
  if (!bio) return refused("cannot be read");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr),
                                                          EVP_PKEY_free);
  if (!key) return refused("not a PEM public key (the issuer's is issuer-public.pem in its home)");
  unsigned char* encoded = nullptr;
  const std::size_t length = EVP_PKEY_get1_encoded_public_key(key.get(), &encoded);
  if (length == 0 || encoded == nullptr) return refused("not an EC public key");
  Bytes point(encoded, encoded + length);
  OPENSSL_free(encoded);
  auto parsed = protocol::EcPublicKey::fromUncompressed(point);
  if (!parsed) return refused("not a P-256 public key");
  return *parsed;
}

}  // namespace epurse::terminal
