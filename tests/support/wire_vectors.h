// Golden vectors of the purse's wire formats (docs/apdu.md, "Data structures"), shared by the
// wire_format*_test programs, and the checks each format gets.
//
// Every hex literal is written by hand from the documented layout, one space-separated group
// per field, never computed by the code under test: a change of any format shows up as a
// failing vector. Field values are distinct and non-zero, with distinct bytes inside each
// multi-byte field, so a swapped field or a wrong byte order cannot go unnoticed.
#pragma once

#include <algorithm>
#include <array>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "protocol/card_certificate.h"
#include "protocol/payment_details.h"
#include "tests/support/test_bytes.h"
#include "tests/support/test_printing.h"

namespace epurse::testing::wire {

// Golden bytes from hex groups written one after the other.
inline Bytes golden(std::initializer_list<std::string_view> groups) {
  Bytes out;
  for (std::string_view g : groups) {
    const Bytes part = h(g);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

// Field values that several formats share.
inline constexpr std::string_view kPurseIdHex = "5152535455565758";
inline constexpr std::string_view kFromIdHex = "A1A2A3A4A5A6A7A8";
inline constexpr std::string_view kToIdHex = "B1B2B3B4B5B6B7B8";
inline constexpr std::string_view kIssuerKeyIdHex = "8182838485868788";
inline constexpr std::string_view kReferenceHex =
    "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";
inline constexpr std::string_view kDigestHex =
    "E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF";
inline constexpr std::string_view kSignatureHex =
    "808182838485868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9F"
    "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF";
// The P-256 base point G, uncompressed: 04 || X || Y (a valid public key, whose scalar is 1).
inline constexpr std::string_view kPointHex =
    "04"
    "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
    "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";

template <std::size_t N>
std::array<std::uint8_t, N> arrayOf(std::string_view hex) {
  const Bytes b = h(hex);
  if (b.size() != N) throw std::logic_error("golden field of the wrong size");
  std::array<std::uint8_t, N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

// pd: 0 from ID | 8 from seq | 12 to ID | 20 to seq | 24 value | 28 currency | 30 reference.
inline const Bytes kPd = golden({kFromIdHex, "11121314", kToIdHex, "21222324", "31323334", "4142", kReferenceHex});

inline protocol::PaymentDetails pdValue() {
  protocol::PaymentDetails pd;
  pd.fromId = arrayOf<8>(kFromIdHex);
  pd.fromSeq = 0x11121314;
  pd.toId = arrayOf<8>(kToIdHex);
  pd.toSeq = 0x21222324;
  pd.value = 0x31323334;
  pd.currency = 0x4142;
  pd.reference = arrayOf<32>(kReferenceHex);
  return pd;
}

// The card certificate body TLV (offsets 4-109 of the certificate): holder 5F20, key 7F49 { 86 },
// currency 5F2A, expiry 5F24, issuer key ID 42.
inline const Bytes kCertificateBody = golden({"7F4E67", "5F2008", kPurseIdHex, "7F4943 8641", kPointHex,
                                              "5F2A02", "6162", "5F2404", "71727374", "4208", kIssuerKeyIdHex});
// 7F21 81AD { body, 5F37 40 signature }: 177 bytes.
inline const Bytes kCertificate = cat({h("7F2181AD"), kCertificateBody, h("5F3740"), h(kSignatureHex)});

inline protocol::CardCertificate certificateValue() {
  protocol::CardCertificate c;
  c.purseId = arrayOf<8>(kPurseIdHex);
  c.publicKey = h(kPointHex);
  c.currency = 0x6162;
  c.expiry = 0x71727374;
  c.issuerKeyId = arrayOf<8>(kIssuerKeyIdHex);
  c.signature = h(kSignatureHex);
  return c;
}

// Expects a kMalformed refusal.
template <typename R>
void expectMalformed(const R& r, const std::string& what) {
  BOOST_TEST_CONTEXT(what) {
    BOOST_TEST_REQUIRE(!r.isOk());
    BOOST_TEST(r.error().code == ErrorCode::kMalformed);
  }
}

// `value` encodes to exactly `expected`, and `expected` (in a buffer of exactly its size, so that
// AddressSanitizer sees any read past it) decodes back to `value`.
template <typename T>
void expectGolden(const T& value, const Bytes& expected) {
  BOOST_TEST(hx(value.encode()) == hx(expected));
  const ExactBuffer exact(expected);
  auto decoded = T::decode(exact.view());
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  BOOST_TEST(hx(decoded->encode()) == hx(expected));
  BOOST_TEST((*decoded == value), "decoded fields differ from the encoded ones");
}

// `decode` refuses the golden bytes one byte short, one byte long, and empty, as kMalformed.
template <typename Decode>
void expectExactLength(Decode decode, const Bytes& expected) {
  const ExactBuffer shorter(Bytes(expected.begin(), expected.end() - 1));
  Bytes longer = expected;
  longer.push_back(0x00);
  const ExactBuffer longerExact(longer);
  expectMalformed(decode(shorter.view()), "one byte short");
  expectMalformed(decode(longerExact.view()), "one byte long");
  expectMalformed(decode(ByteView{}), "empty");
}

// The golden bytes with one byte replaced.
inline Bytes withByte(Bytes b, std::size_t offset, std::uint8_t value) {
  b.at(offset) = value;
  return b;
}

}  // namespace epurse::testing::wire
