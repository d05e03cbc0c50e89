#define BOOST_TEST_MODULE card_os_test
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

#include "apdu/ber_tlv.h"
#include "apdu/status_word.h"
#include "base/byte_codec.h"
#include "base/hex.h"
#include "card/runtime/iso_exception.h"
#include "tests/support/card_fixture.h"
#include "tests/support/raw_bytes.h"

using namespace epurse;
using namespace epurse::testing;

namespace {

CommandApdu echo(Bytes data) { return CommandApdu(kEchoCla, kInsEcho, 0, 0, std::move(data), 256); }
CommandApdu store(Bytes data, std::uint8_t p1 = 0) { return CommandApdu(kEchoCla, kInsStore, p1, 0, std::move(data)); }
CommandApdu load() { return CommandApdu(kEchoCla, kInsLoad, 0, 0, {}, 65536); }
CommandApdu bump() { return CommandApdu(kEchoCla, kInsBump, 0, 0, {}, 4); }

Bytes loaded(std::uint32_t generation, const Bytes& data) {
  ByteWriter out;
  out.reserve(4 + data.size()).u32(generation).bytes(data);
  return out.take();
}

// The whole persistent memory as the applets see it, an open transaction's writes included.
Bytes memoryOf(InMemoryCard& card) {
  const ByteView all = card.store().read(0, card.store().capacity());
  return Bytes(all.begin(), all.end());
}

// A test applet with the bugs the dispatcher must contain: its faulty commands open a
// transaction, write their data at the start of the region, then fail with an exception that
// is not a refusal.
const Bytes kBuggyAid{0xF0, 'B', 'U', 'G', 'G', 'Y'};
constexpr std::uint8_t kBuggyCla = 0x80;
constexpr std::uint8_t kInsWriteCommitted = 0x40;   // data written and committed
constexpr std::uint8_t kInsWriteOutOfRange = 0x42;  // then a write past the region: std::out_of_range
constexpr std::uint8_t kInsWriteThenThrow = 0x44;   // then std::runtime_error
constexpr std::uint8_t kInsReadBack = 0x46;         // -> the first kBuggyShown bytes of the region
constexpr std::size_t kBuggySize = 64;
constexpr std::size_t kBuggyShown = 16;

class BuggyApplet final : public card::Applet {
 public:
  explicit BuggyApplet(bool failsAtPowerUp = false) : failsAtPowerUp_(failsAtPowerUp) {}

  std::size_t persistentSize() const override { return kBuggySize; }

  // The recovery hook's own bug: it opens a transaction, writes, then throws.
  void powerUp(card::CardContext& card) override {
    if (!failsAtPowerUp_ || !armed_) return;
    card.beginTransaction();
    card.persistent().write(0, toBytes("a hook's writes"));
    throw std::runtime_error("a bug in the power-up hook");
  }
  void arm() { armed_ = true; }

  Bytes process(card::CardContext& card, const CommandApdu& command) override {
    card::PersistentRegion& mem = card.persistent();
    if (command.ins() == kInsReadBack) {
      const ByteView shown = mem.read(0, kBuggyShown);
      return Bytes(shown.begin(), shown.end());
    }
    if (command.ins() != kInsWriteCommitted && command.ins() != kInsWriteOutOfRange &&
        command.ins() != kInsWriteThenThrow) {
      card::IsoException::throwIt(sw::kInsNotSupported);
    }
    if (command.data().size() > kBuggyShown) card::IsoException::throwIt(sw::kWrongLength);
    card.beginTransaction();
    mem.write(0, command.data());
    if (command.ins() == kInsWriteOutOfRange) mem.writeU8(kBuggySize, 0xEE);  // one past the end
    if (command.ins() == kInsWriteThenThrow) throw std::runtime_error("a bug in the applet");
    card.commitTransaction();
    return {};
  }

 private:
  bool failsAtPowerUp_;
  bool armed_ = false;
};

CommandApdu buggy(std::uint8_t ins, Bytes data = {}) { return CommandApdu(kBuggyCla, ins, 0, 0, std::move(data)); }
CommandApdu readBack() { return CommandApdu(kBuggyCla, kInsReadBack, 0, 0, {}, 256); }

Bytes shown(const std::string& text) {
  Bytes out = toBytes(text);
  out.resize(kBuggyShown, 0);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(atr_offers_the_configured_protocol) {
  EchoCardFixture t1(TransportProtocol::kT1);
  EchoCardFixture t0(TransportProtocol::kT0);
  BOOST_TEST(toHex(t1.os().atr()) == "3B8C8131FE45805665707572736573800040E6");
  BOOST_TEST(toHex(t0.os().atr()) == "3B0C805665707572736573800000");
}

BOOST_AUTO_TEST_CASE(select_returns_fci_with_aid_and_proprietary_data) {
  EchoCardFixture card;
  auto r = card.selectEcho();
  BOOST_TEST(r.sw() == sw::kSuccess);
  // 6F 14 | 84 0B F0 "EPURSEECHO" (13 bytes) | A5 05 "ECHO" 01 (7 bytes)
  BOOST_TEST(toHex(r.data()) == "6F14840BF04550555253454543484FA5054543484F01");
  auto noData = card.raw(CommandApdu(0x00, kInsSelect, 0x04, 0x0C, kEchoAid));
  BOOST_TEST(noData.sw() == sw::kSuccess);
  BOOST_TEST(noData.data().empty());
}

BOOST_AUTO_TEST_CASE(select_errors_keep_the_current_selection) {
  EchoCardFixture card;
  BOOST_TEST(card.selectEcho().sw() == sw::kSuccess);
  const Bytes unknown{0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10};
  BOOST_TEST(card.raw(CommandApdu(0x00, kInsSelect, 0x04, 0x00, unknown, 256)).sw() == sw::kFileNotFound);
  BOOST_TEST(card.raw(CommandApdu(0x00, kInsSelect, 0x04, 0x00, Bytes{0xF0, 'E', 'P', 'U'})).sw() ==
             sw::kWrongLength);
  BOOST_TEST(card.raw(CommandApdu(0x00, kInsSelect, 0x04, 0x04, kEchoAid)).sw() == sw::kIncorrectP1P2);
  BOOST_TEST(card.send(echo(Bytes{1, 2, 3})).data() == (Bytes{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(partial_aid_selects_the_applet) {
  EchoCardFixture card;
  const Bytes prefix(kEchoAid.begin(), kEchoAid.begin() + 6);
  auto r = card.raw(CommandApdu(0x00, kInsSelect, 0x04, 0x00, prefix, 256));
  BOOST_TEST(r.sw() == sw::kSuccess);
  BOOST_TEST(card.send(echo(Bytes{9})).sw() == sw::kSuccess);
}

BOOST_AUTO_TEST_CASE(commands_without_a_selected_applet_are_refused) {
  EchoCardFixture card;
  BOOST_TEST(card.raw(echo(Bytes{1})).sw() == sw::kInsNotSupported);
}

BOOST_AUTO_TEST_CASE(class_and_instruction_checks) {
  EchoCardFixture card;
  card.selectEcho();
  auto swOf = [&](std::uint8_t cla, std::uint8_t ins) { return card.raw(CommandApdu(cla, ins, 0, 0)).sw(); };
  BOOST_TEST(swOf(0xFF, kInsEcho) == sw::kClaNotSupported);
  BOOST_TEST(swOf(0x20, kInsEcho) == sw::kClaNotSupported);
  BOOST_TEST(swOf(0x40, kInsEcho) == sw::kLogicalChannelNotSupported);
  BOOST_TEST(swOf(0x01, kInsEcho) == sw::kLogicalChannelNotSupported);
  BOOST_TEST(swOf(0x81, kInsEcho) == sw::kLogicalChannelNotSupported);
  BOOST_TEST(swOf(0x0C, kInsEcho) == sw::kSecureMessagingNotSupported);
  BOOST_TEST(swOf(0x10, kInsEcho) == card::kSwChainingNotSupported);
  BOOST_TEST(swOf(0x80, 0x60) == sw::kInsNotSupported);
  BOOST_TEST(swOf(0x80, 0x92) == sw::kInsNotSupported);
  BOOST_TEST(swOf(0x80, 0x7E) == sw::kInsNotSupported);  // the applet's own refusal
  BOOST_TEST(swOf(0x00, kInsEcho) == sw::kClaNotSupported);  // the echo applet wants CLA 80
}

BOOST_AUTO_TEST_CASE(malformed_apdus_get_wrong_length_and_change_nothing) {
  EchoCardFixture card;
  card.selectEcho();
  const Bytes before = card.image();
  for (const Bytes& bad : {Bytes{}, Bytes{0x80}, Bytes{0x80, 0x10, 0x00}, Bytes{0x80, 0x20, 0, 0, 0x05, 1, 2},
                           Bytes{0x80, 0x20, 0, 0, 0x00, 0x00}, Bytes{0x80, 0x20, 0, 0, 0x00, 0x00, 0x00, 0x01}}) {
    auto r = card.raw(ByteView(bad));
    BOOST_TEST(r.sw() == sw::kWrongLength, toHex(bad));
    BOOST_TEST(r.data().empty());
  }
  BOOST_TEST(card.image() == before);
  BOOST_TEST(card.send(echo(Bytes{7})).sw() == sw::kSuccess);  // still selected, still working
}

BOOST_AUTO_TEST_CASE(store_persists_across_restart) {
  EchoCardFixture card;
  card.selectEcho();
  const Bytes data = toBytes("value that must survive a power cycle");
  BOOST_TEST(card.send(store(data)).sw() == sw::kSuccess);
  card.restart();
  card.selectEcho();
  BOOST_TEST(card.send(load()).data() == loaded(1, data));
}

BOOST_AUTO_TEST_CASE(refused_command_rolls_back_its_writes) {
  EchoCardFixture card;
  card.selectEcho();
  BOOST_TEST_REQUIRE(card.send(store(toBytes("first"))).sw() == sw::kSuccess);
  const Bytes image = card.image();
  const auto ops = card.env().operations();
  BOOST_TEST(card.send(store(toBytes("refused after writing"), kStoreRefuseAfterWrites)).sw() == sw::kWrongData);
  BOOST_TEST(card.send(store(toBytes("left open by a buggy applet"), kStoreLeaveTransactionOpen)).sw() ==
             sw::kUnknown);
  BOOST_TEST(!card.store().inTransaction());
  BOOST_TEST(card.env().operations() == ops);  // not a byte written to the image
  BOOST_TEST(card.image() == image);
  BOOST_TEST(card.send(load()).data() == loaded(1, toBytes("first")));  // memory view rolled back too
}

// Checked straight after the refused command, before any other: the next command would abort
// a leftover transaction for reasons of its own (its begin finds one open) and so hide a
// dispatcher that did not.
BOOST_AUTO_TEST_CASE(an_iso_refusal_is_rolled_back_before_the_next_command) {
  EchoCardFixture card;
  card.selectEcho();
  BOOST_TEST_REQUIRE(card.send(store(toBytes("first"))).sw() == sw::kSuccess);
  const Bytes memory = memoryOf(card);
  const Bytes image = card.image();
  const auto ops = card.env().operations();
  BOOST_TEST(card.raw(store(toBytes("refused after writing"), kStoreRefuseAfterWrites)).sw() == sw::kWrongData);
  BOOST_TEST(!card.store().inTransaction(), "the refused command's transaction is still open");
  BOOST_TEST((memoryOf(card) == memory), "the refused command's writes are still in memory");
  BOOST_TEST(card.env().operations() == ops, "the refusal wrote to the image");
  BOOST_TEST((card.image() == image));
}

// A bug (an exception that is not an IsoException) inside a transaction: the generic 6F00,
// its writes gone at once, and the card goes on working.
BOOST_AUTO_TEST_CASE(an_applet_bug_inside_a_transaction_is_6F00_and_rolled_back) {
  for (const std::uint8_t ins : {kInsWriteOutOfRange, kInsWriteThenThrow}) {
    const std::string what = "INS " + toHex(Bytes{ins});
    InMemoryCard card(kBuggyAid, [] { return std::make_unique<BuggyApplet>(); });
    BOOST_TEST_REQUIRE(card.select().sw() == sw::kSuccess);
    BOOST_TEST_REQUIRE(card.raw(buggy(kInsWriteCommitted, toBytes("kept"))).sw() == sw::kSuccess);
    const Bytes memory = memoryOf(card);
    const Bytes image = card.image();
    const auto ops = card.env().operations();
    const auto r = card.raw(buggy(ins, toBytes("a bug's writes")));
    BOOST_TEST(r.sw() == sw::kUnknown, what << " answered " << swHex(r.sw()));
    BOOST_TEST(!card.store().inTransaction(), what << ": the transaction is still open");
    BOOST_TEST((memoryOf(card) == memory), what << ": the writes before the bug are still in memory");
    BOOST_TEST(card.env().operations() == ops, what << ": the bug wrote to the image");
    BOOST_TEST((card.image() == image), what);
    BOOST_TEST(card.raw(readBack()).data() == shown("kept"), what);
    const auto next = card.raw(buggy(kInsWriteCommitted, toBytes("after")));
    BOOST_TEST(next.sw() == sw::kSuccess, what << ": the next command answered " << swHex(next.sw()));
    BOOST_TEST(card.raw(readBack()).data() == shown("after"), what);
  }
}

// A power-up hook that throws inside its transaction: the card still comes up, with that
// transaction undone at once (not left for the next command to find).
BOOST_AUTO_TEST_CASE(a_power_up_hook_that_throws_mid_transaction_is_rolled_back) {
  BuggyApplet* applet = nullptr;
  InMemoryCard card(kBuggyAid, [&applet] {
    auto a = std::make_unique<BuggyApplet>(true);
    applet = a.get();
    return a;
  });
  BOOST_TEST_REQUIRE(card.select().sw() == sw::kSuccess);
  BOOST_TEST_REQUIRE(card.raw(buggy(kInsWriteCommitted, toBytes("kept"))).sw() == sw::kSuccess);
  const Bytes memory = memoryOf(card);
  const Bytes image = card.image();
  BOOST_TEST_REQUIRE(applet != nullptr);
  applet->arm();
  card.os().powerOn();
  BOOST_TEST(!card.store().inTransaction(), "the hook's transaction is still open after power-up");
  BOOST_TEST((memoryOf(card) == memory), "the hook's writes are still in memory");
  BOOST_TEST((card.image() == image));
  BOOST_TEST_REQUIRE(card.select().sw() == sw::kSuccess);
  BOOST_TEST(card.raw(readBack()).data() == shown("kept"));
}

BOOST_AUTO_TEST_CASE(commit_failure_is_memory_failure_and_changes_nothing) {
  EchoCardFixture card;
  card.selectEcho();
  BOOST_TEST_REQUIRE(card.send(store(toBytes("kept"))).sw() == sw::kSuccess);
  card.env().failOperation(1);
  BOOST_TEST(card.send(store(toBytes("lost"))).sw() == sw::kMemoryFailure);
  BOOST_TEST(card.send(load()).data() == loaded(1, toBytes("kept")));
  // Until restarted, the card refuses every further change with the same status word.
  BOOST_TEST(card.send(store(toBytes("later"))).sw() == sw::kMemoryFailure);
  card.restart();
  card.selectEcho();
  const Bytes after = card.send(load()).data();
  BOOST_TEST((after == loaded(1, toBytes("kept")) || after == loaded(2, toBytes("lost"))));
  BOOST_TEST(card.send(store(toBytes("works again"))).sw() == sw::kSuccess);
}

BOOST_AUTO_TEST_CASE(transient_memory_clears_on_reset_and_deselect) {
  EchoCardFixture card;  // the fixture powers the card on once
  card.selectEcho();
  BOOST_TEST(card.send(bump()).data() == (Bytes{1, 1, 0, 1}));
  BOOST_TEST(card.send(bump()).data() == (Bytes{2, 2, 0, 1}));
  card.selectEcho();  // deselect + select: only the deselect-scoped counter restarts
  BOOST_TEST(card.send(bump()).data() == (Bytes{3, 1, 0, 1}));
  card.os().reset();  // reset: selection gone, every counter cleared, power-up hook ran
  BOOST_TEST(card.raw(bump()).sw() == sw::kInsNotSupported);
  card.selectEcho();
  BOOST_TEST(card.send(bump()).data() == (Bytes{1, 1, 0, 2}));
  card.os().powerOff();
  BOOST_TEST(!card.os().powered());
  card.os().powerOn();
  card.selectEcho();
  BOOST_TEST(card.send(bump()).data() == (Bytes{1, 1, 0, 3}));
}

BOOST_AUTO_TEST_CASE(apdu_to_an_unpowered_card_powers_it_up) {
  EchoCardFixture card;
  card.os().powerOff();
  BOOST_TEST(card.selectEcho().sw() == sw::kSuccess);
  BOOST_TEST(card.os().powered());
  BOOST_TEST(card.send(bump()).data() == (Bytes{1, 1, 0, 2}));
}

// Tear the card at every persistent write of a STORE (applet writes, slot write, sync), under
// every crash mode; power up again from the image: LOAD shows the old value or the new one,
// never a mix, and the card keeps working.
BOOST_AUTO_TEST_CASE(tear_at_every_write_of_a_store_is_all_or_nothing) {
  const Bytes oldData = toBytes("old value, written and committed before the tear");
  Bytes newData(100);
  for (std::size_t i = 0; i < newData.size(); ++i) newData[i] = static_cast<std::uint8_t>(0xA0 + i);
  int tears = 0;
  for (CrashMode mode : kAllCrashModes) {
    for (std::uint64_t n = 1;; ++n) {
      EchoCardFixture card;
      card.selectEcho();
      BOOST_TEST_REQUIRE(card.send(store(oldData)).sw() == sw::kSuccess);
      card.tear().arm(n);
      bool torn = false;
      try {
        BOOST_TEST(card.send(store(newData)).sw() == sw::kSuccess);
      } catch (const card::PowerLost&) {
        torn = true;
      }
      card.tear().disarm();
      if (!torn) {
        // generation + length + 7 chunks of 16 bytes + slot write + sync = 11 tear points
        BOOST_TEST(n == 12u);
        break;
      }
      ++tears;
      card.env().crash(mode, static_cast<std::uint32_t>(n));
      card.restart();
      card.selectEcho();
      const Bytes got = card.send(load()).data();
      const bool isOld = got == loaded(1, oldData);
      const bool isNew = got == loaded(2, newData);
      BOOST_TEST((isOld || isNew), "tear at write " << n << " (" << crashModeName(mode) << "): " << toHex(got));
      BOOST_TEST(card.send(store(toBytes("after"))).sw() == sw::kSuccess);
    }
  }
  BOOST_TEST(tears == 11 * 4);
}

BOOST_AUTO_TEST_CASE(image_of_another_applet_set_is_refused) {
  FaultInjectionEnv env;
  {
    auto store = card::TransactionStore::open(env, "/img", {});
    BOOST_TEST_REQUIRE(store.isOk());
    card::CardOs os(**store, {});
    BOOST_TEST_REQUIRE(os.install(kEchoAid, std::make_unique<EchoApplet>()).isOk());
    BOOST_TEST_REQUIRE(os.start().isOk());
  }
  const Bytes image = env.contents("/img");
  auto store = card::TransactionStore::open(env, "/img", {});
  BOOST_TEST_REQUIRE(store.isOk());
  card::CardOs os(**store, {});
  Bytes otherAid = kEchoAid;
  otherAid.back() ^= 1;
  BOOST_TEST_REQUIRE(os.install(otherAid, std::make_unique<EchoApplet>()).isOk());
  auto s = os.start();
  BOOST_TEST(!s.isOk());
  BOOST_TEST((s.error().code == ErrorCode::kCorrupt));
  BOOST_TEST(env.contents("/img") == image);
  BOOST_TEST(ResponseApdu::parse(os.process(CommandApdu(0x00, kInsSelect, 4, 0, otherAid).serialize()))->sw() ==
             sw::kUnknown);  // a card that did not start answers nothing useful
}

BOOST_AUTO_TEST_CASE(install_checks) {
  FaultInjectionEnv env;
  card::TransactionStore::Options small;
  small.capacityForNewImage = 512;
  auto store = card::TransactionStore::open(env, "/small", small);
  BOOST_TEST_REQUIRE(store.isOk());
  card::CardOs os(**store, {});
  BOOST_TEST(!os.install(Bytes{1, 2, 3, 4}, std::make_unique<EchoApplet>()).isOk());  // AID too short
  BOOST_TEST(!os.install(Bytes(17, 1), std::make_unique<EchoApplet>()).isOk());       // AID too long
  BOOST_TEST_REQUIRE(os.install(kEchoAid, std::make_unique<EchoApplet>()).isOk());
  BOOST_TEST(!os.install(kEchoAid, std::make_unique<EchoApplet>()).isOk());  // twice
  auto s = os.start();  // 256 + 1030 bytes do not fit in 512
  BOOST_TEST(!s.isOk());
  BOOST_TEST((s.error().code == ErrorCode::kInvalidArgument));
}
