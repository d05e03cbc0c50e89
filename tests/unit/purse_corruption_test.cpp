// Corrupt purse memory, in the spirit of LevelDB's corruption_test: write a value no command
// could have written into one field of a purse card image (through the card's own
// TransactionStore, never a second copy of the image format), restart the card, and check
// what it answers. A corrupt field gives 6581 on every command that reads it, and nothing is
// written; no command answers 6F00 (an exception the purse did not expect) or reads outside
// its memory. A damaged slot of the image falls back to the other slot; with both damaged the
// store refuses the image and leaves it as it is (docs/persistence.md).
#define BOOST_TEST_MODULE purse_corruption
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "card/purse/purse_layout.h"
#include "protocol/purse_command_table.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_memory.h"
#include "tests/support/test_printing.h"

namespace epurse::testing {
namespace {

namespace layout = card::purse_layout;
using protocol::ProtocolStatus;

constexpr sw::StatusWord kCorrupt = sw::kMemoryFailure;  // 6581

using checks::u32;

// Writes `bytes` at `offset` of the purse's memory (the purse is the card's only applet, its
// region right after the card directory) as one transaction of the card's own store, then
// restarts the card from the image as a new card process would, power-up hooks and all.
// The restart itself must write nothing: a power-up that meets corrupt memory leaves it.
void corrupt(TestPurse& purse, std::size_t offset, const Bytes& bytes) {
  checks::writePurseMemory(purse, offset, bytes);
  const Bytes written = purse.image();
  purse.card().restart();
  BOOST_TEST(purse.image() == written, "the power-up after the corruption wrote to the image");
}

// `command` is answered with exactly `expected` and leaves the image byte for byte as it was.
void expectAnswer(TestPurse& purse, const CommandApdu& command, sw::StatusWord expected, const std::string& what) {
  const Bytes before = purse.image();
  const ResponseApdu answer = purse.card().send(command);
  BOOST_TEST(answer.sw() == expected, what << ": answered " << swHex(answer.sw()) << ", expected " << swHex(expected));
  BOOST_TEST(purse.image() == before, what << ": changed the card image");
}

void expectCorrupt(TestPurse& purse, const CommandApdu& command, const std::string& what) {
  expectAnswer(purse, command, kCorrupt, what);
}

// Every purse command of the command table, bare (P1-P2 00 00, no data): none may answer
// 6F00 or change the image, whatever the memory holds.
void sweepBareCommands(TestPurse& purse, const std::string& what) {
  for (const protocol::PurseCommand& c : protocol::kPurseCommands) {
    if (c.group == protocol::CommandGroup::kCardOs) continue;
    const Bytes before = purse.image();
    const ResponseApdu answer = purse.card().send(CommandApdu(c.cla, c.ins, 0, 0));
    BOOST_TEST(answer.sw() != sw::kUnknown, what << ": bare " << c.name << " answered 6F00");
    BOOST_TEST(purse.image() == before, what << ": bare " << c.name << " changed the card image");
  }
}

void selectAnswers(TestPurse& purse, sw::StatusWord expected, const std::string& what) {
  const ResponseApdu answer = purse.card().select();
  BOOST_TEST(answer.sw() == expected, what << ": SELECT answered " << swHex(answer.sw()));
}

protocol::PinBlock pin(const std::string& digits) {
  auto block = protocol::makePinBlock(digits);
  BOOST_TEST_REQUIRE(block.isOk());
  return *block;
}

template <typename T>
T required(Result<T> r, const std::string& what) {
  BOOST_TEST_REQUIRE(r.isOk(), what << ": " << (r.isOk() ? "" : r.error().toString()));
  return std::move(*r);
}

// A START order naming `counterparty` (its certificate and sequence number).
protocol::StartOrder startOrderNaming(TestPurse& counterparty, protocol::Amount value) {
  const ResponseApdu cert = counterparty.card().send(protocol::apdus::getData(protocol::kDataCardCertificate));
  BOOST_TEST_REQUIRE(cert.sw() == sw::kSuccess);
  return protocol::StartOrder{cert.data(), value, counterparty.status().nextSeq, {}};
}

CommandApdu loadOrder(TestIssuer& issuer, std::uint8_t n, std::uint32_t counter, protocol::Amount amount) {
  return required(issuer.signer().load(testPurseId(n), protocol::ValueOrder{counter, amount, kEuro, kToday}),
                  "LOAD order");
}

// A transfer message of the right size; the purse must refuse it before its contents matter.
CommandApdu anyTransferMessage(CommandApdu (*build)(const protocol::SignedTransferMessage&)) {
  protocol::SignedTransferMessage m;
  m.signature.assign(protocol::kSignatureSize, 0);
  return build(m);
}

}  // namespace

// ==========================================================================================
BOOST_AUTO_TEST_SUITE(corrupt_fields)

// SELECT reads the life cycle (the FCI carries it), so a purse whose life cycle or
// personalisation progress is corrupt cannot be selected: nothing else reaches it.
BOOST_AUTO_TEST_CASE(a_corrupt_life_cycle_or_personalisation_byte_refuses_selection) {
  TestIssuer issuer;
  auto other = makePurse(issuer, 2, 1000);
  struct Case {
    const char* what;
    std::size_t offset;
    std::uint8_t value;
  };
  for (const Case& c : {Case{"life cycle 04", layout::kLifeCycle, 0x04},
                        Case{"life cycle FF", layout::kLifeCycle, 0xFF},
                        Case{"life cycle blank with personalisation complete", layout::kLifeCycle, 0x00},
                        Case{"personalisation flags 05 (a step skipped)", layout::kPersonalisation, 0x05},
                        Case{"personalisation flags 1F (unknown step)", layout::kPersonalisation, 0x1F},
                        Case{"personalised, flags 07 (no certificate)", layout::kPersonalisation, 0x07}}) {
    auto purse = makePurse(issuer, 1, 1000);
    corrupt(*purse, c.offset, Bytes{c.value});
    selectAnswers(*purse, kCorrupt, c.what);
    sweepBareCommands(*purse, c.what);
    // SELECT without the FCI reads nothing; then every command that reads the life cycle says 6581.
    const std::string what = c.what;
    const ResponseApdu selected = purse->card().raw(
        CommandApdu(protocol::kClaIso, kInsSelect, kSelectByDfName, card::kSelectNoResponseData,
                    Bytes(protocol::kPurseAid.begin(), protocol::kPurseAid.end())));
    BOOST_TEST_REQUIRE(selected.sw() == sw::kSuccess, what << ": SELECT without FCI");
    expectCorrupt(*purse, protocol::apdus::getData(protocol::kDataPurseStatus), what + ": GET DATA status");
    expectCorrupt(*purse, protocol::apdus::verifyPin(pin("1234")), what + ": VERIFY");
    expectCorrupt(*purse, loadOrder(issuer, 1, 1, 10), what + ": LOAD");
    expectCorrupt(*purse, protocol::apdus::startTo(startOrderNaming(*other, 10)), what + ": START TO");
    expectCorrupt(*purse, protocol::apdus::abortTransfer(), what + ": ABORT");
    expectCorrupt(*purse, protocol::apdus::putIssuerKey(issuer.key().publicKey()), what + ": PUT ISSUER KEY");
    expectCorrupt(*purse,
                  required(issuer.signer().setLifeCycle(testPurseId(1), {0, protocol::LifeCycleChange::kBlock}),
                           "life-cycle order"),
                  what + ": SET LIFE CYCLE");
    // The logs do not depend on the life cycle: the issuer can still read them.
    expectAnswer(*purse, protocol::apdus::readRecord(protocol::kSfiTransactionLog, 1), sw::kSuccess,
                 what + ": READ RECORD");
    sweepBareCommands(*purse, what + ", selected without FCI");
  }
}

BOOST_AUTO_TEST_CASE(a_blank_purse_claiming_to_be_personalised_refuses_selection) {
  TestPurse blank;
  corrupt(blank, layout::kLifeCycle, Bytes{static_cast<std::uint8_t>(protocol::LifeCycle::kPersonalised)});
  selectAnswers(blank, kCorrupt, "personalised life cycle, no personalisation step done");
  sweepBareCommands(blank, "blank purse, life cycle personalised");
}

BOOST_AUTO_TEST_CASE(an_exception_count_beyond_capacity_or_above_the_records_ever_appended) {
  TestIssuer issuer;
  auto other = makePurse(issuer, 2, 1000);
  struct Case {
    const char* what;
    std::uint32_t appended;
    std::uint8_t held;
  };
  static_assert(layout::kExceptionsHeld == layout::kExceptionsAppended + 4, "appended, then held");
  for (const Case& c : {Case{"9 held (capacity 8) of 1000 appended", 1000, 9}, Case{"255 held of 1000", 1000, 0xFF},
                        Case{"1 held, 0 appended", 0, 1}}) {
    auto purse = makePurse(issuer, 1, 1000);
    Bytes counts = u32(c.appended);
    counts.push_back(c.held);
    corrupt(*purse, layout::kExceptionsAppended, counts);
    selectAnswers(*purse, sw::kSuccess, c.what);
    expectCorrupt(*purse, protocol::apdus::getData(protocol::kDataPurseStatus), std::string(c.what) + ": GET DATA status");
    expectCorrupt(*purse, protocol::apdus::readRecord(protocol::kSfiExceptionLog, 1), std::string(c.what) + ": READ RECORD");
    expectCorrupt(*purse, protocol::apdus::auditRead(protocol::kSfiExceptionLog, Bytes(16, 0xA5)),
                  std::string(c.what) + ": AUDIT READ exception log");
    expectCorrupt(*purse, protocol::apdus::startFrom(startOrderNaming(*other, 10)), std::string(c.what) + ": START FROM");
    expectCorrupt(*purse, protocol::apdus::startTo(startOrderNaming(*other, 10)), std::string(c.what) + ": START TO");
    protocol::ExceptionClearOrder clear;
    clear.numbers = {1};
    expectCorrupt(*purse, required(issuer.signer().clearExceptionLog(testPurseId(1), clear), "clear order"),
                  std::string(c.what) + ": CLEAR EXCEPTION LOG");
    // What does not read the exception log still works.
    expectAnswer(*purse, protocol::apdus::readRecord(protocol::kSfiTransactionLog, 1), sw::kSuccess,
                 std::string(c.what) + ": READ RECORD of the transaction log");
    sweepBareCommands(*purse, c.what);
  }
}

BOOST_AUTO_TEST_CASE(a_protocol_status_out_of_range) {
  TestIssuer issuer;
  auto other = makePurse(issuer, 2, 1000);
  for (std::uint8_t status : {std::uint8_t{0x04}, std::uint8_t{0xFF}}) {
    const std::string what = "protocol status " + swHex(status).substr(2);
    auto purse = makePurse(issuer, 1, 1000);
    corrupt(*purse, layout::kProtocolStatus, Bytes{status});
    selectAnswers(*purse, sw::kSuccess, what);
    expectCorrupt(*purse, protocol::apdus::getData(protocol::kDataPurseStatus), what + ": GET DATA status");
    expectCorrupt(*purse, loadOrder(issuer, 1, 1, 10), what + ": LOAD");
    expectCorrupt(*purse, protocol::apdus::startFrom(startOrderNaming(*other, 10)), what + ": START FROM");
    expectCorrupt(*purse, anyTransferMessage(protocol::apdus::req), what + ": REQ");
    expectCorrupt(*purse, anyTransferMessage(protocol::apdus::val), what + ": VAL");
    expectCorrupt(*purse, anyTransferMessage(protocol::apdus::ack), what + ": ACK");
    expectCorrupt(*purse, protocol::apdus::abortTransfer(), what + ": ABORT");
    expectCorrupt(*purse,
                  required(issuer.signer().setLifeCycle(testPurseId(1), {0, protocol::LifeCycleChange::kBlock}),
                           "life-cycle order"),
                  what + ": SET LIFE CYCLE");
    sweepBareCommands(*purse, what);
  }
}

BOOST_AUTO_TEST_CASE(a_log_counter_that_disagrees_with_the_ring) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);  // one record: the LOAD, in ring slot 0
  corrupt(*purse, layout::kLogAppended, u32(5));
  selectAnswers(*purse, sw::kSuccess, "appended 5, one record in the ring");
  expectCorrupt(*purse, protocol::apdus::readRecord(protocol::kSfiTransactionLog, 1), "READ RECORD 1 (record 5)");
  expectCorrupt(*purse, protocol::apdus::readRecord(protocol::kSfiTransactionLog, 2), "READ RECORD 2 (record 4)");
  expectAnswer(*purse, protocol::apdus::readRecord(protocol::kSfiTransactionLog, 5), sw::kSuccess,
               "READ RECORD 5 is record 1, which the ring does hold");
  sweepBareCommands(*purse, "appended 5");

  auto other = makePurse(issuer, 2, 1000);
  corrupt(*other, layout::kLogRing, u32(7));  // record 1 claims to be record 7
  selectAnswers(*other, sw::kSuccess, "ring record 1 numbered 7");
  expectCorrupt(*other, protocol::apdus::readRecord(protocol::kSfiTransactionLog, 1), "READ RECORD 1 numbered 7");
}

BOOST_AUTO_TEST_CASE(pin_tries_beyond_three_or_a_corrupt_pin_block_spend_no_try) {
  TestIssuer issuer;
  for (std::uint8_t tries : {std::uint8_t{4}, std::uint8_t{0xFF}}) {
    const std::string what = "PIN tries " + std::to_string(tries);
    auto purse = makePurse(issuer, 1, 1000);
    corrupt(*purse, layout::kPinTriesLeft, Bytes{tries});
    selectAnswers(*purse, sw::kSuccess, what);
    expectCorrupt(*purse, protocol::apdus::getData(protocol::kDataPurseStatus), what + ": GET DATA status");
    expectCorrupt(*purse, protocol::apdus::pinTriesLeft(), what + ": VERIFY without data");
    expectCorrupt(*purse, protocol::apdus::verifyPin(pin("1234")), what + ": VERIFY");
    expectCorrupt(*purse, protocol::apdus::changePin(pin("1234"), pin("5678")), what + ": CHANGE REFERENCE DATA");
    sweepBareCommands(*purse, what);
  }
  auto purse = makePurse(issuer, 1, 1000);
  corrupt(*purse, layout::kPin, Bytes{'1', '2', 'A', '4', 0xFF, 0xFF, 0xFF, 0xFF});
  selectAnswers(*purse, sw::kSuccess, "PIN block 12A4");
  expectCorrupt(*purse, protocol::apdus::verifyPin(pin("1234")), "VERIFY against PIN block 12A4");
  expectCorrupt(*purse, protocol::apdus::changePin(pin("1234"), pin("5678")), "CHANGE against PIN block 12A4");
  BOOST_TEST(purse->status().pinTriesLeft == 3u, "no try was spent");
}

BOOST_AUTO_TEST_CASE(a_revocation_count_beyond_capacity) {
  TestIssuer issuer;
  auto other = makePurse(issuer, 2, 1000);
  auto purse = makePurse(issuer, 1, 1000);
  corrupt(*purse, layout::kRevocationCount, Bytes{static_cast<std::uint8_t>(layout::kRevocationCapacity + 1)});
  selectAnswers(*purse, sw::kSuccess, "33 revoked IDs");
  expectCorrupt(*purse, protocol::apdus::startFrom(startOrderNaming(*other, 10)), "START FROM, 33 revoked");
  expectCorrupt(*purse, protocol::apdus::startTo(startOrderNaming(*other, 10)), "START TO, 33 revoked");
  sweepBareCommands(*purse, "33 revoked IDs");
}

BOOST_AUTO_TEST_CASE(a_balance_above_the_maximum) {
  TestIssuer issuer;
  auto other = makePurse(issuer, 2, 1000);
  auto purse = makePurse(issuer, 1, 1000);
  corrupt(*purse, layout::kBalance, u32(PurseProfile{}.maxBalance + 1));
  selectAnswers(*purse, sw::kSuccess, "balance above max");
  expectCorrupt(*purse, protocol::apdus::getData(protocol::kDataPurseStatus), "GET DATA status");
  expectCorrupt(*purse, loadOrder(issuer, 1, 1, 10), "LOAD");
  expectCorrupt(*purse, protocol::apdus::auditRead(protocol::kSfiTransactionLog, Bytes(16, 0xA5)), "AUDIT READ");
  expectCorrupt(*purse, protocol::apdus::startFrom(startOrderNaming(*other, 10)), "START FROM");
  expectCorrupt(*purse, protocol::apdus::startTo(startOrderNaming(*other, 10)), "START TO");
  sweepBareCommands(*purse, "balance above max");
}

// While idle the stored pd is the last transfer's and nothing reads it: corrupting it changes
// no answer.
BOOST_AUTO_TEST_CASE(a_corrupt_pending_pd_while_idle_is_never_read) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);
  corrupt(*purse, layout::kPendingPd, Bytes(protocol::PaymentDetails::kSize, 0xFF));
  selectAnswers(*purse, sw::kSuccess, "idle, pd all FF");
  expectAnswer(*purse, protocol::apdus::abortTransfer(), sw::kSuccess, "ABORT while idle");
  BOOST_TEST(purse->card().send(loadOrder(issuer, 1, 1, 10)).sw() == sw::kSuccess, "LOAD while idle");
  BOOST_TEST(purse->status().balance == 1010u);
}

// In a transfer the pd names this purse on its own side: a pd that does not is corrupt, and
// neither the transfer's next message nor an abort (which would log it) acts on it.
BOOST_AUTO_TEST_CASE(a_pending_pd_that_does_not_name_this_purse_while_busy) {
  TestIssuer issuer;
  auto other = makePurse(issuer, 2, 1000);
  struct Case {
    const char* what;
    std::size_t offset;  // within pd
    Bytes bytes;
  };
  for (const Case& c : {Case{"payee ID altered", 12, Bytes{0xEE}}, Case{"currency altered", 28, Bytes{0x00, 0x01}},
                        Case{"value 0", 24, u32(0)}}) {
    auto purse = makePurse(issuer, 1, 1000);
    BOOST_TEST_REQUIRE(purse->card().send(protocol::apdus::startTo(startOrderNaming(*other, 10))).sw() == sw::kSuccess);
    BOOST_TEST_REQUIRE((purse->status().protocol == ProtocolStatus::kEpv));
    corrupt(*purse, layout::kPendingPd + c.offset, c.bytes);  // the power-up abort refuses: nothing written
    selectAnswers(*purse, sw::kSuccess, c.what);
    expectAnswer(*purse, protocol::apdus::getData(protocol::kDataPurseStatus), sw::kSuccess,
                 std::string(c.what) + ": GET DATA status (does not read pd)");
    BOOST_TEST((purse->status().protocol == ProtocolStatus::kEpv), "still in epv");
    expectCorrupt(*purse, anyTransferMessage(protocol::apdus::val), std::string(c.what) + ": VAL");
    expectCorrupt(*purse, protocol::apdus::abortTransfer(), std::string(c.what) + ": ABORT");
    expectCorrupt(*purse, protocol::apdus::startFrom(startOrderNaming(*other, 10)),
                  std::string(c.what) + ": START FROM (aborts the transfer first)");
    sweepBareCommands(*purse, c.what);
  }
}

BOOST_AUTO_TEST_SUITE_END()

// ==========================================================================================
// A damaged slot of the image, not a field: the store's own checks (slot checksum) decide.
BOOST_AUTO_TEST_SUITE(corrupt_slots)

// Flips one byte inside the purse's memory in slot `slot` of the image file. Where a slot's
// memory lies comes from the store's published sizes; its contents are not interpreted.
Bytes withSlotDamaged(const Bytes& image, int slot, std::size_t capacity) {
  Bytes damaged = image;
  const std::size_t slotSize = card::TransactionStore::kSlotHeaderSize + capacity;
  const std::size_t at = card::TransactionStore::kFileHeaderSize + slot * slotSize +
                         card::TransactionStore::kSlotHeaderSize + card::CardOs::kDirectorySize + layout::kBalance;
  damaged.at(at) ^= 0x5A;
  return damaged;
}

BOOST_AUTO_TEST_CASE(one_bad_slot_falls_back_to_the_other_and_both_bad_refuse_the_image) {
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 1000);
  // One more commit, so the two slots hold different balances: 1000 (older), 1234 (newer).
  BOOST_TEST_REQUIRE(purse->card().send(loadOrder(issuer, 1, 1, 234)).sw() == sw::kSuccess);
  const std::uint64_t newest = purse->card().store().generation();
  const std::size_t capacity = purse->card().store().capacity();
  const Bytes good = purse->image();
  BOOST_TEST_REQUIRE(good.size() == card::TransactionStore::imageSize(capacity));

  std::vector<std::uint64_t> generations;
  for (int slot : {0, 1}) {
    purse->card().env().setContents(InMemoryCard::kImagePath, withSlotDamaged(good, slot, capacity));
    purse->card().restart();
    selectAnswers(*purse, sw::kSuccess, "slot " + std::to_string(slot) + " damaged");
    const std::uint64_t generation = purse->card().store().generation();
    generations.push_back(generation);
    const protocol::Amount balance = purse->status().balance;
    // The newest state if the damage hit the older slot, else the state one commit before.
    BOOST_TEST(balance == (generation == newest ? 1234u : 1000u), "slot " << slot << " damaged: balance " << balance);
  }
  BOOST_TEST(std::max(generations[0], generations[1]) == newest);
  BOOST_TEST(std::min(generations[0], generations[1]) == newest - 1);

  const Bytes bothBad = withSlotDamaged(withSlotDamaged(good, 0, capacity), 1, capacity);
  purse->card().env().setContents(InMemoryCard::kImagePath, bothBad);
  BOOST_CHECK_THROW(purse->card().restart(), std::runtime_error);
  BOOST_TEST(purse->card().env().contents(InMemoryCard::kImagePath) == bothBad,
             "a refused image is never overwritten");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
