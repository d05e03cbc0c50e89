#define BOOST_TEST_MODULE vpcd_link_test
#include <boost/test/unit_test.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <thread>

#include "apdu/status_word.h"
#include "card/vpcd/vpcd_card_server.h"
#include "card/vpcd/vpcd_protocol.h"
#include "tests/support/card_fixture.h"
#include "tests/support/fake_vpcd.h"
#include "tests/support/raw_bytes.h"

using namespace epurse;
using namespace epurse::testing;
using namespace std::chrono_literals;
namespace vpcd = epurse::card::vpcd;

namespace {

// An echo card served over vpcd from a thread, as epurse-card serves it.
class CardOnVpcd {
 public:
  explicit CardOnVpcd(std::uint16_t port, TransportProtocol protocol = TransportProtocol::kT1)
      : card_(protocol), wake_(::eventfd(0, EFD_CLOEXEC)) {
    card_.os().powerOff();  // vpcd powers it
    thread_ = std::thread([this, port] {
      card::CardOsOnVpcd target(card_.os());
      card::ReconnectPolicy fast{5ms, 100ms};
      card::runVpcdClient({"127.0.0.1", port}, target, wake_, [](const std::string&) {}, fast);
      done_ = true;
    });
  }
  ~CardOnVpcd() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    const std::uint64_t one = 1;
    BOOST_TEST(::write(wake_, &one, sizeof one) == 8);
    thread_.join();
    ::close(wake_);
  }
  bool done() const { return done_; }
  EchoCardFixture& card() { return card_; }

 private:
  EchoCardFixture card_;
  int wake_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

std::unique_ptr<FakeVpcd> listening() {
  auto v = FakeVpcd::listen();
  BOOST_TEST_REQUIRE(v.isOk());
  return std::move(*v);
}

Bytes apdu(const CommandApdu& c) { return c.serialize(); }
const CommandApdu kSelect(0x00, kInsSelect, 0x04, 0x0C, kEchoAid);
const CommandApdu kBump(kEchoCla, kInsBump, 0, 0, {}, 4);
Bytes ok(Bytes data) {
  appendU16(data, sw::kSuccess);
  return data;
}
Bytes swBytes(sw::StatusWord s) { return Bytes{sw::sw1(s), sw::sw2(s)}; }

}  // namespace

BOOST_AUTO_TEST_CASE(get_atr_is_answered_and_changes_nothing) {
  auto vpcd = listening();
  CardOnVpcd card(vpcd->port());
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  auto atr = vpcd->exchange(Bytes{vpcd::kGetAtr});
  BOOST_TEST_REQUIRE(atr.isOk());
  BOOST_TEST(*atr == card.card().os().atr());
  BOOST_TEST_REQUIRE(vpcd->sendControl(vpcd::kPowerOn).isOk());
  BOOST_TEST(*vpcd->exchange(apdu(kSelect)) == ok({}));
  // The fixture powered the card once before vpcd did: this is power-up number 2.
  BOOST_TEST(*vpcd->exchange(apdu(kBump)) == ok({1, 1, 0, 2}));
  const auto ops = card.card().env().operations();
  for (int i = 0; i < 20; ++i) BOOST_TEST(*vpcd->exchange(Bytes{vpcd::kGetAtr}) == card.card().os().atr());
  // Still powered, still selected, transient state intact, nothing written.
  BOOST_TEST(*vpcd->exchange(apdu(kBump)) == ok({2, 2, 0, 2}));
  BOOST_TEST(card.card().env().operations() == ops);
}

BOOST_AUTO_TEST_CASE(power_controls_get_no_reply_and_the_stream_stays_in_step) {
  auto vpcd = listening();
  CardOnVpcd card(vpcd->port());
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  for (std::uint8_t control : {vpcd::kPowerOn, vpcd::kReset, vpcd::kPowerOff, vpcd::kPowerOn}) {
    BOOST_TEST_REQUIRE(vpcd->sendControl(control).isOk());
    BOOST_TEST(vpcd->staysQuiet(300ms), "card answered control code " << int(control));
  }
  // The very next reply belongs to the very next request.
  BOOST_TEST(*vpcd->exchange(Bytes{vpcd::kGetAtr}) == card.card().os().atr());
  BOOST_TEST(*vpcd->exchange(apdu(kSelect)) == ok({}));
}

BOOST_AUTO_TEST_CASE(power_off_and_reset_clear_transient_state_and_selection) {
  auto vpcd = listening();
  CardOnVpcd card(vpcd->port());
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  BOOST_TEST_REQUIRE(vpcd->sendControl(vpcd::kPowerOn).isOk());
  BOOST_TEST(*vpcd->exchange(apdu(kSelect)) == ok({}));
  BOOST_TEST(*vpcd->exchange(apdu(kBump)) == ok({1, 1, 0, 2}));  // power-up 1 was the fixture's
  BOOST_TEST_REQUIRE(vpcd->sendControl(vpcd::kReset).isOk());
  BOOST_TEST(*vpcd->exchange(apdu(kBump)) == swBytes(sw::kInsNotSupported));  // nothing selected
  BOOST_TEST(*vpcd->exchange(apdu(kSelect)) == ok({}));
  BOOST_TEST(*vpcd->exchange(apdu(kBump)) == ok({1, 1, 0, 3}));  // counters cleared, power-up #3
  BOOST_TEST_REQUIRE(vpcd->sendControl(vpcd::kPowerOff).isOk());
  BOOST_TEST_REQUIRE(vpcd->sendControl(vpcd::kPowerOn).isOk());
  BOOST_TEST(*vpcd->exchange(apdu(kSelect)) == ok({}));
  BOOST_TEST(*vpcd->exchange(apdu(kBump)) == ok({1, 1, 0, 4}));
}

BOOST_AUTO_TEST_CASE(every_apdu_gets_at_least_a_status_word) {
  auto vpcd = listening();
  CardOnVpcd card(vpcd->port());
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  for (const Bytes& junk : {Bytes{0x80, 0x10}, Bytes{0x80, 0x10, 0x00}, Bytes{0x00, 0xA4, 0x04, 0x00, 0x09, 0x01}}) {
    auto r = vpcd->exchange(junk);
    BOOST_TEST_REQUIRE(r.isOk());
    BOOST_TEST(*r == swBytes(sw::kWrongLength));
  }
  auto noApplet = vpcd->exchange(apdu(kBump));
  BOOST_TEST(*noApplet == swBytes(sw::kInsNotSupported));
  BOOST_TEST(*vpcd->exchange(apdu(kSelect)) == ok({}));
  Bytes big(4000, 0x3C);
  BOOST_TEST(*vpcd->exchange(apdu(CommandApdu(kEchoCla, kInsEcho, 0, 0, big, 65536))) == ok(big));
}

BOOST_AUTO_TEST_CASE(messages_split_any_way_are_read_whole) {
  auto vpcd = listening();
  CardOnVpcd card(vpcd->port());
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  for (Split split : {Split::kLikeVpcd, Split::kOneWrite, Split::kByteByByte}) {
    BOOST_TEST_REQUIRE(vpcd->send(apdu(kSelect), split).isOk());
    BOOST_TEST(*vpcd->receive(2s) == ok({}));
    BOOST_TEST_REQUIRE(vpcd->send(Bytes{vpcd::kGetAtr}, split).isOk());
    BOOST_TEST(*vpcd->receive(2s) == card.card().os().atr());
  }
}

BOOST_AUTO_TEST_CASE(card_reconnects_when_vpcd_restarts_and_keeps_its_state) {
  auto vpcd = listening();
  const std::uint16_t port = vpcd->port();
  CardOnVpcd card(port);
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  BOOST_TEST(*vpcd->exchange(apdu(kSelect)) == ok({}));
  BOOST_TEST(*vpcd->exchange(apdu(CommandApdu(kEchoCla, kInsStore, 0, 0, toBytes("kept")))) == ok({}));
  vpcd.reset();  // pcscd stops: listener and connection gone
  std::this_thread::sleep_for(200ms);  // the card retries against nothing meanwhile
  auto again = FakeVpcd::listen(port);
  BOOST_TEST_REQUIRE(again.isOk());
  BOOST_TEST_REQUIRE((*again)->accept(5s).isOk());
  BOOST_TEST(*(*again)->exchange(Bytes{vpcd::kGetAtr}) == card.card().os().atr());
  // The link loss powered the card off: nothing is selected any more; the store is intact.
  BOOST_TEST(*(*again)->exchange(apdu(kBump)) == swBytes(sw::kInsNotSupported));
  BOOST_TEST(*(*again)->exchange(apdu(kSelect)) == ok({}));
  Bytes expected;
  appendU32(expected, 1);
  appendBytes(expected, toBytes("kept"));
  BOOST_TEST(*(*again)->exchange(apdu(CommandApdu(kEchoCla, kInsLoad, 0, 0, {}, 256))) == ok(expected));
}

BOOST_AUTO_TEST_CASE(connection_closed_mid_message_is_survived) {
  auto vpcd = listening();
  CardOnVpcd card(vpcd->port());
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  // Half a frame: the length of a 9-byte APDU and 3 of its bytes, then the link drops.
  BOOST_TEST_REQUIRE(vpcd->send(Bytes{0x00, 0x09}, Split::kOneWrite).isOk());
  vpcd->closeClient();
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  BOOST_TEST(*vpcd->exchange(Bytes{vpcd::kGetAtr}) == card.card().os().atr());
}

BOOST_AUTO_TEST_CASE(unknown_control_code_is_ignored) {
  auto vpcd = listening();
  CardOnVpcd card(vpcd->port());
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  BOOST_TEST_REQUIRE(vpcd->sendControl(0x07).isOk());
  BOOST_TEST(vpcd->staysQuiet(200ms));
  BOOST_TEST(*vpcd->exchange(Bytes{vpcd::kGetAtr}) == card.card().os().atr());
}

BOOST_AUTO_TEST_CASE(wake_up_stops_the_client_connected_or_not) {
  {
    auto vpcd = listening();
    CardOnVpcd card(vpcd->port());
    BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
    card.stop();
    BOOST_TEST(card.done());
    auto r = vpcd->receive(1s);  // the card closed its end
    BOOST_TEST(!r.isOk());
    BOOST_TEST((r.error().code == ErrorCode::kCardRemoved));
  }
  {
    auto vpcd = listening();
    const auto port = vpcd->port();
    vpcd.reset();  // nobody listens: the card keeps retrying until told to stop
    CardOnVpcd card(port);
    std::this_thread::sleep_for(100ms);
    card.stop();
    BOOST_TEST(card.done());
  }
}

BOOST_AUTO_TEST_CASE(t0_card_over_vpcd_uses_get_response) {
  auto vpcd = listening();
  CardOnVpcd card(vpcd->port(), TransportProtocol::kT0);
  BOOST_TEST_REQUIRE(vpcd->accept(5s).isOk());
  BOOST_TEST(*vpcd->exchange(Bytes{vpcd::kGetAtr}) == card.card().os().atr());
  BOOST_TEST(*vpcd->exchange(apdu(CommandApdu(0x00, kInsSelect, 0x04, 0x00, kEchoAid, 256))) ==
             swBytes(sw::bytesAvailable(22)));
  auto fci = vpcd->exchange(apdu(CommandApdu(0x00, kInsGetResponse, 0, 0, {}, 22)));
  BOOST_TEST_REQUIRE(fci.isOk());
  BOOST_TEST(fci->size() == 24u);
  BOOST_TEST((*fci)[0] == 0x6F);
}
