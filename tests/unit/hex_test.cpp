#define BOOST_TEST_MODULE hex_test
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/hex.h"
#include "tests/support/test_bytes.h"

using namespace epurse;
using namespace epurse::testing;

namespace {

Bytes fromHexOk(std::string_view text) {
  auto r = fromHex(text);
  BOOST_TEST_REQUIRE(r.isOk(), "fromHex(\"" << text << "\") failed: " << (r.isOk() ? "" : r.error().toString()));
  return *r;
}

void checkRejected(std::string_view text, const std::string& what) {
  BOOST_TEST_CONTEXT(what) {
    auto r = fromHex(text);
    BOOST_TEST(!r.isOk());
    if (!r.isOk()) {
      BOOST_TEST(r.error().code == ErrorCode::kInvalidArgument);
      BOOST_TEST(!r.error().message.empty());
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(to_hex_is_uppercase_without_separators) {
  BOOST_TEST(toHex(Bytes{0x00, 0xA4, 0x04, 0x00}) == "00A40400");
  BOOST_TEST(toHex(Bytes{0xab, 0xcd, 0xef}) == "ABCDEF");
  BOOST_TEST(toHex(Bytes{0x0F}) == "0F");
  BOOST_TEST(toHex(Bytes{0xF0}) == "F0");
  BOOST_TEST(toHex(Bytes{0x00}) == "00");
}

BOOST_AUTO_TEST_CASE(to_hex_of_empty_is_empty) {
  BOOST_TEST(toHex(Bytes{}) == "");
  BOOST_TEST(toHex(ByteView{}) == "");
}

BOOST_AUTO_TEST_CASE(to_hex_of_every_byte_value) {
  Bytes all(256);
  std::string expected;
  const char* digits = "0123456789ABCDEF";
  for (int i = 0; i < 256; ++i) {
    all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    expected += digits[i / 16];
    expected += digits[i % 16];
  }
  const std::string got = toHex(all);
  BOOST_TEST(got.size() == 512u);
  BOOST_TEST(got == expected);
}

BOOST_AUTO_TEST_CASE(to_hex_of_a_long_buffer) {
  const Bytes big(70000, 0x5A);
  const std::string got = toHex(big);
  BOOST_TEST(got.size() == 140000u);
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < got.size(); ++i) wrong += got[i] != (i % 2 == 0 ? '5' : 'A');
  BOOST_TEST(wrong == 0u);
}

BOOST_AUTO_TEST_CASE(from_hex_plain) {
  const Bytes b = fromHexOk("00A40400");
  BOOST_TEST(hx(b) == hx(Bytes{0x00, 0xA4, 0x04, 0x00}));
  BOOST_TEST(hx(fromHexOk("FF")) == hx(Bytes{0xFF}));
}

BOOST_AUTO_TEST_CASE(from_hex_lowercase_and_mixed_case) {
  BOOST_TEST(hx(fromHexOk("abcdef")) == hx(Bytes{0xAB, 0xCD, 0xEF}));
  BOOST_TEST(hx(fromHexOk("aBcDeF09")) == hx(Bytes{0xAB, 0xCD, 0xEF, 0x09}));
}

BOOST_AUTO_TEST_CASE(from_hex_spaces_and_colons) {
  const Bytes want{0x00, 0xA4, 0x04, 0x00};
  BOOST_TEST(hx(fromHexOk("00 A4 04 00")) == hx(want));
  BOOST_TEST(hx(fromHexOk("00:A4:04:00")) == hx(want));
  BOOST_TEST(hx(fromHexOk("  00 a4:04\t00\n")) == hx(want));
  BOOST_TEST(hx(fromHexOk("00\r\nA4 \v04\f00")) == hx(want));
  BOOST_TEST(hx(fromHexOk("00::A4  04 :00")) == hx(want));
  // Separators are skipped wherever they are, even between the two digits of a byte.
  BOOST_TEST(hx(fromHexOk("0 0A 4")) == hx(Bytes{0x00, 0xA4}));
}

BOOST_AUTO_TEST_CASE(from_hex_empty_input) {
  BOOST_TEST(fromHexOk("").empty());
  BOOST_TEST(fromHexOk("   ").empty());
  BOOST_TEST(fromHexOk(" : : ").empty());
}

BOOST_AUTO_TEST_CASE(from_hex_rejects_odd_length) {
  checkRejected("0", "one digit");
  checkRejected("ABC", "three digits");
  checkRejected("00 A4 04 0", "seven digits with spaces");
  checkRejected("A B C", "three digits, spaced");
}

BOOST_AUTO_TEST_CASE(from_hex_rejects_non_hex_characters) {
  checkRejected("0G", "G");
  checkRejected("zz", "z");
  checkRejected("0x00", "0x prefix");
  checkRejected("-1", "minus");
  checkRejected("00,A4", "comma");
  checkRejected("00-A4", "dash");
  checkRejected("00;", "semicolon");
  checkRejected("\xC3\xA9\xC3\xA9", "non-ASCII bytes");
  checkRejected(std::string_view("00\0" "11", 5), "embedded NUL");
  checkRejected("0g0", "non-hex making odd length too");
}

BOOST_AUTO_TEST_CASE(round_trip_every_byte) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(255 - i);
  const Bytes back = fromHexOk(toHex(all));
  BOOST_CHECK_EQUAL_COLLECTIONS(back.begin(), back.end(), all.begin(), all.end());
}
