// End to end through a real pcscd with the vpcd driver, started privately for this test by
// tests/pcsc/with-private-pcscd.sh (which exports EPURSE_VPCD_PORT). Card processes are the
// real card program with the echo applet; the terminal side is the real PC/SC channel, the
// epurse command, opensc-tool and pcsc_scan.
#define BOOST_TEST_MODULE pcsc_end_to_end_test
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "apdu/atr.h"
#include "apdu/pcsc_channel.h"
#include "apdu/status_word.h"
#include "base/hex.h"
#include "card/runtime/card_atr.h"
#include "card/runtime/card_os.h"
#include "tests/support/child_process.h"
#include "tests/support/echo_applet.h"
#include "tests/support/private_pcscd_readers.h"
#include "tests/support/raw_bytes.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const CommandApdu kSelectEcho(0x00, kInsSelect, 0x04, 0x00, kEchoAid, 256);

struct PcscFixture : PrivatePcscdReaders {
  PcscFixture() : PrivatePcscdReaders("epurse-e2e") {}

  std::string state(const std::string& name) const { return (dir / name).string(); }

  ChildProcess startCard(unsigned slot, const std::string& statePath, const std::string& protocol = "t1") {
    auto child = ChildProcess::start({EPURSE_ECHO_CARD, "--state", statePath, "--port", std::to_string(port + slot),
                                      "--protocol", protocol, "--quiet"},
                                     (dir / "cards.log").string());
    BOOST_TEST_REQUIRE(child.isOk());
    return std::move(*child);
  }

  void waitFor(unsigned slot, bool present) {
    auto s = context->waitForCard(readers[slot], present, kCardArrivalMs);
    BOOST_TEST_REQUIRE(s.isOk(), (s.isOk() ? "" : s.error().toString()));
  }

  std::unique_ptr<PcscChannel> connect(unsigned slot) {
    auto ch = PcscChannel::connect(*context, readers[slot]);
    BOOST_TEST_REQUIRE(ch.isOk(), (ch.isOk() ? "" : ch.error().toString()));
    return std::move(*ch);
  }

  ResponseApdu send(CardChannel& channel, const CommandApdu& command) {
    auto r = channel.transmit(command);
    BOOST_TEST_REQUIRE(r.isOk(), (r.isOk() ? "" : r.error().toString()));
    return *r;
  }

  std::string cardLog() const {
    std::ifstream in(dir / "cards.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

CommandApdu storeCmd(const Bytes& data) { return CommandApdu(kEchoCla, kInsStore, 0, 0, data); }
CommandApdu loadCmd() { return CommandApdu(kEchoCla, kInsLoad, 0, 0, {}, 65536); }

std::string lowerColonHex(const Bytes& b) {
  std::string out;
  const char* digits = "0123456789abcdef";
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i) out += ':';
    out += digits[b[i] >> 4];
    out += digits[b[i] & 0xF];
  }
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(end_to_end, PcscFixture)

BOOST_AUTO_TEST_CASE(card_appears_with_its_atr_for_every_pcsc_client) {
  auto card = startCard(0, state("a.img"));
  waitFor(0, true);
  const Bytes expectedAtr = buildAtr(TransportProtocol::kT1, card::epurseHistoricalBytes(TransportProtocol::kT1));
  auto r = context->reader(readers[0]);
  BOOST_TEST_REQUIRE(r.isOk());
  BOOST_TEST(r->cardPresent);
  BOOST_TEST(r->atr == expectedAtr);
  BOOST_TEST(!context->reader(readers[1])->cardPresent);

  auto cli = runCommand({EPURSE_CLI_PROGRAM, "readers"});
  BOOST_TEST_REQUIRE(cli.isOk());
  BOOST_TEST(cli->exitCode == 0);
  BOOST_TEST(cli->out.find("0  " + readers[0] + "  card present  ATR " + toHex(expectedAtr) + "  (T=1)") !=
                 std::string::npos,
             cli->out);
  BOOST_TEST(cli->out.find("1  " + readers[1] + "  no card") != std::string::npos, cli->out);

  auto opensc = runCommand({"opensc-tool", "--reader", "0", "--atr"});
  BOOST_TEST_REQUIRE(opensc.isOk());
  BOOST_TEST(opensc->exitCode == 0, opensc->out);
  BOOST_TEST(opensc->out.find(lowerColonHex(expectedAtr)) != std::string::npos, opensc->out);

  auto listed = runCommand({"opensc-tool", "--list-readers"});
  BOOST_TEST_REQUIRE(listed.isOk());
  BOOST_TEST(listed->out.find("0    Yes             " + readers[0]) != std::string::npos, listed->out);
  BOOST_TEST(listed->out.find("1    No              " + readers[1]) != std::string::npos, listed->out);

  auto scanReaders = runCommand({"pcsc_scan", "-r"});
  BOOST_TEST_REQUIRE(scanReaders.isOk());
  BOOST_TEST(scanReaders->out.find("0: " + readers[0]) != std::string::npos, scanReaders->out);
  BOOST_TEST(scanReaders->out.find("1: " + readers[1]) != std::string::npos, scanReaders->out);
  auto scanCards = runCommand({"pcsc_scan", "-c"});
  BOOST_TEST_REQUIRE(scanCards.isOk());
  std::string spacedAtr;
  for (std::size_t i = 0; i < expectedAtr.size(); ++i) {
    if (i) spacedAtr += ' ';
    spacedAtr += toHex(Bytes{expectedAtr[i]});
  }
  const auto reader0 = scanCards->out.find("Reader 0: " + readers[0]);
  BOOST_TEST_REQUIRE(reader0 != std::string::npos, scanCards->out);
  BOOST_TEST(scanCards->out.find("Card state: Card inserted", reader0) != std::string::npos, scanCards->out);
  BOOST_TEST(scanCards->out.find("ATR: " + spacedAtr, reader0) != std::string::npos, scanCards->out);

  card.signal(SIGTERM);
  auto rc = card.wait(5000ms);
  BOOST_TEST_REQUIRE(rc.isOk());
  BOOST_TEST(*rc == 0);  // a clean exit on SIGTERM
  waitFor(0, false);
}

BOOST_AUTO_TEST_CASE(apdus_round_trip_short_and_extended) {
  auto card = startCard(0, state("b.img"));
  waitFor(0, true);
  auto channel = connect(0);
  BOOST_TEST((channel->activeProtocol() == Protocol::kT1));
  auto fci = send(*channel, kSelectEcho);
  BOOST_TEST(fci.sw() == sw::kSuccess);
  BOOST_TEST(toHex(fci.data()) == "6F14840BF04550555253454543484FA5054543484F01");
  Bytes data(200);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(255 - i);
  BOOST_TEST(send(*channel, CommandApdu(kEchoCla, kInsEcho, 0, 0, data, 256)).data() == data);
  Bytes big(3000, 0x42);  // extended length both ways
  auto e = send(*channel, CommandApdu(kEchoCla, kInsEcho, 0, 0, big, 65536));
  BOOST_TEST(e.sw() == sw::kSuccess);
  BOOST_TEST(e.data() == big);
  auto chained = send(*channel, CommandApdu(kEchoCla, kInsPattern, 0x02, 0x58, {}, 256));  // 600 > Ne
  BOOST_TEST(chained.data().size() == 600u);
  BOOST_TEST(chained.data()[599] == static_cast<std::uint8_t>(599));
}

BOOST_AUTO_TEST_CASE(t0_card_in_the_second_reader) {
  auto card = startCard(1, state("t0.img"), "t0");
  waitFor(1, true);
  auto r = context->reader(readers[1]);
  BOOST_TEST(r->atr == buildAtr(TransportProtocol::kT0, card::epurseHistoricalBytes(TransportProtocol::kT0)));
  auto channel = connect(1);
  BOOST_TEST((channel->activeProtocol() == Protocol::kT0));
  // The raw exchange shows the T=0 behaviour; transmit() hides it.
  auto raw = channel->transmitRaw(kSelectEcho.serialize());
  BOOST_TEST_REQUIRE(raw.isOk());
  BOOST_TEST(*raw == (Bytes{0x61, 0x16}));
  auto fci = send(*channel, kSelectEcho);
  BOOST_TEST(fci.sw() == sw::kSuccess);
  BOOST_TEST(fci.data().size() == 22u);
  auto bump = send(*channel, CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 1));  // wrong Le: 6C04 then resend
  BOOST_TEST(bump.sw() == sw::kSuccess);
  BOOST_TEST(bump.data().size() == 4u);
  BOOST_TEST(bump.data()[0] == 1);  // ran once
  auto pattern = send(*channel, CommandApdu(kEchoCla, kInsPattern, 0x02, 0x58, {}, 256));
  BOOST_TEST(pattern.data().size() == 600u);
  BOOST_TEST(pattern.sw() == sw::kSuccess);
}

BOOST_AUTO_TEST_CASE(epurse_apdu_command) {
  auto card = startCard(0, state("cli.img"));
  waitFor(0, true);
  auto out = runCommand({EPURSE_CLI_PROGRAM, "apdu", "--reader", "0", "00A4040C0BF04550555253454543484F",
                         "80 10 00 00 03 01 02 03 00", "8099000000"});
  BOOST_TEST_REQUIRE(out.isOk());
  BOOST_TEST(out->exitCode == 0, out->out);
  BOOST_TEST(out->out.find("< 9000 success") != std::string::npos, out->out);
  BOOST_TEST(out->out.find("< 010203 9000 success") != std::string::npos, out->out);
  BOOST_TEST(out->out.find("< 6D00 instruction not supported") != std::string::npos, out->out);

  auto bad = runCommand({EPURSE_CLI_PROGRAM, "apdu", "--reader", "0", "00A4040C0BF04550555253454543484F", "00A4"});
  BOOST_TEST_REQUIRE(bad.isOk());
  BOOST_TEST(bad->exitCode == 2);  // usage (docs/cli.md), was 1 before the shared exit codes
  BOOST_TEST(bad->out.find("nothing was sent") != std::string::npos, bad->out);
  BOOST_TEST(bad->out.find("> ") == std::string::npos, bad->out);

  auto noReader = runCommand({EPURSE_CLI_PROGRAM, "apdu", "--reader", "7", "00A4040000"});
  BOOST_TEST(noReader->exitCode == 8);  // no reader (docs/cli.md)
  BOOST_TEST(noReader->out.find("no reader number 7") != std::string::npos, noReader->out);

  auto empty = runCommand({EPURSE_CLI_PROGRAM, "apdu", "--reader", "1", "00A4040000"});
  BOOST_TEST(empty->exitCode == 9);  // no card
  BOOST_TEST(empty->out.find("error:") != std::string::npos, empty->out);
}

BOOST_AUTO_TEST_CASE(killed_card_is_removed_and_comes_back_with_its_state) {
  const std::string img = state("kill.img");
  auto card = startCard(0, img);
  waitFor(0, true);
  {
    auto channel = connect(0);
    BOOST_TEST(send(*channel, kSelectEcho).sw() == sw::kSuccess);
    BOOST_TEST(send(*channel, storeCmd(toBytes("survives SIGKILL"))).sw() == sw::kSuccess);
    card.signal(SIGKILL);
    BOOST_TEST_REQUIRE(card.wait(5000ms).isOk());
    waitFor(0, false);
    auto r = channel->transmit(loadCmd());
    BOOST_TEST(!r.isOk());
    if (!r.isOk()) {
      BOOST_TEST((r.error().code == ErrorCode::kCardRemoved || r.error().code == ErrorCode::kNoCard),
                 r.error().toString());
    }
  }
  auto cli = runCommand({EPURSE_CLI_PROGRAM, "readers"});
  BOOST_TEST(cli->out.find("0  " + readers[0] + "  no card") != std::string::npos, cli->out);

  auto again = startCard(0, img);
  waitFor(0, true);
  auto channel = connect(0);
  BOOST_TEST(send(*channel, kSelectEcho).sw() == sw::kSuccess);
  Bytes expected;
  appendU32(expected, 1);
  appendBytes(expected, toBytes("survives SIGKILL"));
  BOOST_TEST(send(*channel, loadCmd()).data() == expected);
}

// SIGKILL the card at random moments while a terminal stores one value after another; after a
// restart the card holds exactly one of the values, whole, and never loses an acknowledged one.
BOOST_AUTO_TEST_CASE(sigkill_during_commits_is_all_or_nothing) {
  const std::string img = state("storm.img");
  std::mt19937 rng(20261123);
  auto valueFor = [](std::uint32_t generation) {
    Bytes v(300);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(generation * 31 + i);
    return v;
  };
  std::uint32_t acknowledged = 0;
  for (int round = 0; round < 4; ++round) {
    auto card = startCard(0, img);
    waitFor(0, true);
    auto channel = connect(0);
    BOOST_TEST_REQUIRE(send(*channel, kSelectEcho).sw() == sw::kSuccess);
    auto current = send(*channel, loadCmd());
    const std::uint32_t generation = loadU32(current.data().data());
    BOOST_TEST(generation >= acknowledged, "an acknowledged store was lost");
    if (generation > 0) {
      const Bytes stored(current.data().begin() + 4, current.data().end());
      BOOST_TEST(stored == valueFor(generation), "round " << round << ": torn value");
    }
    acknowledged = generation;
    const pid_t pid = card.pid();
    const auto delay = std::chrono::milliseconds(20 + rng() % 200);
    std::thread killer([pid, delay] {
      std::this_thread::sleep_for(delay);
      ::kill(pid, SIGKILL);
    });
    for (std::uint32_t g = generation + 1;; ++g) {
      auto r = channel->transmit(storeCmd(valueFor(g)));
      if (!r.isOk() || r->sw() != sw::kSuccess) break;
      acknowledged = g;
    }
    killer.join();
    BOOST_TEST_REQUIRE(card.wait(5000ms).isOk());
    channel.reset();
    waitFor(0, false);
  }
  BOOST_TEST(acknowledged > 0u);
  auto card = startCard(0, img);
  waitFor(0, true);
  auto channel = connect(0);
  send(*channel, kSelectEcho);
  auto last = send(*channel, loadCmd());
  BOOST_TEST(loadU32(last.data().data()) >= acknowledged);
}

BOOST_AUTO_TEST_CASE(card_reset_by_another_program_is_reported_then_usable) {
  auto card = startCard(0, state("reset.img"));
  waitFor(0, true);
  auto mine = connect(0);
  BOOST_TEST(send(*mine, kSelectEcho).sw() == sw::kSuccess);
  {
    auto other = connect(0);
    BOOST_TEST(other->disconnect(true).isOk());  // SCARD_RESET_CARD
  }
  auto r = mine->transmit(CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 4));
  BOOST_TEST_REQUIRE(!r.isOk());
  BOOST_TEST((r.error().code == ErrorCode::kCardReset), r.error().toString());
  // Reconnected already: select again and go on. The reset cleared the transient counters.
  BOOST_TEST(send(*mine, kSelectEcho).sw() == sw::kSuccess);
  BOOST_TEST(send(*mine, CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 4)).data()[0] == 1);
}

BOOST_AUTO_TEST_CASE(second_process_on_the_same_image_is_refused) {
  const std::string img = state("shared.img");
  auto first = startCard(0, img);
  waitFor(0, true);
  auto second = startCard(1, img);
  auto rc = second.wait(5000ms);
  BOOST_TEST_REQUIRE(rc.isOk());
  BOOST_TEST(*rc == 1);
  BOOST_TEST(cardLog().find("in use by another card process") != std::string::npos, cardLog());
  BOOST_TEST(!context->reader(readers[1])->cardPresent);
}

BOOST_AUTO_TEST_CASE(corrupt_image_is_refused_and_left_alone) {
  const std::string img = state("corrupt.img");
  {
    std::ofstream out(img, std::ios::binary);
    out << "this is not a card image";
  }
  auto card = startCard(0, img);
  auto rc = card.wait(5000ms);
  BOOST_TEST_REQUIRE(rc.isOk());
  BOOST_TEST(*rc == 1);
  BOOST_TEST(cardLog().find("is not usable") != std::string::npos, cardLog());
  BOOST_TEST(fs::file_size(img) == std::string("this is not a card image").size());
}

BOOST_AUTO_TEST_CASE(missing_daemon_gets_a_clear_error) {
  ::setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm", 1);
  auto out = runCommand({EPURSE_CLI_PROGRAM, "readers"});
  ::unsetenv("PCSCLITE_CSOCK_NAME");
  BOOST_TEST_REQUIRE(out.isOk());
  BOOST_TEST(out->exitCode == 3);  // no PC/SC service
  BOOST_TEST(out->out.find("is pcscd running?") != std::string::npos, out->out);
}

BOOST_AUTO_TEST_CASE(card_program_usage_errors) {
  auto noState = runCommand({EPURSE_CARD_PROGRAM, "--port", std::to_string(port)});
  BOOST_TEST(noState->exitCode == 2);
  BOOST_TEST(noState->out.find("--state") != std::string::npos, noState->out);
  auto badProtocol = runCommand({EPURSE_CARD_PROGRAM, "--state", state("x.img"), "--protocol", "t2"});
  BOOST_TEST(badProtocol->exitCode == 2);
  BOOST_TEST(!fs::exists(state("x.img")));
}

BOOST_AUTO_TEST_SUITE_END()
