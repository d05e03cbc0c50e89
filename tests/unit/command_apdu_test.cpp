#define BOOST_TEST_MODULE command_apdu_test
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "apdu/command_apdu.h"
#include "tests/support/test_bytes.h"

using namespace epurse;
using namespace epurse::testing;
using Case = CommandApdu::Case;

// How Boost.Test prints the values it compares.
namespace boost::test_tools::tt_detail {
template <>
struct print_log_value<std::optional<std::uint32_t>> {
  void operator()(std::ostream& os, const std::optional<std::uint32_t>& v) {
    if (v) {
      os << *v;
    } else {
      os << "(absent)";
    }
  }
};
template <>
struct print_log_value<Case> {
  void operator()(std::ostream& os, Case c) { os << "case " << static_cast<int>(c); }
};
}  // namespace boost::test_tools::tt_detail

namespace {

// n bytes 00 01 02 ... FF 00 01 ... so that misplaced data shows up.
Bytes counting(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}

CommandApdu parseOk(const Bytes& raw) {
  const ExactBuffer exact(raw);
  auto r = CommandApdu::parse(exact.view());
  BOOST_TEST_REQUIRE(r.isOk(), "parse of " << hx(raw).substr(0, 64) << " failed: "
                                          << (r.isOk() ? "" : r.error().toString()));
  return *r;
}

void checkMalformed(const Bytes& raw, const std::string& what) {
  BOOST_TEST_CONTEXT(what << " [" << hx(raw).substr(0, 80) << "]") {
    const ExactBuffer exact(raw);
    Result<CommandApdu> r = CommandApdu::parse(exact.view());
    BOOST_TEST(!r.isOk());
    if (!r.isOk()) {
      BOOST_TEST(r.error().code == ErrorCode::kMalformed);
      BOOST_TEST(!r.error().message.empty());
    }
  }
}

// An encoder written from ISO/IEC 7816-4 5.1 independently of the code under test: short
// form unless Nc > 255 or Ne > 256; Le 00 / 0000 stand for the maximum.
Bytes isoEncode(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, const Bytes& data,
                std::optional<std::uint32_t> ne) {
  Bytes out{cla, ins, p1, p2};
  const bool ext = data.size() > 255 || (ne && *ne > 256);
  if (!data.empty()) {
    if (ext) {
      out.push_back(0x00);
      out.push_back(static_cast<std::uint8_t>(data.size() >> 8));
      out.push_back(static_cast<std::uint8_t>(data.size() & 0xFF));
    } else {
      out.push_back(static_cast<std::uint8_t>(data.size()));
    }
    out.insert(out.end(), data.begin(), data.end());
  }
  if (ne) {
    if (ext) {
      if (data.empty()) out.push_back(0x00);
      const std::uint32_t le = *ne == 65536 ? 0 : *ne;
      out.push_back(static_cast<std::uint8_t>(le >> 8));
      out.push_back(static_cast<std::uint8_t>(le & 0xFF));
    } else {
      out.push_back(static_cast<std::uint8_t>(*ne == 256 ? 0 : *ne));
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parse_valid)

BOOST_AUTO_TEST_CASE(case1_header_only) {
  const auto c = parseOk(h("80 CA 9F 7F"));
  BOOST_TEST(c.cla() == 0x80);
  BOOST_TEST(c.ins() == 0xCA);
  BOOST_TEST(c.p1() == 0x9F);
  BOOST_TEST(c.p2() == 0x7F);
  BOOST_TEST(c.data().empty());
  BOOST_TEST(!c.ne().has_value());
  BOOST_TEST(c.isoCase() == Case::k1);
  BOOST_TEST(!c.isExtended());
  BOOST_TEST(hx(c.serialize()) == "80CA9F7F");
}

BOOST_AUTO_TEST_CASE(case2s_le_values) {
  const auto c = parseOk(h("00 B0 00 00 10"));
  BOOST_TEST(c.data().empty());
  BOOST_TEST(c.ne() == std::optional<std::uint32_t>(16));
  BOOST_TEST(c.isoCase() == Case::k2);
  BOOST_TEST(!c.isExtended());

  BOOST_TEST(parseOk(h("00 B0 00 00 01")).ne() == std::optional<std::uint32_t>(1));
  BOOST_TEST(parseOk(h("00 B0 00 00 FF")).ne() == std::optional<std::uint32_t>(255));
}

BOOST_AUTO_TEST_CASE(case2s_le_00_means_256) {
  const auto c = parseOk(h("00 C0 00 00 00"));
  BOOST_TEST(c.ne() == std::optional<std::uint32_t>(256));
  BOOST_TEST(c.isoCase() == Case::k2);
  BOOST_TEST(!c.isExtended());
  BOOST_TEST(hx(c.serialize()) == "00C0000000");
}

BOOST_AUTO_TEST_CASE(case3s_select_by_aid) {
  const auto c = parseOk(h("00 A4 04 00 07 A0 00 00 00 04 10 10"));
  BOOST_TEST(c.cla() == 0x00);
  BOOST_TEST(c.ins() == 0xA4);
  BOOST_TEST(c.p1() == 0x04);
  BOOST_TEST(c.p2() == 0x00);
  BOOST_TEST(hx(c.data()) == "A0000000041010");
  BOOST_TEST(!c.ne().has_value());
  BOOST_TEST(c.isoCase() == Case::k3);
  BOOST_TEST(!c.isExtended());
}

BOOST_AUTO_TEST_CASE(case3s_single_data_byte) {
  const auto c = parseOk(h("00 20 00 80 01 5A"));
  BOOST_TEST(hx(c.data()) == "5A");
  BOOST_TEST(!c.ne().has_value());
  BOOST_TEST(c.isoCase() == Case::k3);
}

BOOST_AUTO_TEST_CASE(case4s_select_with_le) {
  const auto c = parseOk(h("00 A4 04 00 07 A0 00 00 00 04 10 10 00"));
  BOOST_TEST(hx(c.data()) == "A0000000041010");
  BOOST_TEST(c.ne() == std::optional<std::uint32_t>(256));
  BOOST_TEST(c.isoCase() == Case::k4);
  BOOST_TEST(!c.isExtended());

  const auto d = parseOk(h("00 A4 04 00 07 A0 00 00 00 04 10 10 1C"));
  BOOST_TEST(d.ne() == std::optional<std::uint32_t>(0x1C));
}

// Lc 01 followed by two bytes is a legal case 4S (the second byte is Le), not an error.
BOOST_AUTO_TEST_CASE(case4s_lc1_and_le) {
  const auto c = parseOk(h("00 A4 04 00 01 AA BB"));
  BOOST_TEST(hx(c.data()) == "AA");
  BOOST_TEST(c.ne() == std::optional<std::uint32_t>(0xBB));
  BOOST_TEST(c.isoCase() == Case::k4);
}

BOOST_AUTO_TEST_CASE(case3s_and_4s_with_255_data_bytes) {
  const Bytes data = counting(255);
  const auto c3 = parseOk(cat({h("00 D6 00 00 FF"), data}));
  BOOST_TEST(c3.data() == data);
  BOOST_TEST(!c3.ne().has_value());
  BOOST_TEST(!c3.isExtended());

  const auto c4 = parseOk(cat({h("00 D6 00 00 FF"), data, h("00")}));
  BOOST_TEST(c4.data() == data);
  BOOST_TEST(c4.ne() == std::optional<std::uint32_t>(256));
  BOOST_TEST(!c4.isExtended());
  BOOST_TEST(c4.isoCase() == Case::k4);
}

BOOST_AUTO_TEST_CASE(case2e_le_values) {
  const auto c = parseOk(h("00 B0 00 00 00 01 00"));
  BOOST_TEST(c.data().empty());
  BOOST_TEST(c.ne() == std::optional<std::uint32_t>(256));
  BOOST_TEST(c.isoCase() == Case::k2);
  BOOST_TEST(c.isExtended());  // parsed from extended form, stays extended

  BOOST_TEST(parseOk(h("00 B0 00 00 00 00 01")).ne() == std::optional<std::uint32_t>(1));
  BOOST_TEST(parseOk(h("00 B0 00 00 00 01 01")).ne() == std::optional<std::uint32_t>(257));
  BOOST_TEST(parseOk(h("00 B0 00 00 00 12 34")).ne() == std::optional<std::uint32_t>(0x1234));
  BOOST_TEST(parseOk(h("00 B0 00 00 00 FF FF")).ne() == std::optional<std::uint32_t>(65535));
}

BOOST_AUTO_TEST_CASE(case2e_le_0000_means_65536) {
  const auto c = parseOk(h("00 B0 00 00 00 00 00"));
  BOOST_TEST(c.ne() == std::optional<std::uint32_t>(65536));
  BOOST_TEST(c.isoCase() == Case::k2);
  BOOST_TEST(c.isExtended());
  BOOST_TEST(hx(c.serialize()) == "00B00000000000");
}

BOOST_AUTO_TEST_CASE(case3e_small_and_boundary) {
  const auto one = parseOk(h("00 DA 01 02 00 00 01 5A"));
  BOOST_TEST(hx(one.data()) == "5A");
  BOOST_TEST(!one.ne().has_value());
  BOOST_TEST(one.isoCase() == Case::k3);
  BOOST_TEST(one.isExtended());
  BOOST_TEST(one.p1() == 0x01);
  BOOST_TEST(one.p2() == 0x02);

  const Bytes data256 = counting(256);
  const auto c = parseOk(cat({h("00 DA 00 00 00 01 00"), data256}));
  BOOST_TEST(c.data() == data256);
  BOOST_TEST(!c.ne().has_value());
  BOOST_TEST(c.isoCase() == Case::k3);
}

BOOST_AUTO_TEST_CASE(case3e_max_65535_data_bytes) {
  const Bytes data = counting(65535);
  const Bytes raw = cat({h("80 E2 00 00 00 FF FF"), data});
  BOOST_TEST(raw.size() == 4u + 3u + 65535u);
  const auto c = parseOk(raw);
  BOOST_TEST(c.data().size() == 65535u);
  BOOST_TEST((c.data() == data));
  BOOST_TEST(!c.ne().has_value());
  BOOST_TEST(c.isoCase() == Case::k3);
  BOOST_TEST((c.serialize() == raw));
}

BOOST_AUTO_TEST_CASE(case4e_values) {
  const auto c = parseOk(h("00 2A 9E 9A 00 00 03 AA BB CC 00 00"));
  BOOST_TEST(hx(c.data()) == "AABBCC");
  BOOST_TEST(c.ne() == std::optional<std::uint32_t>(65536));
  BOOST_TEST(c.isoCase() == Case::k4);
  BOOST_TEST(c.isExtended());

  const auto d = parseOk(h("00 2A 9E 9A 00 00 01 AA 01 00"));
  BOOST_TEST(hx(d.data()) == "AA");
  BOOST_TEST(d.ne() == std::optional<std::uint32_t>(256));
  BOOST_TEST(d.isoCase() == Case::k4);
}

BOOST_AUTO_TEST_CASE(case4e_max_data_and_max_ne) {
  const Bytes data = counting(65535);
  const Bytes raw = cat({h("00 2A 80 86 00 FF FF"), data, h("00 00")});
  BOOST_TEST(raw.size() == 65544u);
  const auto c = parseOk(raw);
  BOOST_TEST((c.data() == data));
  BOOST_TEST(c.ne() == std::optional<std::uint32_t>(65536));
  BOOST_TEST(c.isoCase() == Case::k4);
  BOOST_TEST((c.serialize() == raw));
}

// Every short Lc 01..FF, with and without Le, parses to exactly the announced data.
BOOST_AUTO_TEST_CASE(every_short_lc) {
  for (std::size_t nc = 1; nc <= 255; ++nc) {
    BOOST_TEST_CONTEXT("Nc " << nc) {
      const Bytes data = counting(nc);
      const Bytes raw3 = cat({h("00 D6 00 00"), Bytes{static_cast<std::uint8_t>(nc)}, data});
      const auto c3 = parseOk(raw3);
      BOOST_TEST(c3.data() == data);
      BOOST_TEST(!c3.ne().has_value());
      BOOST_TEST((c3.serialize() == raw3));

      const Bytes raw4 = cat({raw3, Bytes{static_cast<std::uint8_t>(nc ^ 0x5A)}});
      const auto c4 = parseOk(raw4);
      BOOST_TEST(c4.data() == data);
      const std::uint32_t le = static_cast<std::uint32_t>(nc ^ 0x5A);
      BOOST_TEST(c4.ne() == std::optional<std::uint32_t>(le == 0 ? 256 : le));
      BOOST_TEST((c4.serialize() == raw4));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(serialize)

BOOST_AUTO_TEST_CASE(case1) {
  BOOST_TEST(hx(CommandApdu(0x00, 0xA4, 0x04, 0x00).serialize()) == "00A40400");
}

BOOST_AUTO_TEST_CASE(case2_short_and_extended_le) {
  auto le = [](std::uint32_t ne) { return hx(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, ne).serialize()); };
  BOOST_TEST(le(1) == "00B0000001");
  BOOST_TEST(le(255) == "00B00000FF");
  BOOST_TEST(le(256) == "00B0000000");         // Ne 256 still fits short: Le 00
  BOOST_TEST(le(257) == "00B00000000101");     // first value that needs extended Le
  BOOST_TEST(le(65535) == "00B0000000FFFF");
  BOOST_TEST(le(65536) == "00B00000000000");   // extended Le 0000
}

BOOST_AUTO_TEST_CASE(case3_lc_255_short_256_extended) {
  const Bytes d255 = counting(255);
  BOOST_TEST((CommandApdu(0x00, 0xD6, 0x00, 0x00, d255).serialize() == cat({h("00 D6 00 00 FF"), d255})));
  const Bytes d256 = counting(256);
  BOOST_TEST((CommandApdu(0x00, 0xD6, 0x00, 0x00, d256).serialize() == cat({h("00 D6 00 00 00 01 00"), d256})));
  BOOST_TEST(hx(CommandApdu(0x00, 0xD6, 0x00, 0x00, h("01")).serialize()) == "00D600000101");
}

BOOST_AUTO_TEST_CASE(case4_short_extended_boundaries) {
  const Bytes d255 = counting(255);
  const Bytes d256 = counting(256);
  // 255 data bytes and Ne 256: both fit short.
  BOOST_TEST((CommandApdu(0x00, 0x88, 0x00, 0x00, d255, 256).serialize() ==
              cat({h("00 88 00 00 FF"), d255, h("00")})));
  // 255 data bytes but Ne 257: Ne forces extended, and then Lc is extended too.
  BOOST_TEST((CommandApdu(0x00, 0x88, 0x00, 0x00, d255, 257).serialize() ==
              cat({h("00 88 00 00 00 00 FF"), d255, h("01 01")})));
  // 256 data bytes and Ne 1: Lc forces extended, and then Le is two bytes without a marker.
  BOOST_TEST((CommandApdu(0x00, 0x88, 0x00, 0x00, d256, 1).serialize() ==
              cat({h("00 88 00 00 00 01 00"), d256, h("00 01")})));
  BOOST_TEST(hx(CommandApdu(0x00, 0x88, 0x00, 0x00, h("AA BB"), 65536).serialize()) == "00880000000002AABB0000");
  BOOST_TEST(hx(CommandApdu(0x00, 0x88, 0x00, 0x00, h("AA BB"), 2).serialize()) == "0088000002AABB02");
}

BOOST_AUTO_TEST_CASE(case4_max_everything) {
  const Bytes data = counting(65535);
  const Bytes out = CommandApdu(0x00, 0x2A, 0x80, 0x86, data, 65536).serialize();
  BOOST_TEST(out.size() == 65544u);
  BOOST_TEST((out == cat({h("00 2A 80 86 00 FF FF"), data, h("00 00")})));
}

BOOST_AUTO_TEST_CASE(forced_extended_form) {
  CommandApdu c4(0x00, 0x88, 0x00, 0x00, h("AA"), 1);
  c4.setExtended(true);
  BOOST_TEST(c4.isExtended());
  BOOST_TEST(hx(c4.serialize()) == "00880000000001AA0001");

  CommandApdu c2(0x00, 0xB0, 0x00, 0x00, {}, 256);
  c2.setExtended(true);
  BOOST_TEST(hx(c2.serialize()) == "00B00000000100");

  CommandApdu c3(0x00, 0xD6, 0x00, 0x00, h("01 02"));
  c3.setExtended(true);
  BOOST_TEST(hx(c3.serialize()) == "00D600000000020102");

  CommandApdu c1(0x00, 0x44, 0x00, 0x00);
  c1.setExtended(true);
  BOOST_TEST(hx(c1.serialize()) == "00440000");  // case 1 has no length fields at all

  c4.setExtended(false);
  BOOST_TEST(!c4.isExtended());
  BOOST_TEST(hx(c4.serialize()) == "0088000001AA01");
}

// Each (Nc, Ne) pair around the short/extended boundaries against the independent encoder.
BOOST_AUTO_TEST_CASE(boundary_grid_against_iso_encoding) {
  const std::vector<std::size_t> ncs{0, 1, 2, 127, 128, 254, 255, 256, 257, 1000, 65534, 65535};
  const std::vector<std::optional<std::uint32_t>> nes{std::nullopt, 1, 2, 255, 256, 257, 4096, 65535, 65536};
  for (std::size_t nc : ncs) {
    for (const auto& ne : nes) {
      BOOST_TEST_CONTEXT("Nc " << nc << " Ne " << (ne ? std::to_string(*ne) : "absent")) {
        const Bytes data = counting(nc);
        const Bytes expected = isoEncode(0x80, 0x10, 0x20, 0x30, data, ne);
        const CommandApdu c(0x80, 0x10, 0x20, 0x30, data, ne);
        const Bytes got = c.serialize();
        BOOST_TEST(got.size() == expected.size());
        BOOST_TEST((got == expected));
        BOOST_TEST(c.isExtended() == (nc > 255 || (ne && *ne > 256)));
        const Case want = nc == 0 ? (ne ? Case::k2 : Case::k1) : (ne ? Case::k4 : Case::k3);
        BOOST_TEST(c.isoCase() == want);

        const auto back = parseOk(expected);
        BOOST_TEST(back.cla() == 0x80);
        BOOST_TEST(back.ins() == 0x10);
        BOOST_TEST(back.p1() == 0x20);
        BOOST_TEST(back.p2() == 0x30);
        BOOST_TEST((back.data() == data));
        BOOST_TEST(back.ne() == ne);
        BOOST_TEST((back.serialize() == expected));
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(round_trip)

BOOST_AUTO_TEST_CASE(serialize_of_parse_is_identity_for_every_valid_form) {
  const std::vector<Bytes> forms{
      h("00 A4 04 00"),                               // 1
      h("00 B0 00 00 01"),                            // 2S
      h("00 B0 00 00 00"),                            // 2S Le 00
      h("00 B0 00 00 FF"),                            // 2S
      h("00 A4 04 00 07 A0 00 00 00 04 10 10"),       // 3S
      h("00 A4 04 00 01 00"),                         // 3S with data byte 00
      h("00 A4 04 00 07 A0 00 00 00 04 10 10 00"),    // 4S Le 00
      h("00 A4 04 00 01 FF 01"),                      // 4S
      h("00 B0 00 00 00 00 00"),                      // 2E Le 0000
      h("00 B0 00 00 00 00 01"),                      // 2E with a value that would fit short
      h("00 B0 00 00 00 01 00"),                      // 2E 256
      h("00 B0 00 00 00 FF FF"),                      // 2E
      h("00 DA 00 00 00 00 01 AA"),                   // 3E, 1 byte
      h("00 DA 00 00 00 00 02 00 00"),                // 3E whose data looks like a length
      h("00 2A 9E 9A 00 00 01 AA 00 01"),             // 4E
      h("00 2A 9E 9A 00 00 02 AA BB 00 00"),          // 4E Le 0000
      cat({h("00 D6 00 00 FF"), counting(255)}),      // 3S max
      cat({h("00 D6 00 00 FF"), counting(255), h("00")}),
      cat({h("00 D6 00 00 00 01 00"), counting(256)}),
      cat({h("00 D6 00 00 00 01 00"), counting(256), h("01 01")}),
      cat({h("00 D6 00 00 00 FF FF"), counting(65535)}),
      cat({h("00 D6 00 00 00 FF FF"), counting(65535), h("FF FF")}),
  };
  for (const Bytes& raw : forms) {
    BOOST_TEST_CONTEXT(hx(raw).substr(0, 40) << " (" << raw.size() << " bytes)") {
      const auto c = parseOk(raw);
      BOOST_TEST((c.serialize() == raw));
      // and parse is stable on its own output
      BOOST_TEST((parseOk(c.serialize()) == c));
    }
  }
}

BOOST_AUTO_TEST_CASE(parse_of_serialize_is_identity_for_constructed_apdus) {
  const std::vector<CommandApdu> apdus{
      CommandApdu(0x00, 0x84, 0x00, 0x00, {}, 8),
      CommandApdu(0x80, 0x50, 0x00, 0x00, h("11 22 33 44 55 66 77 88"), 256),
      CommandApdu(0x0C, 0xB0, 0x00, 0x00, {}, 65536),
      CommandApdu(0x00, 0xDA, 0x01, 0xFF, counting(300)),
      CommandApdu(0x00, 0x20, 0x00, 0x81, h("31 32 33 34")),
      CommandApdu(0xFF, 0xFF, 0xFF, 0xFF),
  };
  for (const auto& c : apdus) {
    const auto back = parseOk(c.serialize());
    BOOST_TEST((back == c));
    BOOST_TEST(back.isoCase() == c.isoCase());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(malformed)

BOOST_AUTO_TEST_CASE(fewer_than_four_bytes) {
  checkMalformed({}, "empty");
  checkMalformed(h("00"), "1 byte");
  checkMalformed(h("00 A4"), "2 bytes");
  checkMalformed(h("00 A4 04"), "3 bytes");
}

BOOST_AUTO_TEST_CASE(short_lc_longer_than_data) {
  checkMalformed(h("00 A4 04 00 05 01 02 03"), "Lc 5, 3 data bytes");
  checkMalformed(h("00 A4 04 00 03 01"), "Lc 3, 1 data byte");
  checkMalformed(h("00 A4 04 00 02 01"), "Lc 2, 1 data byte");
  checkMalformed(cat({h("00 D6 00 00 FF"), counting(254)}), "Lc FF, 254 data bytes");
  checkMalformed(cat({h("00 D6 00 00 FF"), counting(100)}), "Lc FF, 100 data bytes");
}

BOOST_AUTO_TEST_CASE(short_lc_shorter_than_data) {
  // Lc plus one extra byte is case 4S (Le); two or more extra bytes cannot be anything.
  checkMalformed(h("00 A4 04 00 01 AA BB CC"), "Lc 1, 3 bytes follow");
  checkMalformed(h("00 A4 04 00 02 AA BB CC DD"), "Lc 2, 4 bytes follow");
  checkMalformed(cat({h("00 D6 00 00 01"), counting(255)}), "Lc 1, 255 bytes follow");
  checkMalformed(cat({h("00 D6 00 00 FE"), counting(255), h("00")}), "Lc FE, 256 bytes follow");
}

BOOST_AUTO_TEST_CASE(six_bytes_with_00_at_offset_4) {
  // 00 there opens an extended length field, which needs two more bytes.
  checkMalformed(h("00 A4 04 00 00 05"), "00 05");
  checkMalformed(h("00 A4 04 00 00 00"), "00 00");
  checkMalformed(h("00 A4 04 00 00 FF"), "00 FF");
}

BOOST_AUTO_TEST_CASE(truncated_extended_lengths) {
  // 3E/4E whose data is cut short, so that only part of the extended form is there.
  checkMalformed(h("00 DA 00 00 00 00 05 AA BB"), "extended Lc 5, 2 bytes");
  checkMalformed(h("00 DA 00 00 00 01 00 AA"), "extended Lc 256, 1 byte");
  checkMalformed(cat({h("00 DA 00 00 00 FF FF"), counting(65534)}), "extended Lc FFFF, 65534 bytes");
  checkMalformed(cat({h("00 DA 00 00 00 01 00"), counting(256), h("01")}), "4E with a one-byte Le");
}

BOOST_AUTO_TEST_CASE(extended_lc_of_zero) {
  checkMalformed(h("00 DA 00 00 00 00 00 AA"), "Lc 0000, one byte after");
  checkMalformed(h("00 DA 00 00 00 00 00 00 00"), "Lc 0000, two zero bytes after");
  checkMalformed(h("00 DA 00 00 00 00 00 01 02 03"), "Lc 0000, three bytes after");
}

BOOST_AUTO_TEST_CASE(trailing_bytes) {
  checkMalformed(h("00 A4 04 00 02 AA BB 00 00"), "4S + 1 byte");
  checkMalformed(h("00 A4 04 00 02 AA BB 00 00 00"), "4S + 2 bytes");
  checkMalformed(h("00 B0 00 00 00 01 00 00"), "2E + 1 byte");
  checkMalformed(h("00 DA 00 00 00 00 02 AA BB 00"), "3E + 1 byte");
  checkMalformed(h("00 2A 9E 9A 00 00 02 AA BB 01 00 FF"), "4E + 1 byte");
  checkMalformed(h("00 2A 9E 9A 00 00 02 AA BB 01 00 FF FF"), "4E + 2 bytes");
  checkMalformed(cat({h("00 D6 00 00 00 FF FF"), counting(65535), h("00 00 00")}), "max 4E + 1 byte");
}

BOOST_AUTO_TEST_CASE(extended_lc_disagrees_with_buffer) {
  checkMalformed(h("00 DA 00 00 00 00 05 AA BB"), "says 5, has 2");
  checkMalformed(h("00 DA 00 00 00 00 01 AA BB"), "says 1, has 2 (3E+1 or 4E-1)");
  checkMalformed(h("00 DA 00 00 00 00 01 AA BB CC DD"), "says 1, has 4");
  checkMalformed(cat({h("00 DA 00 00 00 FF FF"), counting(10)}), "says 65535, has 10");
  checkMalformed(cat({h("00 DA 00 00 00 01 00"), counting(255)}), "says 256, has 255");
  checkMalformed(cat({h("00 DA 00 00 00 00 FF"), counting(256)}), "says 255, has 256");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(construction)

BOOST_AUTO_TEST_CASE(data_longer_than_65535_throws) {
  BOOST_CHECK_THROW(CommandApdu(0x00, 0xD6, 0x00, 0x00, Bytes(65536, 0xAA)), std::length_error);
  BOOST_CHECK_THROW(CommandApdu(0x00, 0xD6, 0x00, 0x00, Bytes(70000, 0xAA), 1), std::length_error);
  BOOST_CHECK_NO_THROW(CommandApdu(0x00, 0xD6, 0x00, 0x00, Bytes(65535, 0xAA)));
}

BOOST_AUTO_TEST_CASE(ne_outside_1_to_65536_throws) {
  BOOST_CHECK_THROW(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 0), std::length_error);
  BOOST_CHECK_THROW(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 65537), std::length_error);
  BOOST_CHECK_THROW(CommandApdu(0x00, 0xB0, 0x00, 0x00, h("01"), 0), std::length_error);
  BOOST_CHECK_THROW(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 0xFFFFFFFFu), std::length_error);
  BOOST_CHECK_NO_THROW(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 1));
  BOOST_CHECK_NO_THROW(CommandApdu(0x00, 0xB0, 0x00, 0x00, {}, 65536));
}

BOOST_AUTO_TEST_CASE(iso_case_of_constructed_apdus) {
  BOOST_TEST(CommandApdu(0x00, 0x00, 0x00, 0x00).isoCase() == Case::k1);
  BOOST_TEST(CommandApdu(0x00, 0x00, 0x00, 0x00, {}, 1).isoCase() == Case::k2);
  BOOST_TEST(CommandApdu(0x00, 0x00, 0x00, 0x00, h("01")).isoCase() == Case::k3);
  BOOST_TEST(CommandApdu(0x00, 0x00, 0x00, 0x00, h("01"), 65536).isoCase() == Case::k4);
  BOOST_TEST(static_cast<int>(Case::k1) == 1);
  BOOST_TEST(static_cast<int>(Case::k4) == 4);
}

BOOST_AUTO_TEST_CASE(with_ne_changes_only_ne) {
  const CommandApdu c3(0x00, 0xA4, 0x04, 0x00, h("A0 00 00 00 04"));
  const CommandApdu c4 = c3.withNe(0x20);
  BOOST_TEST(c4.isoCase() == Case::k4);
  BOOST_TEST(hx(c4.serialize()) == "00A4040005A00000000420");
  BOOST_TEST(c3.isoCase() == Case::k3);  // the original is untouched
  BOOST_TEST(!c3.ne().has_value());

  const CommandApdu back = c4.withNe(std::nullopt);
  BOOST_TEST(back.isoCase() == Case::k3);
  BOOST_TEST(hx(back.serialize()) == "00A4040005A000000004");

  const CommandApdu big = c3.withNe(65536);
  BOOST_TEST(big.isExtended());
  BOOST_TEST(hx(big.serialize()) == "00A40400000005A0000000040000");

  const CommandApdu c2 = CommandApdu(0x00, 0xB0, 0x00, 0x00).withNe(256);
  BOOST_TEST(c2.isoCase() == Case::k2);
  BOOST_TEST(hx(c2.serialize()) == "00B0000000");
}

BOOST_AUTO_TEST_CASE(with_ne_keeps_parsed_extended_form) {
  const auto c3e = parseOk(h("00 DA 00 00 00 00 01 AA"));
  const CommandApdu c4e = c3e.withNe(5);
  BOOST_TEST(c4e.isExtended());
  BOOST_TEST(hx(c4e.serialize()) == "00DA0000000001AA0005");
}

BOOST_AUTO_TEST_CASE(with_ne_checks_preconditions) {
  const CommandApdu c(0x00, 0xB0, 0x00, 0x00);
  BOOST_CHECK_THROW(c.withNe(0), std::length_error);
  BOOST_CHECK_THROW(c.withNe(65537), std::length_error);
}

BOOST_AUTO_TEST_CASE(equality_ignores_encoding_form) {
  const auto shortForm = parseOk(h("00 DA 00 00 01 AA"));
  const auto extForm = parseOk(h("00 DA 00 00 00 00 01 AA"));
  BOOST_TEST((shortForm == extForm));
  BOOST_TEST((shortForm == CommandApdu(0x00, 0xDA, 0x00, 0x00, h("AA"))));
  BOOST_TEST(!(shortForm == CommandApdu(0x00, 0xDA, 0x00, 0x01, h("AA"))));
  BOOST_TEST(!(shortForm == CommandApdu(0x00, 0xDA, 0x00, 0x00, h("AB"))));
  BOOST_TEST(!(shortForm == CommandApdu(0x00, 0xDA, 0x00, 0x00, h("AA"), 1)));
  BOOST_TEST(!(shortForm == CommandApdu(0x80, 0xDA, 0x00, 0x00, h("AA"))));
  BOOST_TEST(!(shortForm == CommandApdu(0x00, 0xDB, 0x00, 0x00, h("AA"))));
  BOOST_TEST(!(shortForm == CommandApdu(0x00, 0xDA, 0x01, 0x00, h("AA"))));
}

BOOST_AUTO_TEST_SUITE_END()
