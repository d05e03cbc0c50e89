#define BOOST_TEST_MODULE issuer_signing_test
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/stat.h>

#include "apdu/card_channel.h"
#include "issuer/signing/issuer_key.h"
#include "issuer/signing/issuer_orders.h"
#include "protocol/purse_apdus.h"
#include "protocol/signed_payloads.h"
#include "host/card_statements.h"
#include "host/log_verifier.h"
#include "host/purse_client.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"

namespace {

using namespace epurse;
using namespace epurse::protocol;
using epurse::issuer::IssuerKey;
using epurse::issuer::IssuerSigner;
using epurse::testing::h;

constexpr Currency kEuro = 978;
constexpr Date kExpiry = 20301231;

Bytes bytesOf(const Digest& d) { return Bytes(d.begin(), d.end()); }

PurseId purseId(std::uint8_t n) { return PurseId{1, 2, 3, 4, 5, 6, 7, n}; }

IssuerKey freshKey() {
  auto key = IssuerKey::generate();
  BOOST_TEST_REQUIRE(key.isOk());
  return std::move(*key);
}

EcPrivateKey freshCardKey() {
  auto key = EcPrivateKey::generate();
  BOOST_TEST_REQUIRE(key.isOk());
  return std::move(*key);
}

Bytes flipBit(Bytes b, std::size_t bit) {
  b.at(bit / 8) ^= static_cast<std::uint8_t>(1u << (bit % 8));
  return b;
}

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

// The command's data is fields || signature; the signature verifies over `payload` and over
// nothing one bit away from it, and a signature one bit away verifies over nothing.
void checkSignedOrder(const CommandApdu& command, std::uint8_t cla, std::uint8_t ins, const Bytes& fields,
                      const Bytes& payload, const EcPublicKey& issuer) {
  BOOST_TEST(command.cla() == cla);
  BOOST_TEST(command.ins() == ins);
  BOOST_TEST_REQUIRE(command.data().size() == fields.size() + kSignatureSize);
  BOOST_TEST(Bytes(command.data().begin(), command.data().begin() + static_cast<std::ptrdiff_t>(fields.size())) ==
             fields);
  const Bytes signature(command.data().end() - kSignatureSize, command.data().end());
  BOOST_TEST(issuer.verify(payload, signature));
  for (std::size_t bit : {std::size_t{0}, payload.size() * 4 + 3, payload.size() * 8 - 1}) {
    BOOST_TEST(!issuer.verify(flipBit(payload, bit), signature), "payload bit " << bit);
  }
  for (std::size_t bit : {std::size_t{0}, std::size_t{300}, kSignatureSize * 8 - 1}) {
    BOOST_TEST(!issuer.verify(payload, flipBit(signature, bit)), "signature bit " << bit);
  }
}

// Records `first`..`last`, chained from `previous`, each a load of 100.
std::vector<LogRecord> chain(std::uint32_t first, std::uint32_t last, Digest previous = Digest{}) {
  std::vector<LogRecord> out;
  for (std::uint32_t n = first; n <= last; ++n) {
    LogRecord r;
    r.number = n;
    r.type = LogType::kLoad;
    r.details.toId = purseId(1);
    r.details.fromSeq = n;
    r.details.value = 100;
    r.details.currency = kEuro;
    r.balanceAfter = 100 * n;
    // The chain rule, written out here rather than taken from the code under test.
    r.chainHash = sha256(previous, r.hashedPart());
    previous = r.chainHash;
    out.push_back(r);
  }
  return out;
}

AuditHead headOf(const std::vector<LogRecord>& records) {
  AuditHead head;
  head.purseId = purseId(1);
  head.log = kSfiTransactionLog;
  head.appended = records.empty() ? 0 : records.back().number;
  head.headHash = records.empty() ? Digest{} : records.back().chainHash;
  head.held = static_cast<std::uint8_t>(records.size());
  return head;
}

ExceptionRecord exceptionRecord(std::uint32_t number, std::uint32_t value) {
  ExceptionRecord r;
  r.number = number;
  r.abortedIn = ProtocolStatus::kEpv;
  r.pd.fromId = purseId(1);
  r.pd.toId = purseId(2);
  r.pd.value = value;
  r.pd.currency = kEuro;
  return r;
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

BOOST_AUTO_TEST_SUITE(signed_orders)

BOOST_AUTO_TEST_CASE(put_issuer_key_carries_the_public_key) {
  const IssuerKey issuer = freshKey();
  const CommandApdu put = IssuerSigner(issuer).putIssuerKey();
  BOOST_TEST(put.cla() == kClaProprietary);
  BOOST_TEST(put.ins() == kInsPutIssuerKey);
  BOOST_TEST(put.data() == issuer.publicKey());
}

BOOST_AUTO_TEST_CASE(personalise_signs_card_key_and_data) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const Bytes cardKey = freshCardKey().publicKey();
  Personalisation data;
  data.purseId = purseId(3);
  data.currency = kEuro;
  data.maxBalance = 100000;
  data.perTransferMax = 50000;
  data.noPinLimit = 2000;
  data.pin = *makePinBlock("1234");
  data.date = 20261123;
  auto command = signer.personalise(cardKey, data);
  BOOST_TEST_REQUIRE(command.isOk());
  Bytes signedFields = cardKey;
  appendBytes(signedFields, data.encode());
  checkSignedOrder(*command, kClaProprietary, kInsPersonalise, data.encode(),
                   domainPayload(kDomainPersonalise, signedFields), issuer.verificationKey());
  // Bound to the card key: the same data for another card's key does not verify.
  Bytes otherFields = freshCardKey().publicKey();
  appendBytes(otherFields, data.encode());
  const Bytes signature(command->data().end() - kSignatureSize, command->data().end());
  BOOST_TEST(!issuer.verificationKey().verify(domainPayload(kDomainPersonalise, otherFields), signature));
}

BOOST_AUTO_TEST_CASE(load_and_unload_are_bound_to_domain_and_purse) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const ValueOrder order{7, 2500, kEuro, 20261123};
  auto load = signer.load(purseId(4), order);
  auto unload = signer.unload(purseId(4), order);
  BOOST_TEST_REQUIRE(load.isOk());
  BOOST_TEST_REQUIRE(unload.isOk());
  const Bytes fields = order.encode();
  checkSignedOrder(*load, kClaProprietary, kInsLoad, fields, issuerOrderPayload(kDomainLoad, purseId(4), fields),
                   issuer.verificationKey());
  checkSignedOrder(*unload, kClaProprietary, kInsUnload, fields,
                   issuerOrderPayload(kDomainUnload, purseId(4), fields), issuer.verificationKey());

  const Bytes loadSignature(load->data().end() - kSignatureSize, load->data().end());
  // Not an unload, not for another purse.
  BOOST_TEST(!issuer.verificationKey().verify(issuerOrderPayload(kDomainUnload, purseId(4), fields), loadSignature));
  BOOST_TEST(!issuer.verificationKey().verify(issuerOrderPayload(kDomainLoad, purseId(5), fields), loadSignature));
  // LOAD and UNLOAD answer a receipt, so they ask for data.
  BOOST_TEST(load->ne().has_value());
}

BOOST_AUTO_TEST_CASE(pin_unblock_life_cycle_and_exception_clear_are_signed_over_their_domains) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const EcPublicKey& key = issuer.verificationKey();

  const PinUnblockOrder unblock{3, *makePinBlock("987654")};
  auto unblockCommand = signer.unblockPin(purseId(6), unblock);
  BOOST_TEST_REQUIRE(unblockCommand.isOk());
  checkSignedOrder(*unblockCommand, kClaIso, kInsResetRetryCounter, unblock.encode(),
                   issuerOrderPayload(kDomainPinUnblock, purseId(6), unblock.encode()), key);
  BOOST_TEST(unblockCommand->p2() == kP2CardholderPin);

  const LifeCycleOrder life{4, LifeCycleChange::kBlock};
  auto lifeCommand = signer.setLifeCycle(purseId(6), life);
  BOOST_TEST_REQUIRE(lifeCommand.isOk());
  checkSignedOrder(*lifeCommand, kClaProprietary, kInsSetLifeCycle, life.encode(),
                   issuerOrderPayload(kDomainLifeCycle, purseId(6), life.encode()), key);

  ExceptionClearOrder clear;
  clear.numbers = {2, 3};
  clear.digest = sha256(toBytes("records"));
  auto clearCommand = signer.clearExceptionLog(purseId(6), clear);
  BOOST_TEST_REQUIRE(clearCommand.isOk());
  checkSignedOrder(*clearCommand, kClaProprietary, kInsClearExceptionLog, clear.encode(),
                   issuerOrderPayload(kDomainExceptionClear, purseId(6), clear.encode()), key);
}

BOOST_AUTO_TEST_CASE(revocation_list_is_signed_for_every_purse) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const RevocationList list{9, {purseId(7), purseId(8)}};
  auto command = signer.putRevocationList(list);
  BOOST_TEST_REQUIRE(command.isOk());
  checkSignedOrder(*command, kClaProprietary, kInsPutRevocationList, list.encode(),
                   domainPayload(kDomainRevocationList, list.encode()), issuer.verificationKey());
}

BOOST_AUTO_TEST_CASE(orders_signed_by_another_issuer_do_not_verify) {
  const IssuerKey issuer = freshKey();
  const IssuerKey impostor = freshKey();
  const ValueOrder order{0, 100, kEuro, 20261123};
  auto load = IssuerSigner(impostor).load(purseId(1), order);
  BOOST_TEST_REQUIRE(load.isOk());
  const Bytes signature(load->data().end() - kSignatureSize, load->data().end());
  BOOST_TEST(!issuer.verificationKey().verify(issuerOrderPayload(kDomainLoad, purseId(1), order.encode()), signature));
}

BOOST_AUTO_TEST_CASE(exception_digest_is_sha256_over_the_records_in_order) {
  const Bytes a(ExceptionRecord::kSize, 0xA1);
  const Bytes b(ExceptionRecord::kSize, 0xB2);
  Bytes ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  Bytes ba = b;
  ba.insert(ba.end(), a.begin(), a.end());
  BOOST_TEST(bytesOf(exceptionRecordsDigest({a, b})) == bytesOf(sha256(ab)));
  BOOST_TEST(bytesOf(exceptionRecordsDigest({b, a})) == bytesOf(sha256(ba)));
  BOOST_TEST(bytesOf(exceptionRecordsDigest(std::vector<Bytes>{})) == bytesOf(sha256(Bytes{})));
  // Independent of the library's hash: the SHA-256 of no bytes.
  BOOST_TEST(bytesOf(exceptionRecordsDigest(std::vector<Bytes>{})) ==
             h("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(card_statements)

struct CertifiedCard {
  CertifiedCard() : issuer(freshKey()), card(freshCardKey()) {
    auto c = IssuerSigner(issuer).certify(purseId(1), card.publicKey(), kEuro, kExpiry);
    BOOST_TEST_REQUIRE(c.isOk());
    cert = *c;
  }
  Bytes signedBy(const EcPrivateKey& key, std::string_view domain, const Bytes& fields) const {
    auto signature = key.sign(domainPayload(domain, fields));
    BOOST_TEST_REQUIRE(signature.isOk());
    Bytes out = fields;
    appendBytes(out, *signature);
    return out;
  }
  IssuerKey issuer;
  EcPrivateKey card;
  CardCertificate cert;
};

BOOST_FIXTURE_TEST_CASE(a_receipt_verifies_only_as_what_the_card_signed, CertifiedCard) {
  const ValueReceipt receipt{purseId(1), 7, 2500, kEuro, 12500, 42};
  const Bytes response = signedBy(card, kDomainLoadReceipt, receipt.encode());

  auto verified = host::verifyReceipt(response, host::ReceiptKind::kLoad, cert, issuer.verificationKey());
  BOOST_TEST_REQUIRE(verified.isOk(), verified.status().toString());
  BOOST_TEST(verified->encode() == receipt.encode());

  // Not as an unload receipt; not with a bit flipped; not under another issuer.
  BOOST_TEST(!host::verifyReceipt(response, host::ReceiptKind::kUnload, cert, issuer.verificationKey()));
  BOOST_TEST(!host::verifyReceipt(flipBit(response, 12 * 8), host::ReceiptKind::kLoad, cert,
                                      issuer.verificationKey()));
  BOOST_TEST(!host::verifyReceipt(flipBit(response, response.size() * 8 - 1), host::ReceiptKind::kLoad,
                                      cert, issuer.verificationKey()));
  BOOST_TEST(!host::verifyReceipt(response, host::ReceiptKind::kLoad, cert, freshKey().verificationKey()));
  // Wrong length.
  const Bytes shortResponse(response.begin(), response.end() - 1);
  auto truncated = host::verifyReceipt(shortResponse, host::ReceiptKind::kLoad, cert, issuer.verificationKey());
  BOOST_TEST_REQUIRE(!truncated.isOk());
  BOOST_TEST(truncated.error().code == ErrorCode::kMalformed);
}

BOOST_FIXTURE_TEST_CASE(a_receipt_for_another_purse_is_refused_even_if_well_signed, CertifiedCard) {
  const ValueReceipt receipt{purseId(2), 7, 2500, kEuro, 12500, 42};
  const Bytes response = signedBy(card, kDomainUnloadReceipt, receipt.encode());
  auto verified = host::verifyReceipt(response, host::ReceiptKind::kUnload, cert, issuer.verificationKey());
  BOOST_TEST_REQUIRE(!verified.isOk());
  BOOST_TEST(verified.error().code == ErrorCode::kProtocol);
  BOOST_TEST(verified.error().message.find("0102030405060702") != std::string::npos, verified.error().message);
}

BOOST_FIXTURE_TEST_CASE(an_audit_head_verifies_for_its_challenge_and_log_only, CertifiedCard) {
  AuditHead head;
  head.purseId = purseId(1);
  head.log = kSfiTransactionLog;
  head.appended = 5;
  head.headHash = sha256(toBytes("head"));
  head.balance = 300;
  head.nextSeq = 9;
  head.held = 5;
  const Bytes challenge = h("0011223344556677");
  auto signature = card.sign(auditPayload(challenge, head));
  BOOST_TEST_REQUIRE(signature.isOk());
  Bytes response = head.encode();
  appendBytes(response, *signature);

  auto verified =
      host::verifyAuditResponse(response, kSfiTransactionLog, challenge, cert, issuer.verificationKey());
  BOOST_TEST_REQUIRE(verified.isOk(), verified.status().toString());
  BOOST_TEST(verified->encode() == head.encode());
  BOOST_TEST(!host::verifyAuditResponse(response, kSfiTransactionLog, h("0011223344556678"), cert,
                                            issuer.verificationKey()));
  BOOST_TEST(!host::verifyAuditResponse(response, kSfiExceptionLog, challenge, cert, issuer.verificationKey()));
  BOOST_TEST(!host::verifyAuditResponse(flipBit(response, 20 * 8), kSfiTransactionLog, challenge, cert,
                                            issuer.verificationKey()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(log_verifier)

BOOST_AUTO_TEST_CASE(a_correct_chain_from_record_one_is_accepted) {
  const auto records = chain(1, 6);
  BOOST_TEST(host::verifyTransactionLog(records).isOk());
  BOOST_TEST(host::verifyTransactionLog({}).isOk());
  BOOST_TEST(host::verifyTransactionHead(records, headOf(records)).isOk());
  BOOST_TEST(host::verifyTransactionHead({}, headOf({})).isOk());
}

BOOST_AUTO_TEST_CASE(a_cyclic_tail_is_accepted_without_its_predecessor) {
  const auto all = chain(1, 30);
  const std::vector<LogRecord> tail(all.begin() + 20, all.end());  // 21..30
  BOOST_TEST(host::verifyTransactionLog(tail).isOk());
  BOOST_TEST(host::verifyTransactionHead(tail, headOf(tail)).isOk());
}

BOOST_AUTO_TEST_CASE(a_missing_record_is_detected) {
  auto records = chain(1, 6);
  records.erase(records.begin() + 3);
  const Status s = host::verifyTransactionLog(records);
  BOOST_TEST_REQUIRE(!s.isOk());
  BOOST_TEST(s.error().code == ErrorCode::kCorrupt);

  // The oldest or newest record missing keeps the rest consistent; the signed head says so.
  const auto all = chain(1, 6);
  const std::vector<LogRecord> withoutNewest(all.begin(), all.end() - 1);
  const std::vector<LogRecord> withoutOldest(all.begin() + 1, all.end());
  BOOST_TEST(host::verifyTransactionLog(withoutNewest).isOk());
  BOOST_TEST(!host::verifyTransactionHead(withoutNewest, headOf(all)).isOk());
  BOOST_TEST(!host::verifyTransactionHead(withoutOldest, headOf(all)).isOk());
}

BOOST_AUTO_TEST_CASE(reordered_records_are_detected) {
  auto records = chain(1, 6);
  std::swap(records[2], records[3]);
  BOOST_TEST(!host::verifyTransactionLog(records).isOk());
}

BOOST_AUTO_TEST_CASE(an_altered_record_is_detected) {
  auto balance = chain(1, 6);
  balance[2].balanceAfter += 1;  // in the middle: the next link breaks
  BOOST_TEST(!host::verifyTransactionLog(balance).isOk());

  // The newest altered: no later link, but the signed head no longer matches it.
  auto newest = chain(1, 6);
  const AuditHead head = headOf(newest);
  newest.back().details.value = 1000000;
  newest.back().chainHash = sha256(newest[4].chainHash, newest.back().hashedPart());  // even re-chained
  BOOST_TEST(host::verifyTransactionLog(newest).isOk());
  BOOST_TEST(!host::verifyTransactionHead(newest, head).isOk());

  // Record 1 must chain from the zero hash.
  const auto rebased = chain(1, 3, sha256(toBytes("not zero")));
  BOOST_TEST(!host::verifyTransactionLog(rebased).isOk());
  // A renumbered record breaks the sequence.
  auto renumbered = chain(1, 6);
  renumbered[5].number = 7;
  BOOST_TEST(!host::verifyTransactionLog(renumbered).isOk());
}

BOOST_AUTO_TEST_CASE(a_head_of_the_wrong_log_is_refused) {
  const auto records = chain(1, 3);
  AuditHead head = headOf(records);
  head.log = kSfiExceptionLog;
  BOOST_TEST(!host::verifyTransactionHead(records, head).isOk());
}

BOOST_AUTO_TEST_CASE(the_exception_head_is_the_digest_of_the_held_records) {
  const std::vector<ExceptionRecord> records = {exceptionRecord(1, 10), exceptionRecord(2, 20),
                                                exceptionRecord(4, 40)};
  Bytes concatenated;
  for (const auto& r : records) appendBytes(concatenated, r.encode());
  BOOST_TEST(concatenated.size() == 3 * ExceptionRecord::kSize);
  AuditHead head;
  head.purseId = purseId(1);
  head.log = kSfiExceptionLog;
  head.appended = 4;
  head.headHash = sha256(concatenated);
  head.held = 3;
  BOOST_TEST(host::verifyExceptionHead(records, head).isOk());

  auto altered = records;
  altered[1].pd.value = 21;
  BOOST_TEST(!host::verifyExceptionHead(altered, head).isOk());
  auto reordered = records;
  std::swap(reordered[0], reordered[1]);
  BOOST_TEST(!host::verifyExceptionHead(reordered, head).isOk());
  const std::vector<ExceptionRecord> missing = {records[0], records[2]};
  BOOST_TEST(!host::verifyExceptionHead(missing, head).isOk());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(purse_client_over_a_scripted_card)

namespace {

// A card that answers from a script and remembers what it was sent.
class ScriptedChannel : public CardChannel {
 public:
  Result<Bytes> transmitRaw(ByteView command) override {
    sent.emplace_back(command.begin(), command.end());
    if (replies.empty()) return makeError(ErrorCode::kCardRemoved, "the script has no more answers");
    Bytes reply = std::move(replies.front());
    replies.pop_front();
    return reply;
  }
  void answer(const Bytes& data, sw::StatusWord status = sw::kSuccess) {
    replies.push_back(ResponseApdu(data, status).serialize());
  }
  void refuse(sw::StatusWord status) { replies.push_back(ResponseApdu(status).serialize()); }

  std::vector<Bytes> sent;
  std::deque<Bytes> replies;
};

PurseStatus statusOf(const PurseId& id, std::uint32_t nextSeq) {
  PurseStatus s;
  s.lifeCycle = LifeCycle::kPersonalised;
  s.purseId = id;
  s.currency = kEuro;
  s.nextSeq = nextSeq;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(logs_are_read_until_record_not_found_and_returned_oldest_first) {
  const auto records = chain(1, 3);
  ScriptedChannel card;
  for (auto it = records.rbegin(); it != records.rend(); ++it) card.answer(it->encode());  // newest first
  card.refuse(sw::kRecordNotFound);
  host::PurseClient client(card);
  auto read = client.readTransactionLog();
  BOOST_TEST_REQUIRE(read.isOk(), read.status().toString());
  BOOST_TEST_REQUIRE(read->size() == 3u);
  BOOST_TEST((*read)[0].number == 1u);
  BOOST_TEST((*read)[2].number == 3u);
  BOOST_TEST(host::verifyTransactionLog(*read).isOk());
  BOOST_TEST_REQUIRE(card.sent.size() == 4u);
  BOOST_TEST(card.sent[0] == apdus::readRecord(kSfiTransactionLog, 1).serialize());
  BOOST_TEST(card.sent[3] == apdus::readRecord(kSfiTransactionLog, 4).serialize());
}

BOOST_AUTO_TEST_CASE(a_refusal_carries_its_status_word_and_names_it) {
  ScriptedChannel card;
  card.refuse(purse_sw::kMaxBalanceExceeded);
  host::PurseClient client(card);
  auto receipt = client.load(apdus::load(ValueOrder{}, Bytes(kSignatureSize, 0)));
  BOOST_TEST_REQUIRE(!receipt.isOk());
  BOOST_TEST(receipt.refusal().value_or(sw::kSuccess) == purse_sw::kMaxBalanceExceeded);
  BOOST_TEST(receipt.refusedWith(purse_sw::kMaxBalanceExceeded));
  BOOST_TEST(receipt.error().message == "LOAD refused: 9402 maximum balance exceeded");

  // A card that is gone is a failure without a status word.
  auto gone = client.status();
  BOOST_TEST_REQUIRE(!gone.isOk());
  BOOST_TEST(!gone.refusal().has_value());
  BOOST_TEST(gone.error().code == ErrorCode::kCardRemoved);
}

BOOST_AUTO_TEST_CASE(verify_answers_are_pin_results_not_failures) {
  ScriptedChannel card;
  card.refuse(sw::verifyFailed(2));
  card.refuse(sw::kAuthenticationMethodBlocked);
  card.answer({});
  card.refuse(sw::kWrongData);
  host::PurseClient client(card);
  const PinBlock pin = *makePinBlock("1234");
  auto wrong = client.verifyPin(pin);
  BOOST_TEST_REQUIRE(wrong.isOk());
  BOOST_TEST((wrong->outcome == host::PinResult::Outcome::kWrong));
  BOOST_TEST(wrong->triesLeft == 2);
  auto blocked = client.verifyPin(pin);
  BOOST_TEST_REQUIRE(blocked.isOk());
  BOOST_TEST((blocked->outcome == host::PinResult::Outcome::kBlocked));
  auto ok = client.verifyPin(pin);
  BOOST_TEST_REQUIRE(ok.isOk());
  BOOST_TEST(ok->verified());
  auto refused = client.verifyPin(pin);
  BOOST_TEST(refused.refusal().value_or(sw::kSuccess) == sw::kWrongData);
}

BOOST_AUTO_TEST_CASE(a_transfer_stops_at_the_refused_step_and_names_it) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  const EcPrivateKey payerKey = freshCardKey();
  const EcPrivateKey payeeKey = freshCardKey();
  auto payerCert = signer.certify(purseId(1), payerKey.publicKey(), kEuro, kExpiry);
  auto payeeCert = signer.certify(purseId(2), payeeKey.publicKey(), kEuro, kExpiry);
  BOOST_TEST_REQUIRE(payerCert.isOk());
  BOOST_TEST_REQUIRE(payeeCert.isOk());
  const PurchaseReference reference = {0xAB};  // AB, then zeros

  PaymentDetails pd;
  pd.fromId = purseId(1);
  pd.fromSeq = 11;
  pd.toId = purseId(2);
  pd.toSeq = 22;
  pd.value = 500;
  pd.currency = kEuro;
  pd.reference = reference;
  SignedTransferMessage req{pd, *payeeKey.sign(transferPayload(TransferMessage::kReq, pd))};

  ScriptedChannel payerCard, payeeCard;
  payerCard.answer(statusOf(purseId(1), 11).encode());
  payeeCard.answer(statusOf(purseId(2), 22).encode());
  payerCard.answer(payerCert->encode());
  payeeCard.answer(payeeCert->encode());
  payerCard.answer(pd.encode());                         // START FROM
  payeeCard.answer(req.encode());                        // START TO
  payerCard.refuse(sw::kSecurityStatusNotSatisfied);    // REQ
  host::PurseClient payer(payerCard), payee(payeeCard);

  auto result = terminal::runTransfer(payer, payee, 500, reference);
  BOOST_TEST_REQUIRE(!result.isOk());
  BOOST_TEST((result.failure().step == terminal::TransferStep::kReq));
  BOOST_TEST(result.refusal().value_or(sw::kSuccess) == sw::kSecurityStatusNotSatisfied);
  BOOST_TEST(result.error().message.find("REQ") != std::string::npos, result.error().message);
  BOOST_TEST(result.error().message.find("payer") != std::string::npos, result.error().message);
  // The terminal relayed the payee's REQ byte for byte and then stopped: nothing was retried.
  BOOST_TEST(payerCard.sent.back() == apdus::req(req).serialize());
  BOOST_TEST(payerCard.replies.empty());
  BOOST_TEST(payerCard.sent.size() == 4u);
  BOOST_TEST(payeeCard.sent.size() == 3u);
  // START FROM named the payee's certificate, value, sequence number and reference.
  const StartOrder sentToPayer{payeeCert->encode(), 500, 22, reference};
  BOOST_TEST(payerCard.sent[2] == apdus::startFrom(sentToPayer).serialize());
}

BOOST_AUTO_TEST_CASE(a_payer_pd_that_is_not_the_transfer_asked_for_stops_the_transfer) {
  const IssuerKey issuer = freshKey();
  const IssuerSigner signer(issuer);
  auto payerCert = signer.certify(purseId(1), freshCardKey().publicKey(), kEuro, kExpiry);
  auto payeeCert = signer.certify(purseId(2), freshCardKey().publicKey(), kEuro, kExpiry);
  BOOST_TEST_REQUIRE(payerCert.isOk());
  BOOST_TEST_REQUIRE(payeeCert.isOk());
  PaymentDetails pd;
  pd.fromId = purseId(1);
  pd.fromSeq = 11;
  pd.toId = purseId(2);
  pd.toSeq = 22;
  pd.value = 5000;  // ten times what was asked for
  pd.currency = kEuro;

  ScriptedChannel payerCard, payeeCard;
  payerCard.answer(statusOf(purseId(1), 11).encode());
  payeeCard.answer(statusOf(purseId(2), 22).encode());
  payerCard.answer(payerCert->encode());
  payeeCard.answer(payeeCert->encode());
  payerCard.answer(pd.encode());
  host::PurseClient payer(payerCard), payee(payeeCard);

  auto result = terminal::runTransfer(payer, payee, 500, PurchaseReference{});
  BOOST_TEST_REQUIRE(!result.isOk());
  BOOST_TEST((result.failure().step == terminal::TransferStep::kStartFrom));
  BOOST_TEST(!result.refusal().has_value());
  BOOST_TEST(result.error().message.find("value") != std::string::npos, result.error().message);
  BOOST_TEST(payeeCard.sent.size() == 2u);  // START TO never sent
}

BOOST_AUTO_TEST_SUITE_END()
