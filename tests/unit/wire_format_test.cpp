// Golden vectors of the purse's records and transfer formats: pd, the card certificate and
// its public key, keys and signatures, the transfer messages, the status record and the two
// logs' records. Layouts: docs/apdu.md, "Data structures". The issuer orders are in
// wire_format_orders_test, the command APDUs in wire_format_apdus_test.
#define BOOST_TEST_MODULE wire_format_test
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "protocol/card_certificate.h"
#include "protocol/ec_key.h"
#include "protocol/log_record.h"
#include "protocol/payment_details.h"
#include "protocol/purse_status.h"
#include "protocol/signed_payloads.h"
#include "protocol/transfer_messages.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"
#include "tests/support/wire_vectors.h"

using namespace epurse;
using namespace epurse::protocol;
using namespace epurse::testing;
using namespace epurse::testing::wire;

BOOST_AUTO_TEST_SUITE(payment_details)

BOOST_AUTO_TEST_CASE(encodes_to_the_golden_vector_and_back) {
  BOOST_TEST(kPd.size() == PaymentDetails::kSize);
  expectGolden(pdValue(), kPd);
}

BOOST_AUTO_TEST_CASE(refuses_any_other_length) { expectExactLength(&PaymentDetails::decode, kPd); }

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(card_certificate)

BOOST_AUTO_TEST_CASE(encodes_to_the_golden_vector_and_back) {
  BOOST_TEST(kCertificate.size() == CardCertificate::kEncodedSize);
  expectGolden(certificateValue(), kCertificate);
}

BOOST_AUTO_TEST_CASE(the_signed_body_is_bytes_4_to_109) {
  const Bytes body = certificateValue().body();
  BOOST_TEST(hx(body) == hx(kCertificateBody));
  BOOST_TEST(body.size() == 106u);
  BOOST_TEST(hx(body) == hx(Bytes(kCertificate.begin() + 4, kCertificate.begin() + 110)));
}

BOOST_AUTO_TEST_CASE(refuses_any_other_length) { expectExactLength(&CardCertificate::decode, kCertificate); }

BOOST_AUTO_TEST_CASE(refuses_a_wrong_tag_or_length_inside) {
  // Each changes one byte of the structure and keeps the total length at 177.
  const std::vector<std::pair<std::size_t, std::uint8_t>> changes = {
      {0, 0x7E},    // CV certificate tag 7F21
      {3, 0xAC},    // its length
      {5, 0x4F},    // body tag 7F4E
      {6, 0x66},    // body length
      {8, 0x21},    // holder reference tag 5F20
      {9, 0x07},    // holder reference length
      {19, 0x48},   // public key template tag 7F49
      {20, 0x42},   // its length
      {21, 0x87},   // EC point tag 86
      {22, 0x40},   // EC point length
      {89, 0x2B},   // currency tag 5F2A
      {90, 0x03},   // currency length
      {94, 0x25},   // expiry tag 5F24
      {95, 0x05},   // expiry length
      {100, 0x43},  // issuer key ID tag 42
      {101, 0x07},  // issuer key ID length
      {111, 0x38},  // signature tag 5F37
      {112, 0x3F},  // signature length
  };
  for (const auto& [offset, value] : changes) {
    const ExactBuffer bad(withByte(kCertificate, offset, value));
    expectMalformed(CardCertificate::decode(bad.view()), "byte " + std::to_string(offset));
  }
}

BOOST_AUTO_TEST_CASE(the_issuer_key_id_is_the_first_8_bytes_of_sha256_over_the_key) {
  // SHA-256(04 || G) starts 698BEA63DC44A344 (computed outside the code under test).
  BOOST_TEST(hx(issuerKeyIdOf(h(kPointHex))) == "698BEA63DC44A344");
}

BOOST_AUTO_TEST_CASE(the_public_key_template_is_7F49_86_point) {
  const Bytes expected = golden({"7F4943", "8641", kPointHex});
  BOOST_TEST(expected.size() == 70u);
  BOOST_TEST(hx(encodePublicKeyTemplate(h(kPointHex))) == hx(expected));
  auto decoded = decodePublicKeyTemplate(ExactBuffer(expected).view());
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  BOOST_TEST(hx(*decoded) == hx(h(kPointHex)));
  expectExactLength(&decodePublicKeyTemplate, expected);
  expectMalformed(decodePublicKeyTemplate(withByte(expected, 1, 0x48)), "outer tag");
  expectMalformed(decodePublicKeyTemplate(withByte(expected, 3, 0x87)), "inner tag");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ec_key)

// A key pair made with the openssl command line, and its signature over "epurse golden":
// DER r = 0F35...16E2 (32 bytes), s = 00FFAB...C325 (33 bytes, the leading 00 a DER sign byte).
constexpr std::string_view kOpensslPointHex =
    "04"
    "358E49E53CD2E85A018FDDB4C4C8FE4B31D7EABCA730AAE885C2101E5AA0E837"
    "55E75537D2AFD9C1793E2BCA548299E6095FC44C9BA83D81E6EB8BE8CED4F0D0";
constexpr std::string_view kOpensslRHex = "0F35DAA4BE2D5E249E42373FF8E6D22F5F889D93B4B71628553942EC4D4116E2";
constexpr std::string_view kOpensslSHex = "FFAB26D3DDC50678F6E2639522C4269157265472BBED14A423260FAC3F28C325";
const Bytes kMessage = toBytes("epurse golden");

BOOST_AUTO_TEST_CASE(a_public_key_is_the_65_byte_uncompressed_point) {
  auto key = EcPublicKey::fromUncompressed(h(kOpensslPointHex));
  BOOST_TEST_REQUIRE(key.isOk(), why(key));
  BOOST_TEST(hx(key->encoded()) == hx(h(kOpensslPointHex)));
  expectExactLength(&EcPublicKey::fromUncompressed, h(kOpensslPointHex));
  expectMalformed(EcPublicKey::fromUncompressed(withByte(h(kOpensslPointHex), 0, 0x02)), "compressed tag");
  expectMalformed(EcPublicKey::fromUncompressed(withByte(h(kOpensslPointHex), 64, 0xD1)), "not on the curve");
}

BOOST_AUTO_TEST_CASE(a_signature_is_r_then_s_32_bytes_each) {
  auto key = EcPublicKey::fromUncompressed(h(kOpensslPointHex));
  BOOST_TEST_REQUIRE(key.isOk(), why(key));
  BOOST_TEST(key->verify(kMessage, golden({kOpensslRHex, kOpensslSHex})));
  BOOST_TEST(!key->verify(kMessage, golden({kOpensslSHex, kOpensslRHex})));
  BOOST_TEST(!key->verify(kMessage, golden({"00", kOpensslRHex, kOpensslSHex})));
  BOOST_TEST(!key->verify(kMessage, golden({kOpensslRHex, kOpensslSHex, "00"})));
  BOOST_TEST(!key->verify(kMessage, golden({"3045", "0220", kOpensslRHex, "022100", kOpensslSHex})), "DER form");
}

BOOST_AUTO_TEST_CASE(a_private_key_is_its_32_byte_scalar) {
  // Scalar 1: its public point is the base point G.
  const Bytes one = h("0000000000000000000000000000000000000000000000000000000000000001");
  auto key = EcPrivateKey::fromScalar(one, h(kPointHex));
  BOOST_TEST_REQUIRE(key.isOk(), why(key));
  BOOST_TEST(hx(key->scalar()) == hx(one));
  BOOST_TEST(hx(key->publicKey()) == hx(h(kPointHex)));
  auto signature = key->sign(kMessage);
  BOOST_TEST_REQUIRE(signature.isOk(), why(signature));
  BOOST_TEST(signature->size() == kSignatureSize);
  auto publicKey = EcPublicKey::fromUncompressed(h(kPointHex));
  BOOST_TEST_REQUIRE(publicKey.isOk(), why(publicKey));
  BOOST_TEST(publicKey->verify(kMessage, *signature));
  expectMalformed(EcPrivateKey::fromScalar(Bytes(one.begin() + 1, one.end()), h(kPointHex)), "31-byte scalar");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transfer_messages)

// START FROM / START TO: 0 certificate (177) | 177 value | 181 counterparty nextSeq | 185 reference.
const Bytes kStartOrder = cat({kCertificate, h("91929394"), h("0A0B0C0D"), h(kReferenceHex)});

StartOrder startOrderValue() {
  StartOrder o;
  o.counterpartyCertificate = kCertificate;
  o.value = 0x91929394;
  o.counterpartySeq = 0x0A0B0C0D;
  o.reference = arrayOf<32>(kReferenceHex);
  return o;
}

BOOST_AUTO_TEST_CASE(a_start_order_encodes_to_the_golden_vector_and_back) {
  BOOST_TEST(kStartOrder.size() == 217u);
  BOOST_TEST(StartOrder::kSize == 217u);
  expectGolden(startOrderValue(), kStartOrder);
  expectExactLength(&StartOrder::decode, kStartOrder);
}

BOOST_AUTO_TEST_CASE(a_signed_message_is_pd_then_signature) {
  const Bytes expected = cat({kPd, h(kSignatureHex)});
  BOOST_TEST(expected.size() == 126u);
  expectGolden(SignedTransferMessage{pdValue(), h(kSignatureHex)}, expected);
  expectExactLength(&SignedTransferMessage::decode, expected);
}

BOOST_AUTO_TEST_CASE(each_message_signs_its_ascii_name_then_pd) {
  BOOST_TEST(hx(transferPayload(TransferMessage::kReq, pdValue())) == hx(cat({h("524551"), kPd})));
  BOOST_TEST(hx(transferPayload(TransferMessage::kVal, pdValue())) == hx(cat({h("56414C"), kPd})));
  BOOST_TEST(hx(transferPayload(TransferMessage::kAck, pdValue())) == hx(cat({h("41434B"), kPd})));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(purse_status)

const Bytes kStatus = golden({
    "01",                // 0 format version
    "02",                // 1 life cycle: blocked
    "0D",                // 2 personalisation flags
    "03",                // 3 protocol status: epa
    "07",                // 4 PIN tries left (a byte on the wire; the card keeps 0-3)
    "01",                // 5 PIN verified
    kPurseIdHex,         // 6 purse ID
    "6162",              // 14 currency
    "11121314",          // 16 balance
    "21222324",          // 20 max balance
    "31323334",          // 24 per-transfer max
    "41424344",          // 28 no-PIN limit
    "51525354",          // 32 nextSeq
    "61626364",          // 36 load counter
    "71727374",          // 40 admin counter
    "81828384",          // 44 card date
    "91929394",          // 48 log records ever appended
    "20",                // 52 log capacity
    "06",                // 53 exception records held
    "08",                // 54 exception capacity
    "A1A2A3A4",          // 55 revocation list version
    kIssuerKeyIdHex,     // 59 issuer key ID
    "B1B2B3B4",          // 67 certificate expiry
});

PurseStatus statusValue() {
  PurseStatus s;
  s.lifeCycle = LifeCycle::kBlocked;
  s.personalisation = 0x0D;
  s.protocol = ProtocolStatus::kEpa;
  s.pinTriesLeft = 0x07;
  s.pinVerified = true;
  s.purseId = arrayOf<8>(kPurseIdHex);
  s.currency = 0x6162;
  s.balance = 0x11121314;
  s.maxBalance = 0x21222324;
  s.perTransferMax = 0x31323334;
  s.noPinLimit = 0x41424344;
  s.nextSeq = 0x51525354;
  s.loadCounter = 0x61626364;
  s.adminCounter = 0x71727374;
  s.date = 0x81828384;
  s.logAppended = 0x91929394;
  s.logCapacity = 0x20;
  s.exceptionsHeld = 0x06;
  s.exceptionCapacity = 0x08;
  s.revocationVersion = 0xA1A2A3A4;
  s.issuerKeyId = arrayOf<8>(kIssuerKeyIdHex);
  s.certificateExpiry = 0xB1B2B3B4;
  return s;
}

BOOST_AUTO_TEST_CASE(encodes_to_the_golden_vector_and_back) {
  BOOST_TEST(kStatus.size() == PurseStatus::kSize);
  expectGolden(statusValue(), kStatus);
}

BOOST_AUTO_TEST_CASE(refuses_any_other_length) { expectExactLength(&PurseStatus::decode, kStatus); }

BOOST_AUTO_TEST_CASE(refuses_values_out_of_range) {
  expectMalformed(PurseStatus::decode(withByte(kStatus, 0, 0x00)), "format version 0");
  expectMalformed(PurseStatus::decode(withByte(kStatus, 0, 0x02)), "format version 2");
  expectMalformed(PurseStatus::decode(withByte(kStatus, 1, 0x04)), "life cycle 4");
  expectMalformed(PurseStatus::decode(withByte(kStatus, 3, 0x04)), "protocol status 4");
  expectMalformed(PurseStatus::decode(withByte(kStatus, 5, 0x02)), "PIN verified 2");
  // The largest values in range decode.
  BOOST_TEST(PurseStatus::decode(withByte(kStatus, 1, 0x03)).isOk());
  BOOST_TEST(PurseStatus::decode(withByte(kStatus, 5, 0x00)).isOk());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(log_records)

// 0 number | 4 type | 5 pd | 67 balance after  (the hashed part, 71 bytes) | 71 chain hash.
const Bytes kHashedPart = cat({h("01020304"), h("05"), kPd, h("61626364")});
const Bytes kLogRecord = cat({kHashedPart, h(kDigestHex)});

LogRecord logRecordValue() {
  LogRecord r;
  r.number = 0x01020304;
  r.type = LogType::kTransferAcked;
  r.details = pdValue();
  r.balanceAfter = 0x61626364;
  r.chainHash = arrayOf<32>(kDigestHex);
  return r;
}

BOOST_AUTO_TEST_CASE(a_log_record_encodes_to_the_golden_vector_and_back) {
  BOOST_TEST(kLogRecord.size() == LogRecord::kSize);
  expectGolden(logRecordValue(), kLogRecord);
  expectExactLength(&LogRecord::decode, kLogRecord);
}

BOOST_AUTO_TEST_CASE(the_chain_hash_covers_the_previous_hash_and_bytes_0_to_70) {
  BOOST_TEST(kHashedPart.size() == LogRecord::kHashedSize);
  BOOST_TEST(hx(logRecordValue().hashedPart()) == hx(kHashedPart));
  // SHA-256 computed outside the code under test.
  BOOST_TEST(hx(logRecordValue().expectedChainHash(Digest{})) ==
             "FAFF19B6A607E5BC1AF18F79112F8AD3AF822FC88F420421ACB9F7CCA36B8A41");
  const Digest previous = arrayOf<32>("101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F");
  BOOST_TEST(hx(logRecordValue().expectedChainHash(previous)) ==
             "1E832694ED2559A9DE3B036B83C18DFFA31718CD0DADC6ABCEC0919FE183D041");
}

BOOST_AUTO_TEST_CASE(a_log_record_of_unknown_type_is_refused) {
  expectMalformed(LogRecord::decode(withByte(kLogRecord, 4, 0x00)), "type 0");
  expectMalformed(LogRecord::decode(withByte(kLogRecord, 4, 0x06)), "type 6");
  BOOST_TEST(LogRecord::decode(withByte(kLogRecord, 4, 0x01)).isOk());
}

// 0 number | 4 protocol status aborted in | 5 pd.
const Bytes kExceptionRecord = cat({h("0A0B0C0D"), h("03"), kPd});

BOOST_AUTO_TEST_CASE(an_exception_record_encodes_to_the_golden_vector_and_back) {
  BOOST_TEST(kExceptionRecord.size() == ExceptionRecord::kSize);
  expectGolden(ExceptionRecord{0x0A0B0C0D, ProtocolStatus::kEpa, pdValue()}, kExceptionRecord);
  expectExactLength(&ExceptionRecord::decode, kExceptionRecord);
}

BOOST_AUTO_TEST_CASE(an_exception_record_aborted_outside_epv_or_epa_is_refused) {
  expectMalformed(ExceptionRecord::decode(withByte(kExceptionRecord, 4, 0x00)), "idle");
  expectMalformed(ExceptionRecord::decode(withByte(kExceptionRecord, 4, 0x01)), "epr");
  expectMalformed(ExceptionRecord::decode(withByte(kExceptionRecord, 4, 0x04)), "4");
  BOOST_TEST(ExceptionRecord::decode(withByte(kExceptionRecord, 4, 0x02)).isOk());
}

BOOST_AUTO_TEST_CASE(the_exception_digest_is_sha256_over_the_records_concatenated) {
  const Bytes second = cat({h("0A0B0C0E"), h("02"), kPd});
  const std::string expected = "16A40159FF9ECF89B555E15CB0E0E25330715A39962C8286E6D648572F9CF7BA";
  BOOST_TEST(hx(exceptionRecordsDigest(cat({kExceptionRecord, second}))) == expected);
  BOOST_TEST(hx(exceptionRecordsDigest(std::vector<Bytes>{kExceptionRecord, second})) == expected);
  BOOST_TEST(hx(exceptionRecordsDigest(std::vector<Bytes>{})) ==
             "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
}

BOOST_AUTO_TEST_SUITE_END()
