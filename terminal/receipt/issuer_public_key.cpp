#include "terminal/receipt/issuer_public_key.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace epurse::terminal {

Result<protocol::EcPublicKey> loadIssuerPublicKey(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return makeError(ErrorCode::kIo, "cannot read the issuer key " + path + ": " + std::strerror(errno));
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(PEM_read_PUBKEY(file.get(), nullptr, nullptr, nullptr),
                                                      &EVP_PKEY_free);
  if (!key) {
    return makeError(ErrorCode::kMalformed, path + " holds no PEM public key (\"BEGIN PUBLIC KEY\")");
  }
  Bytes point(protocol::kPublicKeySize + 1);
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(), point.size(),
                                      &length) != 1) {
    return makeError(ErrorCode::kMalformed, path + ": not an elliptic-curve public key");
  }
  point.resize(length);
  auto ec = protocol::EcPublicKey::fromUncompressed(point);
  if (!ec) return makeError(ErrorCode::kMalformed, path + ": not a P-256 public key: " + ec.error().message);
  return ec;
}

}  // namespace epurse::terminal
