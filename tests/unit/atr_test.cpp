#define BOOST_TEST_MODULE atr_test
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "apdu/atr.h"
#include "card/runtime/card_atr.h"
#include "tests/support/test_bytes.h"

using namespace epurse;
using namespace epurse::testing;

namespace {

// "{0,1}": the offered protocols as text, for readable failures.
std::string protocols(const AtrInfo& info) {
  std::string s = "{";
  for (std::size_t i = 0; i < info.protocols.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(info.protocols[i]);
  }
  return s + "}";
}

// XOR of every byte after TS: 0 for an ATR whose TCK is right.
std::uint8_t xorAfterTs(const Bytes& atr) {
  std::uint8_t x = 0;
  for (std::size_t i = 1; i < atr.size(); ++i) x ^= atr[i];
  return x;
}

// Appends the TCK that makes xorAfterTs() zero.
Bytes withTck(Bytes atr) {
  atr.push_back(xorAfterTs(atr));
  return atr;
}

// Historical bytes of an epurse card, written out from the documented layout.
const std::string kHistT1 = "80" "56" "657075727365" "73800040";  // 80, 56 "epurse", 73 80 00 40
const std::string kHistT0 = "80" "56" "657075727365" "73800000";  // ... 73 80 00 00

AtrInfo parseOk(const Bytes& atr) {
  auto r = parseAtr(atr);
  BOOST_TEST_REQUIRE(r.isOk(), "parseAtr(" << hx(atr) << ") failed: " << (r.isOk() ? "" : r.error().toString()));
  return *r;
}

void checkRejected(const Bytes& atr, const std::string& what) {
  BOOST_TEST_CONTEXT(what << " [" << hx(atr) << "]") {
    const ExactBuffer exact(atr);
    auto r = parseAtr(exact.view());
    BOOST_TEST(!r.isOk());
    if (!r.isOk()) BOOST_TEST(r.error().code == ErrorCode::kMalformed);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(historical_bytes)

BOOST_AUTO_TEST_CASE(t1_content) {
  const Bytes hist = card::epurseHistoricalBytes(TransportProtocol::kT1);
  BOOST_TEST(hist.size() == 12u);
  BOOST_TEST(hx(hist) == kHistT1);
  BOOST_TEST(hist[0] == 0x80);                                  // COMPACT-TLV follows
  BOOST_TEST(std::string(hist.begin() + 2, hist.begin() + 8) == "epurse");
}

BOOST_AUTO_TEST_CASE(t0_content_does_not_announce_extended_lengths) {
  const Bytes hist = card::epurseHistoricalBytes(TransportProtocol::kT0);
  BOOST_TEST(hist.size() == 12u);
  BOOST_TEST(hx(hist) == kHistT0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(build)

BOOST_AUTO_TEST_CASE(t1_atr_exact_bytes) {
  const Bytes atr = buildAtr(TransportProtocol::kT1, card::epurseHistoricalBytes(TransportProtocol::kT1));
  // TCK E6 = 8C^81^31^FE^45^80^56^65^70^75^72^73^65^73^80^00^40, worked out by hand.
  BOOST_TEST(hx(atr) == "3B8C8131FE45" + kHistT1 + "E6");
  BOOST_TEST(atr.size() == 19u);
  BOOST_TEST(xorAfterTs(atr) == 0);
}

BOOST_AUTO_TEST_CASE(t0_atr_has_no_tck) {
  const Bytes atr = buildAtr(TransportProtocol::kT0, card::epurseHistoricalBytes(TransportProtocol::kT0));
  BOOST_TEST(hx(atr) == "3B0C" + kHistT0);
  BOOST_TEST(atr.size() == 14u);
  BOOST_TEST(atr[1] == 0x0C);
}

BOOST_AUTO_TEST_CASE(without_historical_bytes) {
  BOOST_TEST(hx(buildAtr(TransportProtocol::kT0, {})) == "3B00");
  // TCK 8B = 80^81^31^FE^45
  BOOST_TEST(hx(buildAtr(TransportProtocol::kT1, {})) == "3B808131FE458B");
}

BOOST_AUTO_TEST_CASE(fifteen_historical_bytes_is_the_maximum) {
  const Bytes hist = h("01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F");
  const Bytes t1 = buildAtr(TransportProtocol::kT1, hist);
  BOOST_TEST(t1.size() == 22u);
  BOOST_TEST(hx(Bytes(t1.begin(), t1.end() - 1)) == "3B8F8131FE45" + hx(hist));
  BOOST_TEST(xorAfterTs(t1) == 0);
  const Bytes t0 = buildAtr(TransportProtocol::kT0, hist);
  BOOST_TEST(hx(t0) == "3B0F" + hx(hist));
}

BOOST_AUTO_TEST_CASE(sixteen_historical_bytes_throw) {
  const Bytes hist(16, 0x41);
  BOOST_CHECK_THROW(buildAtr(TransportProtocol::kT1, hist), std::length_error);
  BOOST_CHECK_THROW(buildAtr(TransportProtocol::kT0, hist), std::length_error);
  BOOST_CHECK_THROW(buildAtr(TransportProtocol::kT0, Bytes(200, 0)), std::length_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(parse)

BOOST_AUTO_TEST_CASE(our_t1_atr) {
  const Bytes atr = h("3B 8C 81 31 FE 45 80 56 65 70 75 72 73 65 73 80 00 40 E6");
  const AtrInfo info = parseOk(atr);
  BOOST_TEST(protocols(info) == "{1}");
  BOOST_TEST(hx(info.historical) == kHistT1);
  BOOST_TEST(info.hasTck);
}

BOOST_AUTO_TEST_CASE(our_t0_atr) {
  const Bytes atr = h("3B 0C 80 56 65 70 75 72 73 65 73 80 00 00");
  const AtrInfo info = parseOk(atr);
  BOOST_TEST(protocols(info) == "{0}");
  BOOST_TEST(hx(info.historical) == kHistT0);
  BOOST_TEST(!info.hasTck);
}

BOOST_AUTO_TEST_CASE(build_then_parse_round_trips) {
  for (std::size_t k = 0; k <= 15; ++k) {
    BOOST_TEST_CONTEXT(k << " historical bytes") {
      Bytes hist(k);
      for (std::size_t i = 0; i < k; ++i) hist[i] = static_cast<std::uint8_t>(0xA0 + i);
      const AtrInfo t1 = parseOk(buildAtr(TransportProtocol::kT1, hist));
      BOOST_TEST(protocols(t1) == "{1}");
      BOOST_TEST(hx(t1.historical) == hx(hist));
      BOOST_TEST(t1.hasTck);
      const AtrInfo t0 = parseOk(buildAtr(TransportProtocol::kT0, hist));
      BOOST_TEST(protocols(t0) == "{0}");
      BOOST_TEST(hx(t0.historical) == hx(hist));
      BOOST_TEST(!t0.hasTck);
    }
  }
}

BOOST_AUTO_TEST_CASE(minimal_atrs) {
  const AtrInfo a = parseOk(h("3B 00"));
  BOOST_TEST(protocols(a) == "{0}");
  BOOST_TEST(a.historical.empty());
  BOOST_TEST(!a.hasTck);
  // TS 3F: inverse convention, as a reader reports it after decoding.
  const AtrInfo b = parseOk(h("3F 00"));
  BOOST_TEST(protocols(b) == "{0}");
}

// 33 bytes is the longest ATR ISO/IEC 7816-3 allows: 32 after TS.
BOOST_AUTO_TEST_CASE(thirty_three_bytes_accepted) {
  // T0=FF: TA1..TD1 and 15 historical bytes; TD1=F1, TD2=F1: full groups 2 and 3;
  // TD3=B1: TA4 TB4 TD4 (no TC4); TD4=01 ends. 1+1+4+4+4+3+15+1 = 33.
  const Bytes atr = withTck(cat({h("3B FF"), h("11 00 00 F1"), h("FE 45 00 F1"), h("FE 45 00 B1"),
                                 h("FE 45 01"), h("01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F")}));
  BOOST_TEST_REQUIRE(atr.size() == 33u);
  const AtrInfo info = parseOk(atr);
  BOOST_TEST(protocols(info) == "{1}");
  BOOST_TEST(hx(info.historical) == "0102030405060708090A0B0C0D0E0F");
  BOOST_TEST(info.hasTck);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(real_world)

// Each of these was checked by hand: the structure adds up and XOR(T0..TCK) is 0.
BOOST_AUTO_TEST_CASE(nxp_jcop_t1) {
  const Bytes atr = h("3B F8 13 00 00 81 31 FE 45 4A 43 4F 50 76 32 34 31 B7");
  BOOST_TEST(xorAfterTs(atr) == 0);
  const AtrInfo info = parseOk(atr);
  BOOST_TEST(protocols(info) == "{1}");
  BOOST_TEST(std::string(info.historical.begin(), info.historical.end()) == "JCOPv241");
  BOOST_TEST(info.hasTck);
}

BOOST_AUTO_TEST_CASE(yubikey_t1) {
  const Bytes atr = h("3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40");
  BOOST_TEST(xorAfterTs(atr) == 0);
  const AtrInfo info = parseOk(atr);
  BOOST_TEST(protocols(info) == "{1}");
  BOOST_TEST(info.historical.size() == 13u);
  BOOST_TEST(std::string(info.historical.end() - 7, info.historical.end()) == "YubiKey");
  BOOST_TEST(info.hasTck);
}

BOOST_AUTO_TEST_CASE(estonian_id_t0_and_t1) {
  // TD1=80: T=0, TD2 follows; TD2=31: TA3 TB3, T=1.
  const Bytes atr = h("3B FA 18 00 00 80 31 FE 45 FE 65 49 44 20 2F 20 50 4B 49 03");
  BOOST_TEST(xorAfterTs(atr) == 0);
  const AtrInfo info = parseOk(atr);
  BOOST_TEST(protocols(info) == "{0,1}");
  BOOST_TEST(std::string(info.historical.begin() + 1, info.historical.end()) == "eID / PKI");
  BOOST_TEST(info.hasTck);
}

BOOST_AUTO_TEST_CASE(pcsc_contactless_storage_card) {
  // PC/SC part 3 ATR for a MIFARE Classic 1K: TD1=80 T=0, TD2=01 T=1, 15 historical bytes.
  const Bytes atr = h("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A");
  BOOST_TEST(xorAfterTs(atr) == 0);
  const AtrInfo info = parseOk(atr);
  BOOST_TEST(protocols(info) == "{0,1}");
  BOOST_TEST(hx(info.historical) == "804F0CA00000030603000100000000");
  BOOST_TEST(info.hasTck);
}

BOOST_AUTO_TEST_CASE(belgian_eid_t0_only) {
  // T0=98: TA1, TD1, 8 historical bytes; TD1=40: TC2, T=0. Only T=0, so no TCK.
  const Bytes atr = h("3B 98 13 40 0A A5 03 01 01 01 AD 13 11");
  const AtrInfo info = parseOk(atr);
  BOOST_TEST(protocols(info) == "{0}");
  BOOST_TEST(hx(info.historical) == "A503010101AD1311");
  BOOST_TEST(!info.hasTck);
}

BOOST_AUTO_TEST_CASE(multiflex_t0_no_interface_bytes) {
  const AtrInfo info = parseOk(h("3B 02 14 50"));
  BOOST_TEST(protocols(info) == "{0}");
  BOOST_TEST(hx(info.historical) == "1450");
  BOOST_TEST(!info.hasTck);
}

BOOST_AUTO_TEST_CASE(real_world_atrs_with_one_bad_bit_are_rejected) {
  checkRejected(h("3B F8 13 00 00 81 31 FE 45 4A 43 4F 50 76 32 34 31 B6"), "JCOP, TCK off by one bit");
  checkRejected(h("3B F8 13 00 00 81 31 FE 45 4A 43 4F 50 76 32 34 30 B7"), "JCOP, historical byte changed");
  checkRejected(h("3B FA 18 00 00 80 31 FE 45 FE 65 49 44 20 2F 20 50 4B 49"), "EstEID without TCK");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(t15_global_interface_bytes)

// ISO/IEC 7816-3 8.2.3: T=15 in a TDi "does not refer to a transmission protocol, but only
// qualifies global interface bytes". It makes TCK mandatory but is not an offered protocol.
BOOST_AUTO_TEST_CASE(tck_required_with_t0_and_t15) {
  // TD1=80: T=0, TD2 follows; TD2=1F: TA3 follows, T=15; TA3=03 (class A and B).
  const Bytes noTck = h("3B 80 80 1F 03");
  checkRejected(noTck, "T=0 + T=15 without TCK");
  const AtrInfo info = parseOk(withTck(noTck));
  BOOST_TEST(info.hasTck);
  BOOST_TEST(info.historical.empty());
}

BOOST_AUTO_TEST_CASE(t15_is_not_listed_as_a_protocol) {
  const AtrInfo t0 = parseOk(withTck(h("3B 80 80 1F 03")));
  BOOST_TEST(protocols(t0) == "{0}");
  // TD1=81: T=1, TD2 follows; TD2=1F: TA3, T=15; TA3=07; two historical bytes.
  const AtrInfo t1 = parseOk(withTck(h("3B 82 81 1F 07 AB CD")));
  BOOST_TEST(protocols(t1) == "{1}");
  BOOST_TEST(hx(t1.historical) == "ABCD");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(malformed)

BOOST_AUTO_TEST_CASE(wrong_tck) {
  checkRejected(h("3B 8C 81 31 FE 45 80 56 65 70 75 72 73 65 73 80 00 40 E7"), "TCK E7 instead of E6");
  checkRejected(h("3B 8C 81 31 FE 45 80 56 65 70 75 72 73 65 73 80 00 40 00"), "TCK 00");
  checkRejected(h("3B 8C 81 31 FE 45 80 56 65 70 75 72 73 65 73 80 00 00 E6"), "historical byte changed");
  checkRejected(h("3B 8C 81 31 FF 45 80 56 65 70 75 72 73 65 73 80 00 40 E6"), "interface byte changed");
}

BOOST_AUTO_TEST_CASE(missing_tck_on_t1) {
  checkRejected(h("3B 8C 81 31 FE 45 80 56 65 70 75 72 73 65 73 80 00 40"), "our T=1 ATR without TCK");
  checkRejected(h("3B 80 81 31 FE 45"), "no historical bytes, no TCK");
}

BOOST_AUTO_TEST_CASE(trailing_bytes) {
  checkRejected(h("3B 8C 81 31 FE 45 80 56 65 70 75 72 73 65 73 80 00 40 E6 00"), "T=1 + 00");
  // A trailing byte equal to 00 keeps the XOR at zero, so only the length can catch it.
  checkRejected(h("3B 0C 80 56 65 70 75 72 73 65 73 80 00 00 00"), "T=0 + 00");
  checkRejected(h("3B 0C 80 56 65 70 75 72 73 65 73 80 00 00 4A"), "T=0 + a TCK-like byte");
  checkRejected(h("3B 00 00"), "3B 00 + 00");
}

BOOST_AUTO_TEST_CASE(truncated_interface_bytes) {
  checkRejected(h("3B 8C 81 31 FE"), "TB3 missing");
  checkRejected(h("3B 8C 81 31"), "TA3 and TB3 missing");
  checkRejected(h("3B 8C 81"), "TD2 missing");
  checkRejected(h("3B 80"), "TD1 missing");
  checkRejected(h("3B F0 11 00"), "TC1 and TD1 missing");
  checkRejected(h("3B 10"), "TA1 missing");
}

BOOST_AUTO_TEST_CASE(truncated_historical_bytes) {
  checkRejected(h("3B 0C 80 56 65 70"), "12 announced, 4 there");
  checkRejected(h("3B 01"), "1 announced, none there");
}

BOOST_AUTO_TEST_CASE(bad_ts) {
  checkRejected(h("3C 0C 80 56 65 70 75 72 73 65 73 80 00 00"), "TS 3C");
  checkRejected(h("00 00"), "TS 00");
  checkRejected(h("FF 00"), "TS FF");
  checkRejected(h("3B"), "TS alone");
  checkRejected(Bytes{}, "empty");
}

BOOST_AUTO_TEST_CASE(longer_than_33_bytes) {
  // As the 33-byte ATR above, but with TC4 present too: 34 bytes, TCK correct.
  const Bytes atr = withTck(cat({h("3B FF"), h("11 00 00 F1"), h("FE 45 00 F1"), h("FE 45 00 F1"),
                                 h("FE 45 00 01"), h("01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F")}));
  BOOST_TEST_REQUIRE(atr.size() == 34u);
  checkRejected(atr, "34 bytes, otherwise well formed");
  checkRejected(Bytes(40, 0x3B), "40 bytes");
}

BOOST_AUTO_TEST_SUITE_END()
