#define BOOST_TEST_MODULE transport_rules_test
#include <boost/test/unit_test.hpp>

#include "apdu/card_channel.h"
#include "apdu/status_word.h"
#include "tests/support/card_fixture.h"
#include "tests/support/raw_bytes.h"

using namespace epurse;
using namespace epurse::testing;

namespace {

Bytes pattern(std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i);
  return out;
}
CommandApdu patternCmd(std::uint16_t n, std::optional<std::uint32_t> ne) {
  return CommandApdu(kEchoCla, kInsPattern, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n), {}, ne);
}
CommandApdu getResponse(std::uint32_t ne) { return CommandApdu(0x00, kInsGetResponse, 0, 0, {}, ne); }
Bytes slice(const Bytes& b, std::size_t from, std::size_t n) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(from + n));
}

}  // namespace

// ---- T=1 ----

BOOST_AUTO_TEST_CASE(t1_response_longer_than_ne_is_chained_with_61xx) {
  EchoCardFixture card(TransportProtocol::kT1);
  card.selectEcho();
  auto first = card.raw(patternCmd(300, 256));
  BOOST_TEST(first.data() == slice(pattern(300), 0, 256));
  BOOST_TEST(first.sw() == sw::bytesAvailable(44));
  auto rest = card.raw(getResponse(256));
  BOOST_TEST(rest.data() == slice(pattern(300), 256, 44));
  BOOST_TEST(rest.sw() == sw::kSuccess);
  auto whole = card.send(patternCmd(300, 256));  // the channel hides all of it
  BOOST_TEST(whole.data() == pattern(300));
  BOOST_TEST(whole.sw() == sw::kSuccess);
}

BOOST_AUTO_TEST_CASE(t1_extended_le_returns_everything_at_once) {
  EchoCardFixture card(TransportProtocol::kT1);
  card.selectEcho();
  auto r = card.raw(patternCmd(5000, 65536));
  BOOST_TEST(r.sw() == sw::kSuccess);
  BOOST_TEST(r.data() == pattern(5000));
  Bytes big(3000, 0x5A);
  auto e = card.raw(CommandApdu(kEchoCla, kInsEcho, 0, 0, big, 65536));
  BOOST_TEST(e.data() == big);
}

BOOST_AUTO_TEST_CASE(t1_data_without_le_is_offered_with_61xx) {
  EchoCardFixture card(TransportProtocol::kT1);
  card.selectEcho();
  auto r = card.raw(CommandApdu(kEchoCla, kInsEcho, 0, 0, Bytes{1, 2, 3}));
  BOOST_TEST(r.data().empty());
  BOOST_TEST(r.sw() == sw::bytesAvailable(3));
  BOOST_TEST(card.send(CommandApdu(kEchoCla, kInsEcho, 0, 0, Bytes{1, 2, 3})).data() == (Bytes{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(t1_le_larger_than_the_answer_is_fine) {
  EchoCardFixture card(TransportProtocol::kT1);
  card.selectEcho();
  auto r = card.raw(patternCmd(10, 200));
  BOOST_TEST(r.sw() == sw::kSuccess);
  BOOST_TEST(r.data() == pattern(10));
}

// ---- T=0 ----

BOOST_AUTO_TEST_CASE(t0_case4_answers_61xx_then_get_response) {
  EchoCardFixture card(TransportProtocol::kT0);
  card.selectEcho();
  auto r = card.raw(CommandApdu(kEchoCla, kInsEcho, 0, 0, Bytes{9, 8, 7, 6}, 256));
  BOOST_TEST(r.data().empty());
  BOOST_TEST(r.sw() == sw::bytesAvailable(4));
  auto g = card.raw(getResponse(4));
  BOOST_TEST(g.data() == (Bytes{9, 8, 7, 6}));
  BOOST_TEST(g.sw() == sw::kSuccess);
  BOOST_TEST(card.raw(getResponse(4)).sw() == sw::kConditionsNotSatisfied);  // nothing left
}

BOOST_AUTO_TEST_CASE(t0_select_fci_comes_through_get_response) {
  EchoCardFixture card(TransportProtocol::kT0);
  auto r = card.selectEcho();
  BOOST_TEST(r.sw() == sw::bytesAvailable(22));
  auto viaChannel = card.send(CommandApdu(0x00, kInsSelect, 0x04, 0x00, kEchoAid, 256));
  BOOST_TEST(viaChannel.sw() == sw::kSuccess);
  BOOST_TEST(viaChannel.data().size() == 22u);
  BOOST_TEST(viaChannel.data()[0] == 0x6F);
}

BOOST_AUTO_TEST_CASE(t0_case2_wrong_le_gets_6cxx_and_the_resend_does_not_rerun_the_command) {
  EchoCardFixture card(TransportProtocol::kT0);
  card.selectEcho();
  auto wrong = card.raw(CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 1));
  BOOST_TEST(wrong.sw() == sw::wrongLe(4));
  BOOST_TEST(wrong.data().empty());
  auto right = card.raw(CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 4));
  BOOST_TEST(right.sw() == sw::kSuccess);
  BOOST_TEST(right.data() == (Bytes{1, 1, 0, 1}));  // BUMP ran once, not twice
  auto next = card.raw(CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 4));
  BOOST_TEST(next.data() == (Bytes{2, 2, 0, 1}));
  // The channel resends by itself.
  auto viaChannel = card.send(CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 2));
  BOOST_TEST(viaChannel.sw() == sw::kSuccess);
  BOOST_TEST(viaChannel.data() == (Bytes{3, 3, 0, 1}));
}

BOOST_AUTO_TEST_CASE(t0_wrong_le_answer_is_dropped_by_any_other_command) {
  EchoCardFixture card(TransportProtocol::kT0);
  card.selectEcho();
  BOOST_TEST(card.raw(CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 1)).sw() == sw::wrongLe(4));
  BOOST_TEST(card.raw(patternCmd(3, 3)).sw() == sw::kSuccess);
  auto r = card.raw(CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 4));  // runs afresh
  BOOST_TEST(r.data() == (Bytes{2, 2, 0, 1}));
}

BOOST_AUTO_TEST_CASE(t0_long_answer_in_256_byte_pieces) {
  EchoCardFixture card(TransportProtocol::kT0);
  card.selectEcho();
  const Bytes all = pattern(600);
  auto a = card.raw(patternCmd(600, 256));
  BOOST_TEST(a.data() == slice(all, 0, 256));
  BOOST_TEST(a.sw() == sw::bytesAvailable(0));  // 344 left: 61 00 means 256 or more
  auto b = card.raw(getResponse(256));
  BOOST_TEST(b.data() == slice(all, 256, 256));
  BOOST_TEST(b.sw() == sw::bytesAvailable(88));
  auto tooMuch = card.raw(getResponse(256));  // T=0: Le must match what is left
  BOOST_TEST(tooMuch.sw() == sw::wrongLe(88));
  auto c = card.raw(getResponse(88));
  BOOST_TEST(c.data() == slice(all, 512, 88));
  BOOST_TEST(c.sw() == sw::kSuccess);
  auto viaChannel = card.send(patternCmd(600, 256));
  BOOST_TEST(viaChannel.data() == all);
  BOOST_TEST(viaChannel.sw() == sw::kSuccess);
}

BOOST_AUTO_TEST_CASE(t0_refuses_extended_apdus) {
  EchoCardFixture card(TransportProtocol::kT0);
  card.selectEcho();
  auto r = card.raw(patternCmd(10, 65536));
  BOOST_TEST(r.sw() == sw::kWrongLength);
  CommandApdu forced(kEchoCla, kInsEcho, 0, 0, Bytes{1}, 1);
  forced.setExtended(true);
  BOOST_TEST(card.raw(forced).sw() == sw::kWrongLength);
}

BOOST_AUTO_TEST_CASE(get_response_misuse) {
  EchoCardFixture card(TransportProtocol::kT0);
  card.selectEcho();                                          // leaves its FCI pending (61 16)
  BOOST_TEST(card.raw(patternCmd(1, 1)).sw() == sw::kSuccess);  // which this drops
  BOOST_TEST(card.raw(getResponse(10)).sw() == sw::kConditionsNotSatisfied);
  card.raw(CommandApdu(kEchoCla, kInsEcho, 0, 0, Bytes{1, 2}, 256));
  BOOST_TEST(card.raw(CommandApdu(0x00, kInsGetResponse, 1, 0, {}, 2)).sw() == sw::kIncorrectP1P2);
  BOOST_TEST(card.raw(CommandApdu(0x00, kInsGetResponse, 0, 0)).sw() == sw::kWrongLength);
  BOOST_TEST(card.raw(CommandApdu(0x01, kInsGetResponse, 0, 0, {}, 2)).sw() == sw::kLogicalChannelNotSupported);
  card.raw(CommandApdu(kEchoCla, kInsEcho, 0, 0, Bytes{1, 2}, 256));  // the refusal above dropped it
  BOOST_TEST(card.raw(getResponse(2)).data() == (Bytes{1, 2}));  // still pending after misuse
  card.raw(CommandApdu(kEchoCla, kInsEcho, 0, 0, Bytes{3, 4}, 256));
  card.raw(patternCmd(1, 1));  // another command drops what was pending
  BOOST_TEST(card.raw(getResponse(2)).sw() == sw::kConditionsNotSatisfied);
}

BOOST_AUTO_TEST_CASE(pending_response_is_lost_on_reset) {
  EchoCardFixture card(TransportProtocol::kT0);
  card.selectEcho();
  card.raw(CommandApdu(kEchoCla, kInsEcho, 0, 0, Bytes{1, 2}, 256));
  card.os().reset();
  BOOST_TEST(card.raw(getResponse(2)).sw() == sw::kConditionsNotSatisfied);
}

// ---- the terminal's side against a card that misbehaves ----

namespace {
class EndlessChainCard final : public CardChannel {
 public:
  int calls = 0;
  Result<Bytes> transmitRaw(ByteView) override {
    ++calls;
    Bytes out(256, 0xAB);
    appendU16(out, sw::bytesAvailable(0));
    return out;
  }
};
class GarbageCard final : public CardChannel {
 public:
  Result<Bytes> transmitRaw(ByteView) override { return Bytes{0x90}; }
};
}  // namespace

BOOST_AUTO_TEST_CASE(channel_stops_a_card_that_never_ends_its_answer) {
  EndlessChainCard card;
  auto r = card.transmit(CommandApdu(0x00, 0xB0, 0, 0, {}, 256));
  BOOST_TEST(!r.isOk());
  BOOST_TEST((r.error().code == ErrorCode::kProtocol));
  BOOST_TEST(card.calls < 300);
}

BOOST_AUTO_TEST_CASE(channel_reports_a_response_without_status_word) {
  GarbageCard card;
  auto r = card.transmit(CommandApdu(0x00, 0xB0, 0, 0, {}, 256));
  BOOST_TEST(!r.isOk());
  BOOST_TEST((r.error().code == ErrorCode::kMalformed));
}
