#define BOOST_TEST_MODULE response_apdu_test
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "apdu/response_apdu.h"
#include "tests/support/test_bytes.h"

using namespace epurse;
using namespace epurse::testing;

namespace {

ResponseApdu parseOk(const Bytes& raw) {
  auto r = ResponseApdu::parse(raw);
  BOOST_TEST_REQUIRE(r.isOk(), "parse of " << hx(raw) << " failed");
  return *r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(parse_status_word_only) {
  const auto r = parseOk(h("90 00"));
  BOOST_TEST(r.data().empty());
  BOOST_TEST(r.sw() == 0x9000);
  BOOST_TEST(r.sw1() == 0x90);
  BOOST_TEST(r.sw2() == 0x00);
  BOOST_TEST(r.isSuccess());
}

BOOST_AUTO_TEST_CASE(parse_data_and_status_word) {
  const auto r = parseOk(h("6F 07 84 05 A0 00 00 00 03 90 00"));
  BOOST_TEST(hx(r.data()) == "6F078405A000000003");
  BOOST_TEST(r.sw() == 0x9000);
  BOOST_TEST(r.isSuccess());
}

BOOST_AUTO_TEST_CASE(parse_error_status_words) {
  const auto r = parseOk(h("6A 82"));
  BOOST_TEST(r.data().empty());
  BOOST_TEST(r.sw() == 0x6A82);
  BOOST_TEST(r.sw1() == 0x6A);
  BOOST_TEST(r.sw2() == 0x82);
  BOOST_TEST(!r.isSuccess());

  const auto more = parseOk(h("01 02 61 10"));
  BOOST_TEST(hx(more.data()) == "0102");
  BOOST_TEST(more.sw1() == 0x61);
  BOOST_TEST(more.sw2() == 0x10);
  BOOST_TEST(!more.isSuccess());

  // 90 00 inside the data is data; only the last two bytes are the trailer.
  const auto tricky = parseOk(h("90 00 6C 00"));
  BOOST_TEST(hx(tricky.data()) == "9000");
  BOOST_TEST(tricky.sw() == 0x6C00);
  BOOST_TEST(!tricky.isSuccess());

  // Success is exactly 9000, not any 90xx.
  BOOST_TEST(!parseOk(h("90 01")).isSuccess());
}

BOOST_AUTO_TEST_CASE(shorter_than_two_bytes_is_malformed) {
  for (const Bytes& raw : {Bytes{}, h("90")}) {
    BOOST_TEST_CONTEXT(raw.size() << " bytes") {
      auto r = ResponseApdu::parse(raw);
      BOOST_TEST(!r.isOk());
      if (!r.isOk()) {
        BOOST_TEST(r.error().code == ErrorCode::kMalformed);
        BOOST_TEST(!r.error().message.empty());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(serialize) {
  BOOST_TEST(hx(ResponseApdu(h("01 02 03"), 0x6985).serialize()) == "0102036985");
  BOOST_TEST(hx(ResponseApdu(0x9000).serialize()) == "9000");
  BOOST_TEST(hx(ResponseApdu(Bytes{}, 0x6283).serialize()) == "6283");
  // A default response says "no precise diagnosis".
  BOOST_TEST(hx(ResponseApdu().serialize()) == "6F00");
  BOOST_TEST(ResponseApdu().sw1() == 0x6F);
  BOOST_TEST(ResponseApdu().sw2() == 0x00);
}

BOOST_AUTO_TEST_CASE(accessors_of_constructed_response) {
  const ResponseApdu r(h("AA"), 0x63C2);
  BOOST_TEST(r.sw1() == 0x63);
  BOOST_TEST(r.sw2() == 0xC2);
  BOOST_TEST(r.sw() == 0x63C2);
  BOOST_TEST(hx(r.data()) == "AA");
}

BOOST_AUTO_TEST_CASE(round_trips) {
  Bytes big(65536);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
  Bytes bigRaw = big;
  bigRaw.push_back(0x90);
  bigRaw.push_back(0x00);
  Bytes b256(256, 0x5A);
  b256.push_back(0x61);
  b256.push_back(0x00);
  for (const Bytes& raw : {h("90 00"), h("00 00"), h("FF FF"), h("01 90 00"), b256, bigRaw}) {
    BOOST_TEST_CONTEXT(raw.size() << " bytes") {
      const auto r = parseOk(raw);
      BOOST_TEST(r.data().size() == raw.size() - 2);
      BOOST_TEST(r.sw1() == raw[raw.size() - 2]);
      BOOST_TEST(r.sw2() == raw[raw.size() - 1]);
      BOOST_TEST((r.serialize() == raw));
    }
  }
}

BOOST_AUTO_TEST_CASE(equality) {
  BOOST_TEST((parseOk(h("01 90 00")) == ResponseApdu(h("01"), 0x9000)));
  BOOST_TEST(!(parseOk(h("01 90 00")) == ResponseApdu(h("02"), 0x9000)));
  BOOST_TEST(!(parseOk(h("01 90 00")) == ResponseApdu(h("01"), 0x9001)));
  BOOST_TEST(!(parseOk(h("90 00")) == ResponseApdu(h("00"), 0x9000)));
}
