#define BOOST_TEST_MODULE ber_tlv_test
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "apdu/ber_tlv.h"
#include "tests/support/test_bytes.h"

using namespace epurse;
using namespace epurse::testing;

namespace {

Bytes counting(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 3 + 1);
  return b;
}

struct Parsed {
  TlvObject obj;
  std::size_t consumed;
};

Parsed parseOneOk(const Bytes& in) {
  std::size_t consumed = 0xDEAD;
  auto r = parseTlv(in, consumed);
  BOOST_TEST_REQUIRE(r.isOk(), "parseTlv of " << hx(in).substr(0, 64) << " failed: "
                                             << (r.isOk() ? "" : r.error().toString()));
  return {*r, consumed};
}

std::vector<TlvObject> parseSeqOk(ByteView in) {
  auto r = parseTlvSequence(in);
  BOOST_TEST_REQUIRE(r.isOk(), "parseTlvSequence of " << hx(in).substr(0, 64) << " failed: "
                                                     << (r.isOk() ? "" : r.error().toString()));
  return *r;
}

// The value must be a view into the parsed buffer at exactly `offset`.
bool valueAt(const TlvObject& o, const Bytes& buffer, std::size_t offset) {
  return o.value.data() == buffer.data() + offset;
}

void checkMalformed(const Bytes& in, const std::string& what) {
  BOOST_TEST_CONTEXT(what << " [" << hx(in).substr(0, 64) << "]") {
    std::size_t consumed = 0;
    const ExactBuffer exact(in);
    auto one = parseTlv(exact.view(), consumed);
    BOOST_TEST(!one.isOk());
    if (!one.isOk()) BOOST_TEST(one.error().code == ErrorCode::kMalformed);
    // The same bytes after a good object and some padding spoil the whole sequence.
    const Bytes seq = cat({h("5A 01 AA 00 FF"), in});
    const ExactBuffer exactSeq(seq);
    auto many = parseTlvSequence(exactSeq.view());
    BOOST_TEST(!many.isOk());
    if (!many.isOk()) BOOST_TEST(many.error().code == ErrorCode::kMalformed);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tags)

BOOST_AUTO_TEST_CASE(one_byte_tag) {
  const Bytes in = h("5A 08 47 61 73 90 01 01 00 10");
  const auto [o, consumed] = parseOneOk(in);
  BOOST_TEST(o.tag == 0x5Au);
  BOOST_TEST(hx(o.value) == "4761739001010010");
  BOOST_TEST(consumed == 10u);
  BOOST_TEST(valueAt(o, in, 2));
  BOOST_TEST(!o.isConstructed());
}

BOOST_AUTO_TEST_CASE(two_byte_tags) {
  const Bytes pdol = h("9F 38 03 9F 35 01");
  const auto [o, consumed] = parseOneOk(pdol);
  BOOST_TEST(o.tag == 0x9F38u);
  BOOST_TEST(hx(o.value) == "9F3501");
  BOOST_TEST(consumed == 6u);
  BOOST_TEST(valueAt(o, pdol, 3));

  const Bytes lang = h("5F 2D 02 65 6E");
  const auto [l, lc] = parseOneOk(lang);
  BOOST_TEST(l.tag == 0x5F2Du);
  BOOST_TEST(hx(l.value) == "656E");
  BOOST_TEST(lc == 5u);

  // EMV's low-numbered two-byte tags (second byte below 1F) are accepted as found on cards.
  const auto [a, ac] = parseOneOk(h("9F 02 06 00 00 00 00 01 00"));
  BOOST_TEST(a.tag == 0x9F02u);
  BOOST_TEST(a.value.size() == 6u);
  BOOST_TEST(ac == 9u);
}

BOOST_AUTO_TEST_CASE(three_byte_tag) {
  const Bytes in = h("DF 81 01 02 AA BB CC");  // CC is beyond the object
  const auto [o, consumed] = parseOneOk(in);
  BOOST_TEST(o.tag == 0xDF8101u);
  BOOST_TEST(hx(o.value) == "AABB");
  BOOST_TEST(consumed == 6u);
  BOOST_TEST(valueAt(o, in, 4));

  const auto [m, mc] = parseOneOk(h("5F FF 7F 00"));
  BOOST_TEST(m.tag == 0x5FFF7Fu);
  BOOST_TEST(m.value.empty());
  BOOST_TEST(mc == 4u);
}

BOOST_AUTO_TEST_CASE(constructed_flag_is_bit_6_of_the_first_tag_byte) {
  auto constructed = [](std::uint32_t tag) { return TlvObject{tag, {}}.isConstructed(); };
  // constructed: 0x20 set in the first byte
  BOOST_TEST(constructed(0x6F));      // FCI template
  BOOST_TEST(constructed(0xA5));      // FCI proprietary template
  BOOST_TEST(constructed(0x70));      // record template
  BOOST_TEST(constructed(0x61));      // application template
  BOOST_TEST(constructed(0x7F49));    // two-byte, application class
  BOOST_TEST(constructed(0xBF0C));    // FCI issuer discretionary data
  BOOST_TEST(constructed(0xBF8101));  // three-byte
  // primitive
  BOOST_TEST(!constructed(0x84));
  BOOST_TEST(!constructed(0x5A));
  BOOST_TEST(!constructed(0x50));
  BOOST_TEST(!constructed(0x87));
  BOOST_TEST(!constructed(0x9F38));
  BOOST_TEST(!constructed(0x5F2D));
  BOOST_TEST(!constructed(0xDF8101));  // DF is 1101 1111: private class, primitive
  BOOST_TEST(!constructed(0x9F8101));
  BOOST_TEST(!constructed(0x1F20));
  // the flag of the first byte, not of a later one
  BOOST_TEST(!constructed(0x9F20));
  BOOST_TEST(!constructed(0x9FA020));
  BOOST_TEST(constructed(0x7F8101));
}

BOOST_AUTO_TEST_CASE(constructed_flag_of_parsed_objects) {
  const Bytes in = h("6F 00 84 00 A5 00 BF 0C 00 9F 38 00");
  const auto objs = parseSeqOk(in);
  BOOST_TEST_REQUIRE(objs.size() == 5u);
  BOOST_TEST(objs[0].isConstructed());
  BOOST_TEST(!objs[1].isConstructed());
  BOOST_TEST(objs[2].isConstructed());
  BOOST_TEST(objs[3].isConstructed());
  BOOST_TEST(!objs[4].isConstructed());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lengths)

BOOST_AUTO_TEST_CASE(parse_length_forms) {
  struct Row {
    const char* header;
    std::size_t length;
  };
  const Row rows[] = {
      {"5A 00", 0},
      {"5A 01", 1},
      {"5A 7F", 127},
      {"5A 81 80", 128},
      {"5A 81 FF", 255},
      {"5A 82 01 00", 256},
      {"5A 82 FF FF", 65535},
      {"5A 83 01 00 00", 65536},
      {"5A 81 05", 5},             // long form for a short length: BER allows it
      {"5A 84 00 00 00 02", 2},    // four length bytes, the most accepted
      {"5A 84 00 01 00 01", 65537},
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT(row.header) {
      const Bytes header = h(row.header);
      const Bytes value = counting(row.length);
      const Bytes in = cat({header, value, h("9F")});  // a stray byte after the object
      const auto [o, consumed] = parseOneOk(in);
      BOOST_TEST(o.tag == 0x5Au);
      BOOST_TEST(o.value.size() == row.length);
      BOOST_TEST((Bytes(o.value.begin(), o.value.end()) == value));
      BOOST_TEST(consumed == header.size() + row.length);
      BOOST_TEST(valueAt(o, in, header.size()));
    }
  }
}

BOOST_AUTO_TEST_CASE(encode_length_forms) {
  struct Row {
    std::size_t length;
    const char* header;
  };
  const Row rows[] = {
      {0, "5A00"},       {1, "5A01"},         {127, "5A7F"},         {128, "5A8180"},
      {255, "5A81FF"},   {256, "5A820100"},   {65535, "5A82FFFF"},   {65536, "5A83010000"},
  };
  for (const Row& row : rows) {
    BOOST_TEST_CONTEXT("length " << row.length) {
      const Bytes value = counting(row.length);
      const Bytes out = encodeTlv(0x5A, value);
      const std::string headerHex = row.header;
      BOOST_TEST(out.size() == headerHex.size() / 2 + row.length);
      BOOST_TEST(hx(ByteView(out).first(std::min(out.size(), headerHex.size() / 2))) == headerHex);
      BOOST_TEST((out == cat({h(row.header), value})));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(encoding)

BOOST_AUTO_TEST_CASE(encode_tags_of_each_size) {
  BOOST_TEST(hx(encodeTlv(0x84, h("A0 00 00 00 04 10 10"))) == "8407A0000000041010");
  BOOST_TEST(hx(encodeTlv(0x9F38, h("9F 35 01"))) == "9F38039F3501");
  BOOST_TEST(hx(encodeTlv(0x5F2D, h("65 6E"))) == "5F2D02656E");
  BOOST_TEST(hx(encodeTlv(0xDF8101, h("AA"))) == "DF810101AA");
  BOOST_TEST(hx(encodeTlv(0x9F02, {})) == "9F0200");
}

BOOST_AUTO_TEST_CASE(append_appends) {
  Bytes out = h("CA FE");
  appendTlv(out, 0x84, h("01 02"));
  appendTlv(out, 0x9F38, {});
  BOOST_TEST(hx(out) == "CAFE840201029F3800");
}

BOOST_AUTO_TEST_CASE(nested_fci_built_by_hand_matches_encoder) {
  const Bytes expected = h(
      "6F 1A"
      "   84 07 A0 00 00 00 04 10 10"
      "   A5 0F"
      "      50 0A 4D 41 53 54 45 52 43 41 52 44"
      "      87 01 01");
  Bytes a5;
  appendTlv(a5, 0x50, toBytes("MASTERCARD"));
  appendTlv(a5, 0x87, h("01"));
  Bytes inner;
  appendTlv(inner, 0x84, h("A0 00 00 00 04 10 10"));
  appendTlv(inner, 0xA5, a5);
  BOOST_TEST(hx(encodeTlv(0x6F, inner)) == hx(expected));
}

BOOST_AUTO_TEST_CASE(invalid_tags_throw) {
  BOOST_CHECK_THROW(encodeTlv(0x1F, {}), std::invalid_argument);     // says "more tag bytes", has none
  BOOST_CHECK_THROW(encodeTlv(0x9F, {}), std::invalid_argument);
  BOOST_CHECK_THROW(encodeTlv(0xFF, {}), std::invalid_argument);
  BOOST_CHECK_THROW(encodeTlv(0x0101, {}), std::invalid_argument);   // two bytes without 1F
  BOOST_CHECK_THROW(encodeTlv(0x8401, {}), std::invalid_argument);
  BOOST_CHECK_THROW(encodeTlv(0x840101, {}), std::invalid_argument);
  BOOST_CHECK_THROW(encodeTlv(0x01000000, {}), std::invalid_argument);  // four bytes
  BOOST_CHECK_THROW(encodeTlv(0x9F818101, {}), std::invalid_argument);  // four bytes
  Bytes out = h("01");
  BOOST_CHECK_THROW(appendTlv(out, 0x1F, h("AA")), std::invalid_argument);
  BOOST_CHECK_THROW(appendTlv(out, 0x0101, h("AA")), std::invalid_argument);
  BOOST_TEST(hx(out) == "01");  // nothing half-written
}

// ISO/IEC 7816-4 (BER-TLV tag field): every subsequent tag byte but the last has b8 set,
// the last has b8 clear, and the first subsequent byte is not 80; '00' is not a first byte
// (and this library reads 00 and FF between objects as padding). Each of these tags encodes
// to bytes that parseTlv refuses or reads as a different tag, so appendTlv must refuse them.
BOOST_AUTO_TEST_CASE(tags_the_parser_cannot_read_back_are_refused) {
  BOOST_CHECK_THROW(encodeTlv(0x9F80, {}), std::invalid_argument);    // first subsequent byte 80
  BOOST_CHECK_THROW(encodeTlv(0x9F81, {}), std::invalid_argument);    // last byte says "more follow"
  BOOST_CHECK_THROW(encodeTlv(0xDF8181, {}), std::invalid_argument);  // last byte says "more follow"
  BOOST_CHECK_THROW(encodeTlv(0xDF0101, {}), std::invalid_argument);  // middle byte says "last"
  BOOST_CHECK_THROW(encodeTlv(0x9F8001, {}), std::invalid_argument);  // first subsequent byte 80
  BOOST_CHECK_THROW(encodeTlv(0x00, h("AA")), std::invalid_argument); // 00 reads back as padding
  BOOST_CHECK_THROW(encodeTlv(0xFF20, h("AA")), std::invalid_argument);  // FF reads back as padding
}

// Every tag the encoder accepts must come back from the parser unchanged.
BOOST_AUTO_TEST_CASE(valid_tags_round_trip) {
  const std::uint32_t tags[] = {0x01, 0x1E, 0x3E, 0x41, 0x5A, 0x6F, 0x84, 0xA5, 0xC1, 0xFE,
                                0x1F1F, 0x1F7F, 0x9F02, 0x9F38, 0x5F2D, 0x7F49, 0xBF0C, 0xDF7F,
                                0x1F8100, 0x9F8101, 0xDF8101, 0xBFFF7F, 0x5F817F};
  for (std::uint32_t tag : tags) {
    for (std::size_t len : {0, 1, 127, 128, 300}) {
      BOOST_TEST_CONTEXT("tag " << std::hex << tag << std::dec << " length " << len) {
        const Bytes value = counting(len);
        const Bytes enc = encodeTlv(tag, value);
        const auto [o, consumed] = parseOneOk(enc);
        BOOST_TEST(o.tag == tag);
        BOOST_TEST(consumed == enc.size());
        BOOST_TEST((Bytes(o.value.begin(), o.value.end()) == value));
        BOOST_TEST(o.isConstructed() == ((enc[0] & 0x20) != 0));
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sequences)

BOOST_AUTO_TEST_CASE(nested_fci_template) {
  const Bytes fci = h(
      "6F 1A"
      "   84 07 A0 00 00 00 04 10 10"
      "   A5 0F"
      "      50 0A 4D 41 53 54 45 52 43 41 52 44"
      "      87 01 01");
  const auto top = parseSeqOk(fci);
  BOOST_TEST_REQUIRE(top.size() == 1u);
  BOOST_TEST(top[0].tag == 0x6Fu);
  BOOST_TEST(top[0].isConstructed());
  BOOST_TEST(top[0].value.size() == 0x1Au);
  BOOST_TEST(valueAt(top[0], fci, 2));

  const auto inner = parseSeqOk(top[0].value);
  BOOST_TEST_REQUIRE(inner.size() == 2u);
  BOOST_TEST(inner[0].tag == 0x84u);
  BOOST_TEST(hx(inner[0].value) == "A0000000041010");
  BOOST_TEST(valueAt(inner[0], fci, 4));
  BOOST_TEST(inner[1].tag == 0xA5u);
  BOOST_TEST(inner[1].isConstructed());
  BOOST_TEST(inner[1].value.size() == 0x0Fu);
  BOOST_TEST(valueAt(inner[1], fci, 13));

  const auto prop = parseSeqOk(inner[1].value);
  BOOST_TEST_REQUIRE(prop.size() == 2u);
  BOOST_TEST(prop[0].tag == 0x50u);
  BOOST_TEST(std::string(prop[0].value.begin(), prop[0].value.end()) == "MASTERCARD");
  BOOST_TEST(prop[1].tag == 0x87u);
  BOOST_TEST(hx(prop[1].value) == "01");

  const auto label = findTlv(prop, 0x50);
  BOOST_TEST_REQUIRE(label.has_value());
  BOOST_TEST(label->value.size() == 10u);
}

BOOST_AUTO_TEST_CASE(padding_is_skipped_before_between_and_after) {
  const Bytes in = h("00 FF 00 5A 01 AA FF FF 00 9F 38 00 00 00 5F 2D 02 00 FF FF 00");
  const auto objs = parseSeqOk(in);
  BOOST_TEST_REQUIRE(objs.size() == 3u);
  BOOST_TEST(objs[0].tag == 0x5Au);
  BOOST_TEST(hx(objs[0].value) == "AA");
  BOOST_TEST(valueAt(objs[0], in, 5));
  BOOST_TEST(objs[1].tag == 0x9F38u);
  BOOST_TEST(objs[1].value.empty());
  BOOST_TEST(objs[2].tag == 0x5F2Du);
  // 00 FF inside a value is data, not padding
  BOOST_TEST(hx(objs[2].value) == "00FF");
  BOOST_TEST(valueAt(objs[2], in, 17));
}

BOOST_AUTO_TEST_CASE(empty_and_all_padding_sequences_are_empty) {
  BOOST_TEST(parseSeqOk(Bytes{}).empty());
  BOOST_TEST(parseSeqOk(h("00")).empty());
  BOOST_TEST(parseSeqOk(h("FF FF 00 FF")).empty());
}

BOOST_AUTO_TEST_CASE(sequence_order_and_find) {
  const Bytes in = h("84 01 11 9F 38 01 22 84 01 33 DF 81 01 01 44");  // outlives the views
  const auto objs = parseSeqOk(in);
  BOOST_TEST_REQUIRE(objs.size() == 4u);
  BOOST_TEST(objs[0].tag == 0x84u);
  BOOST_TEST(objs[1].tag == 0x9F38u);
  BOOST_TEST(objs[2].tag == 0x84u);
  BOOST_TEST(objs[3].tag == 0xDF8101u);

  const auto first84 = findTlv(objs, 0x84);
  BOOST_TEST_REQUIRE(first84.has_value());
  BOOST_TEST(hx(first84->value) == "11");  // the first one wins
  const auto pdol = findTlv(objs, 0x9F38);
  BOOST_TEST_REQUIRE(pdol.has_value());
  BOOST_TEST(hx(pdol->value) == "22");
  const auto three = findTlv(objs, 0xDF8101);
  BOOST_TEST_REQUIRE(three.has_value());
  BOOST_TEST(hx(three->value) == "44");

  BOOST_TEST(!findTlv(objs, 0x9F).has_value());
  BOOST_TEST(!findTlv(objs, 0x38).has_value());
  BOOST_TEST(!findTlv(objs, 0x5A).has_value());
  BOOST_TEST(!findTlv({}, 0x84).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(malformed)

BOOST_AUTO_TEST_CASE(empty_input_to_parse_tlv) {
  std::size_t consumed = 0;
  auto r = parseTlv(Bytes{}, consumed);
  BOOST_TEST(!r.isOk());
  if (!r.isOk()) BOOST_TEST(r.error().code == ErrorCode::kMalformed);
}

BOOST_AUTO_TEST_CASE(truncated_tag) {
  checkMalformed(h("9F"), "two-byte tag, second byte missing");
  checkMalformed(h("5F"), "two-byte tag, second byte missing");
  checkMalformed(h("DF 81"), "three-byte tag, third byte missing");
}

BOOST_AUTO_TEST_CASE(tag_of_four_bytes) {
  checkMalformed(h("DF 81 81 01 00"), "four-byte tag");
  checkMalformed(h("9F FF FF 7F 01 AA"), "four-byte tag");
}

BOOST_AUTO_TEST_CASE(leading_80_subsequent_tag_byte) {
  checkMalformed(h("9F 80 01 00"), "9F 80 01");
  checkMalformed(h("5F 80 7F 01 AA"), "5F 80 7F");
}

BOOST_AUTO_TEST_CASE(missing_length) {
  checkMalformed(h("5A"), "one-byte tag only");
  checkMalformed(h("9F 38"), "two-byte tag only");
  checkMalformed(h("DF 81 01"), "three-byte tag only");
}

BOOST_AUTO_TEST_CASE(indefinite_length) {
  checkMalformed(h("6F 80 84 01 AA 00 00"), "6F 80 ... 00 00");
  checkMalformed(h("5A 80"), "5A 80");
}

BOOST_AUTO_TEST_CASE(five_or_more_length_bytes) {
  checkMalformed(h("5A 85 00 00 00 00 01 AA"), "85");
  checkMalformed(h("5A 88 00 00 00 00 00 00 00 01 AA"), "88");
  checkMalformed(h("5A FF"), "FF");
}

BOOST_AUTO_TEST_CASE(truncated_length_bytes) {
  checkMalformed(h("5A 81"), "81, no length byte");
  checkMalformed(h("5A 82 01"), "82, one of two length bytes");
  checkMalformed(h("5A 83 01 00"), "83, two of three");
  checkMalformed(h("5A 84 00 00 00"), "84, three of four");
}

BOOST_AUTO_TEST_CASE(value_running_past_the_buffer) {
  checkMalformed(h("5A 01"), "1 announced, none there");
  checkMalformed(h("5A 05 AA BB"), "5 announced, 2 there");
  checkMalformed(cat({h("5A 81 80"), counting(127)}), "128 announced, 127 there");
  checkMalformed(cat({h("5A 82 01 00"), counting(255)}), "256 announced, 255 there");
  checkMalformed(h("5A 84 FF FF FF FF AA"), "4 GiB announced");
  checkMalformed(h("5A 84 7F FF FF FF AA"), "2 GiB announced");
  checkMalformed(h("9F 38 82 FF FF 00"), "65535 announced on a two-byte tag");
}

BOOST_AUTO_TEST_CASE(error_inside_a_constructed_value) {
  // The outer object is well formed; what it contains is not.
  const Bytes in = h("6F 04 84 05 AA BB");
  const auto outer = parseSeqOk(in);
  BOOST_TEST_REQUIRE(outer.size() == 1u);
  auto inner = parseTlvSequence(outer[0].value);
  BOOST_TEST(!inner.isOk());
  if (!inner.isOk()) BOOST_TEST(inner.error().code == ErrorCode::kMalformed);
}

BOOST_AUTO_TEST_SUITE_END()
