#include "protocol/ec_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>

#include "base/byte_codec.h"

namespace epurse::protocol {
namespace {

constexpr const char* kCurveName = "prime256v1";
constexpr std::uint8_t kUncompressedPointTag = 0x04;
constexpr std::size_t kCoordinateSize = 32;

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using BuildPtr = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using SigPtr = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;

std::shared_ptr<EVP_PKEY> keyFromParams(OSSL_PARAM_BLD* build, int selection) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(build), OSSL_PARAM_free);
  if (!params) return nullptr;
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()) <= 0) {
    return nullptr;
  }
  return std::shared_ptr<EVP_PKEY>(key, PkeyDeleter());
}

Bytes encodedPublicKey(EVP_PKEY* key) {
  Bytes out(kPublicKeySize);
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out.data(), out.size(), &length) <=
          0 ||
      length != kPublicKeySize || out[0] != kUncompressedPointTag) {
    return {};
  }
  return out;
}

bool isP256(EVP_PKEY* key) {
  char group[64] = {};
  std::size_t length = 0;
  return EVP_PKEY_is_a(key, "EC") &&
         EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) > 0 &&
         std::strcmp(group, kCurveName) == 0;
}

}  // namespace

Digest sha256(ByteView data) { return sha256(data, {}); }

Digest sha256(ByteView a, ByteView b) {
  Digest out{};
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned length = 0;
  // A failing digest leaves the zero digest, which no check accepts as a match of real data.
  if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) > 0 &&
      EVP_DigestUpdate(ctx.get(), a.data(), a.size()) > 0 && EVP_DigestUpdate(ctx.get(), b.data(), b.size()) > 0) {
    EVP_DigestFinal_ex(ctx.get(), out.data(), &length);
  }
  return out;
}

bool constantTimeEqual(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool randomBytes(std::uint8_t* out, std::size_t n) { return RAND_bytes(out, static_cast<int>(n)) == 1; }

Result<EcPublicKey> EcPublicKey::fromUncompressed(ByteView point) {
  ByteReader p(point);
  const std::uint8_t form = p.u8();
  (void)p.bytes(2 * kCoordinateSize);  // X || Y, which OpenSSL checks below
  if (!p.finish("a public key") || form != kUncompressedPointTag) {
    return makeError(ErrorCode::kMalformed, "a public key is a 65-byte uncompressed P-256 point");
  }
  BuildPtr build(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!build || !OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurveName, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return makeError(ErrorCode::kInternal, "OpenSSL could not build key parameters");
  }
  // fromdata decodes the point, which refuses a point that is not on the curve.
  auto key = keyFromParams(build.get(), EVP_PKEY_PUBLIC_KEY);
  if (!key) return makeError(ErrorCode::kMalformed, "the public key is not a point on P-256");
  EcPublicKey out;
  out.key_ = std::move(key);
  out.encoded_.assign(point.begin(), point.end());
  return out;
}

bool EcPublicKey::verify(ByteView message, ByteView signature) const {
  ByteReader rs(signature);
  const ByteView rBytes = rs.bytes(kCoordinateSize);
  const ByteView sBytes = rs.bytes(kCoordinateSize);
  if (!key_ || !rs.finish("signature")) return false;
  SigPtr sig(ECDSA_SIG_new(), ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(rBytes.data(), kCoordinateSize, nullptr);
  BIGNUM* s = BN_bin2bn(sBytes.data(), kCoordinateSize, nullptr);
  if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  std::uint8_t der[80];
  std::uint8_t* cursor = der;
  const int derLength = i2d_ECDSA_SIG(sig.get(), &cursor);
  if (derLength <= 0) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) > 0 &&
         EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(derLength), message.data(), message.size()) == 1;
}

Result<EcPrivateKey> EcPrivateKey::generate() {
  EVP_PKEY* raw = EVP_EC_gen(kCurveName);
  if (!raw) return makeError(ErrorCode::kInternal, "OpenSSL could not generate a P-256 key");
  return adopt(raw);
}

Result<EcPrivateKey> EcPrivateKey::adopt(EVP_PKEY* raw) {
  std::shared_ptr<EVP_PKEY> key(raw, PkeyDeleter());
  if (!isP256(raw)) return makeError(ErrorCode::kInvalidArgument, "the key is not a P-256 EC key");
  EcPrivateKey out;
  out.publicKey_ = encodedPublicKey(raw);
  if (out.publicKey_.empty()) return makeError(ErrorCode::kInternal, "OpenSSL could not encode the public key");
  out.key_ = std::move(key);
  return out;
}

Result<EcPrivateKey> EcPrivateKey::fromScalar(ByteView scalar, ByteView publicPoint) {
  if (scalar.size() != kPrivateScalarSize || publicPoint.size() != kPublicKeySize) {
    return makeError(ErrorCode::kMalformed, "a private key is a 32-byte scalar with its 65-byte public point");
  }
  BnPtr d(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr), BN_clear_free);
  BuildPtr build(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!d || !build || !OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurveName, 0) ||
      !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) ||
      !OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, publicPoint.data(),
                                        publicPoint.size())) {
    return makeError(ErrorCode::kInternal, "OpenSSL could not build key parameters");
  }
  auto key = keyFromParams(build.get(), EVP_PKEY_KEYPAIR);
  if (!key) return makeError(ErrorCode::kMalformed, "the stored key pair does not load");
  EcPrivateKey out;
  out.key_ = std::move(key);
  out.publicKey_.assign(publicPoint.begin(), publicPoint.end());
  return out;
}

Bytes EcPrivateKey::scalar() const {
  BIGNUM* d = nullptr;
  if (!key_ || EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) <= 0) return {};
  Bytes out(kPrivateScalarSize);
  const int ok = BN_bn2binpad(d, out.data(), static_cast<int>(out.size()));
  BN_clear_free(d);
  if (ok != static_cast<int>(kPrivateScalarSize)) return {};
  return out;
}

Result<Bytes> EcPrivateKey::sign(ByteView message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::uint8_t der[80];
  std::size_t derLength = sizeof der;
  if (!key_ || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) <= 0 ||
      EVP_DigestSign(ctx.get(), der, &derLength, message.data(), message.size()) <= 0) {
    return makeError(ErrorCode::kInternal, "OpenSSL could not sign");
  }
  const std::uint8_t* cursor = der;
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(derLength)), ECDSA_SIG_free);
  if (!sig) return makeError(ErrorCode::kInternal, "OpenSSL produced an unreadable signature");
  std::array<std::uint8_t, kCoordinateSize> r{};
  std::array<std::uint8_t, kCoordinateSize> s{};
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), r.data(), kCoordinateSize) != kCoordinateSize ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), s.data(), kCoordinateSize) != kCoordinateSize) {
    return makeError(ErrorCode::kInternal, "signature component too large");
  }
  ByteWriter out;
  out.reserve(kSignatureSize).bytes(r).bytes(s);
  return out.take();
}

}  // namespace epurse::protocol
