// The issuer's key (issuer/signing/issuer_key.*): PEM files written owner-only and read back,
// every malformed, foreign or encrypted key file refused; and the card certificates it issues.
#define BOOST_TEST_MODULE issuer_signing_keys_test
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "issuer/signing/issuer_key.h"
#include "issuer/signing/issuer_orders.h"
#include "protocol/card_certificate.h"
#include "tests/support/issuer_signing_checks.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"

namespace {

using namespace epurse;
using namespace epurse::protocol;
using namespace epurse::testing::issuer_checks;
using epurse::issuer::IssuerKey;
using epurse::issuer::IssuerSigner;
using epurse::testing::h;

// A directory of its own for each test that writes key files.
struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "issuer_signing_test-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::filesystem::path path;
};

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  BOOST_TEST_REQUIRE(out.good());
}

// A foreign key written the way other tools would write it.
void writeForeignKey(const std::string& path, EVP_PKEY* key, const char* passphrase = nullptr) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "w"), BIO_free);
  BOOST_TEST_REQUIRE(bio != nullptr);
  const EVP_CIPHER* cipher = passphrase ? EVP_aes_256_cbc() : nullptr;
  const int ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), key, cipher, passphrase,
                                               passphrase ? static_cast<int>(std::strlen(passphrase)) : 0, nullptr,
                                               nullptr);
  BOOST_TEST_REQUIRE(ok == 1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(issuer_key_files)

BOOST_AUTO_TEST_CASE(pem_round_trip_keeps_the_key_and_is_owner_only) {
  TempDir dir;
  const IssuerKey key = freshKey();
  const std::string path = dir.file("issuer.pem");
  BOOST_TEST_REQUIRE(key.savePem(path).isOk());

  struct stat info {};
  BOOST_TEST_REQUIRE(::stat(path.c_str(), &info) == 0);
  BOOST_TEST((info.st_mode & 0777) == 0600u);
  // No temporary file left next to it.
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 1);

  auto loaded = IssuerKey::loadPem(path);
  BOOST_TEST_REQUIRE(loaded.isOk(), loaded.status().toString());
  BOOST_TEST(loaded->publicKey() == key.publicKey());
  BOOST_TEST(loaded->publicKey().size() == kPublicKeySize);
  BOOST_TEST((loaded->keyId() == key.keyId()));
  BOOST_TEST((key.keyId() == issuerKeyIdOf(key.publicKey())));

  // The loaded key signs as the original: its signature verifies under the saved public key.
  const Bytes message = toBytes("same key");
  auto signature = loaded->sign(message);
  BOOST_TEST_REQUIRE(signature.isOk());
  BOOST_TEST(key.verificationKey().verify(message, *signature));
}

BOOST_AUTO_TEST_CASE(saving_over_an_existing_file_is_refused_and_leaves_it) {
  TempDir dir;
  const std::string path = dir.file("issuer.pem");
  writeText(path, "precious");
  const Status saved = freshKey().savePem(path);
  BOOST_TEST_REQUIRE(!saved.isOk());
  BOOST_TEST(saved.error().code == ErrorCode::kIo);
  BOOST_TEST(saved.error().message.find("already exists") != std::string::npos, saved.error().message);
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(content == "precious");

  // The same for a key file: the second key never replaces the first.
  const std::string keyPath = dir.file("second.pem");
  const IssuerKey first = freshKey();
  BOOST_TEST_REQUIRE(first.savePem(keyPath).isOk());
  BOOST_TEST(!freshKey().savePem(keyPath).isOk());
  auto loaded = IssuerKey::loadPem(keyPath);
  BOOST_TEST_REQUIRE(loaded.isOk());
  BOOST_TEST(loaded->publicKey() == first.publicKey());
}

BOOST_AUTO_TEST_CASE(public_pem_reads_back_as_the_same_point) {
  TempDir dir;
  const IssuerKey key = freshKey();
  const std::string path = dir.file("issuer.pub.pem");
  BOOST_TEST_REQUIRE(key.savePublicPem(path).isOk());
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), BIO_free);
  BOOST_TEST_REQUIRE(bio != nullptr);
  EVP_PKEY* pub = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  BOOST_TEST_REQUIRE(pub != nullptr);
  std::uint8_t point[kPublicKeySize];
  std::size_t length = 0;
  const int ok = EVP_PKEY_get_octet_string_param(pub, "encoded-pub-key", point, sizeof point, &length);
  EVP_PKEY_free(pub);
  BOOST_TEST_REQUIRE(ok == 1);
  BOOST_TEST(Bytes(point, point + length) == key.publicKey());
  // And it is not a private key file.
  BOOST_TEST(!IssuerKey::loadPem(path).isOk());
}

BOOST_AUTO_TEST_CASE(missing_file_is_an_io_error) {
  TempDir dir;
  auto loaded = IssuerKey::loadPem(dir.file("absent.pem"));
  BOOST_TEST_REQUIRE(!loaded.isOk());
  BOOST_TEST(loaded.error().code == ErrorCode::kIo);
  BOOST_TEST(loaded.error().message.find("absent.pem") != std::string::npos, loaded.error().message);
}

BOOST_AUTO_TEST_CASE(garbage_empty_and_truncated_files_are_malformed) {
  TempDir dir;
  const IssuerKey key = freshKey();
  const std::string good = dir.file("good.pem");
  BOOST_TEST_REQUIRE(key.savePem(good).isOk());
  std::ifstream in(good);
  const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const std::pair<const char*, std::string> cases[] = {
      {"garbage", "this is not a key\n\x01\x02\x03"},
      {"empty", ""},
      {"truncated", pem.substr(0, pem.size() / 2)},
      {"body damaged", pem.substr(0, 40) + "!!!!" + pem.substr(44)},
  };
  for (const auto& [name, text] : cases) {
    const std::string path = dir.file(std::string(name) + ".pem");
    writeText(path, text);
    auto loaded = IssuerKey::loadPem(path);
    BOOST_TEST(!loaded.isOk(), name);
    if (!loaded) BOOST_TEST(loaded.error().code == ErrorCode::kMalformed, name << ": " << loaded.error().message);
  }
  // A directory is not a key file.
  BOOST_TEST(!IssuerKey::loadPem(dir.path.string()).isOk());
}

BOOST_AUTO_TEST_CASE(keys_other_than_p256_are_refused) {
  TempDir dir;
  EVP_PKEY* p384 = EVP_EC_gen("secp384r1");
  EVP_PKEY* ed25519 = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BOOST_TEST_REQUIRE(p384 != nullptr);
  BOOST_TEST_REQUIRE(ed25519 != nullptr);
  writeForeignKey(dir.file("p384.pem"), p384);
  writeForeignKey(dir.file("ed25519.pem"), ed25519);
  EVP_PKEY_free(p384);
  EVP_PKEY_free(ed25519);
  for (const char* name : {"p384.pem", "ed25519.pem"}) {
    auto loaded = IssuerKey::loadPem(dir.file(name));
    BOOST_TEST_REQUIRE(!loaded.isOk(), name);
    BOOST_TEST(loaded.error().code == ErrorCode::kInvalidArgument, name);
    BOOST_TEST(loaded.error().message.find("P-256") != std::string::npos, loaded.error().message);
  }
}

BOOST_AUTO_TEST_CASE(an_encrypted_key_is_refused_without_prompting) {
  TempDir dir;
  EVP_PKEY* p256 = EVP_EC_gen("prime256v1");
  BOOST_TEST_REQUIRE(p256 != nullptr);
  writeForeignKey(dir.file("encrypted.pem"), p256, "secret");
  EVP_PKEY_free(p256);
  auto loaded = IssuerKey::loadPem(dir.file("encrypted.pem"));
  BOOST_TEST_REQUIRE(!loaded.isOk());
  BOOST_TEST(loaded.error().code == ErrorCode::kMalformed);
  BOOST_TEST(loaded.error().message.find("encrypted") != std::string::npos, loaded.error().message);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(certificates)

BOOST_AUTO_TEST_CASE(certify_makes_a_certificate_the_card_format_accepts) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const EcPrivateKey card = freshCardKey();
  auto cert = signer.certify(purseId(1), card.publicKey(), kEuro, kExpiry);
  BOOST_TEST_REQUIRE(cert.isOk(), cert.status().toString());

  const Bytes encoded = cert->encode();
  BOOST_TEST(encoded.size() == CardCertificate::kEncodedSize);
  auto decoded = CardCertificate::decode(encoded);
  BOOST_TEST_REQUIRE(decoded.isOk(), decoded.status().toString());
  BOOST_TEST((decoded->purseId == purseId(1)));
  BOOST_TEST(decoded->publicKey == card.publicKey());
  BOOST_TEST(decoded->currency == kEuro);
  BOOST_TEST(decoded->expiry == kExpiry);
  BOOST_TEST((decoded->issuerKeyId == issuerKeyIdOf(issuer.publicKey())));
  BOOST_TEST(decoded->verify(issuer.verificationKey()));
  BOOST_TEST(issuer.verificationKey().verify(decoded->body(), decoded->signature));

  const IssuerKey other = freshKey();
  BOOST_TEST(!decoded->verify(other.verificationKey()));
  // A certificate altered anywhere in its body no longer verifies.
  CardCertificate altered = *decoded;
  altered.expiry = kExpiry + 1;
  BOOST_TEST(!altered.verify(issuer.verificationKey()));
  altered = *decoded;
  altered.purseId = purseId(2);
  BOOST_TEST(!altered.verify(issuer.verificationKey()));

  // PUT CERTIFICATE carries exactly the encoded certificate.
  const CommandApdu put = IssuerSigner::putCertificate(*cert);
  BOOST_TEST(put.ins() == kInsPutCertificate);
  BOOST_TEST(put.data() == encoded);
}

BOOST_AUTO_TEST_CASE(a_card_key_that_is_not_a_point_is_not_certified) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  Bytes notOnCurve = freshCardKey().publicKey();
  notOnCurve.back() ^= 0x01;
  BOOST_TEST(!signer.certify(purseId(1), notOnCurve, kEuro, kExpiry).isOk());
  BOOST_TEST(!signer.certify(purseId(1), Bytes(10, 0x04), kEuro, kExpiry).isOk());
  Personalisation data;
  BOOST_TEST(!signer.personalise(notOnCurve, data).isOk());
}

BOOST_AUTO_TEST_SUITE_END()
