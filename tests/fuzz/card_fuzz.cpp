// Fuzz target for the whole card: two personalised purses of one issuer, in process, fed an
// arbitrary sequence of commands per input. Each step is raw bytes, or a well-formed protocol
// message with at most one byte changed: START FROM / START TO naming the other purse, the
// REQ, VAL or ACK the purses last answered, a LOAD order the genuine issuer signed for the
// card's current counter and an amount from the input, a replay of the last LOAD a card
// accepted, ABORT, VERIFY (right or wrong PIN), or a power cycle. After every command:
//   - nothing crashed (the sanitizers) and the answer carries data only with 9000 / 61xx;
//   - a refused command (not 9000) changed nothing: both card images byte for byte, except
//     that a wrong PIN spends a try by design;
//   - an accepted LOAD raised that card's balance by exactly the amount the issuer signed;
//   - no value was created: the sum of both balances never exceeds the starting sum plus
//     what accepted LOADs added.
// Every input starts again from the same two card images. CARD_FUZZ_TRACE=1 in the
// environment prints every command and answer (to read a failing input).
// Input: steps of [op] [argument] [mutation position] [mutation mask] ... (a raw step takes a
// length and that many bytes instead); a mask of 0 leaves the command as it was built.
// Built with standalone_fuzz_driver.cpp for ctest, and as card_libfuzzer with clang.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "apdu/response_apdu.h"
#include "base/hex.h"
#include "protocol/purse_apdus.h"
#include "protocol/transfer_messages.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/support/purse_fixture.h"

namespace {

using namespace epurse;
using namespace epurse::protocol;

enum class Op : std::uint8_t { kRaw, kStartFrom, kStartTo, kForward, kLoad, kAbort, kVerify, kPowerCycle };
constexpr std::uint8_t kOps = 8;
constexpr std::size_t kMaxSteps = 24;
constexpr Amount kStartBalance = 5000;

struct World {
  testing::TestIssuer issuer;
  std::array<std::unique_ptr<testing::TestPurse>, 2> purses{testing::makePurse(issuer, 1, kStartBalance),
                                                            testing::makePurse(issuer, 2, kStartBalance)};
  std::array<Bytes, 2> certificates;
  std::array<Bytes, 2> startImages;
  // The protocol messages the purses answered last: REQ (from START TO), VAL (from REQ),
  // ACK (from VAL), forwarded as the terminal would.
  std::array<std::optional<SignedTransferMessage>, 3> lastMessage;
  // Each card's nextSeq before the START it last accepted: the seq its counterparty's START
  // must name (a terminal reads both statuses before the transfer, not between the STARTs).
  std::array<std::optional<std::uint32_t>, 2> seqAtStart;
  // The last LOAD each card accepted, to replay: the card must refuse it (its counter moved on).
  std::array<Bytes, 2> lastLoad;

  World() {
    for (std::size_t i = 0; i < 2; ++i) {
      certificates[i] = purses[i]->client().certificate()->encode();
      startImages[i] = purses[i]->image();
    }
  }
};

World& world() {
  static World w;
  return w;
}

struct Cursor {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos = 0;
  bool more() const { return pos < size; }
  std::uint8_t next() { return pos < size ? data[pos++] : 0; }
};

PurseStatus statusOf(testing::InMemoryCard& card) {
  ResponseApdu r = card.raw(apdus::getData(kDataPurseStatus));
  if (r.sw() != sw::kSuccess) {
    (void)card.raw(apdus::selectPurse());
    r = card.raw(apdus::getData(kDataPurseStatus));
  }
  FUZZ_CHECK(r.sw() == sw::kSuccess);
  auto status = PurseStatus::decode(r.data());
  FUZZ_CHECK(status.isOk());
  return *status;
}

bool spendsPinTry(ByteView command, sw::StatusWord status) {
  if (command.size() < 2 || command[0] != kClaIso) return false;
  if (command[1] != kInsVerify && command[1] != kInsChangeReferenceData) return false;
  return (status & 0xFFF0) == sw::kVerifyFailedBase || status == sw::kAuthenticationMethodBlocked;
}

// The command of one step, already serialized and mutated; empty for a step that sends none.
struct Step {
  Bytes command;
  std::size_t card = 0;
  std::optional<Amount> signedLoad;  // the amount of an issuer-signed LOAD
  std::optional<std::size_t> answers;  // which lastMessage slot a 9000 answer fills
  bool powerCycle = false;
  std::optional<std::uint32_t> seqBefore;  // of a START: the card's nextSeq before it
};

Step buildStep(World& w, Cursor& in) {
  const std::uint8_t opByte = in.next();
  Step s;
  s.card = (opByte >> 3) & 1;
  const std::size_t other = 1 - s.card;
  const auto op = static_cast<Op>(opByte % kOps);
  if (op == Op::kRaw) {
    const std::size_t n = in.next() % 64;
    for (std::size_t i = 0; i < n && in.more(); ++i) s.command.push_back(in.next());
    return s;
  }
  if (op == Op::kPowerCycle) {
    s.powerCycle = true;
    return s;
  }
  const std::uint8_t argument = in.next();
  CommandApdu command = apdus::abortTransfer();
  if (op == Op::kStartFrom || op == Op::kStartTo) {
    const Amount value = argument * 13u;
    const std::uint32_t otherSeq = w.seqAtStart[other].value_or(statusOf(w.purses[other]->card()).nextSeq);
    StartOrder order{w.certificates[other], value, otherSeq, {}};
    s.seqBefore = statusOf(w.purses[s.card]->card()).nextSeq;
    command = op == Op::kStartFrom ? apdus::startFrom(order) : apdus::startTo(order);
    if (op == Op::kStartTo) s.answers = 0;
  } else if (op == Op::kForward) {
    const std::size_t kind = argument % 4;
    if (kind == 3) {  // a replayed LOAD, sent as it was (to either card), never allowed to add value
      s.command = w.lastLoad[argument >> 7];
      return s;
    }
    if (!w.lastMessage[kind]) return s;
    const SignedTransferMessage& m = *w.lastMessage[kind];
    command = kind == 0 ? apdus::req(m) : kind == 1 ? apdus::val(m) : apdus::ack(m);
    if (kind < 2) s.answers = kind + 1;
  } else if (op == Op::kLoad) {
    const PurseStatus status = statusOf(w.purses[s.card]->card());
    const ValueOrder order{status.loadCounter, argument * 7u, testing::kEuro, testing::kToday};
    auto load = w.issuer.signer().load(status.purseId, order);
    FUZZ_CHECK(load.isOk());
    command = *load;
    s.signedLoad = order.amount;
  } else if (op == Op::kVerify) {
    command = apdus::verifyPin(*makePinBlock(argument & 1 ? "1234" : "9999"));
  }
  s.command = command.serialize();
  const std::uint8_t at = in.next();
  const std::uint8_t mask = in.next();
  if (mask != 0) {
    s.command[at % s.command.size()] ^= mask;
  }
  // Changed into another command, it is no longer a LOAD (a changed order or header still is,
  // and if accepted it may load exactly what the issuer signed, no more).
  if (s.signedLoad && (s.command[0] != kClaProprietary || s.command[1] != kInsLoad)) s.signedLoad.reset();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  for (std::size_t i = 0; i < 2; ++i) {
    w.purses[i]->card().env().setContents(testing::InMemoryCard::kImagePath, w.startImages[i]);
    w.purses[i]->powerCycle();
  }
  w.lastMessage = {};
  w.seqAtStart = {};
  w.lastLoad = {};
  std::uint64_t allowed = 2 * std::uint64_t{kStartBalance};
  Cursor in{data, size};
  for (std::size_t step = 0; step < kMaxSteps && in.more(); ++step) {
    const Step s = buildStep(w, in);
    testing::TestPurse& purse = *w.purses[s.card];
    if (s.powerCycle) purse.powerCycle();
    if (s.command.empty()) continue;
    const Amount balanceBefore = statusOf(purse.card()).balance;
    const std::array<Bytes, 2> imagesBefore{w.purses[0]->image(), w.purses[1]->image()};

    const Bytes response = purse.card().os().process(s.command);
    if (std::getenv("CARD_FUZZ_TRACE")) {  // the steps of a failing input, to read
      std::fprintf(stderr, "card %zu: %s -> %s\n", s.card, toHex(s.command).c_str(), toHex(response).c_str());
    }
    FUZZ_CHECK(response.size() >= 2);
    const auto status = static_cast<sw::StatusWord>(response[response.size() - 2] << 8 | response.back());
    const bool accepted = status == sw::kSuccess || (status >> 8) == sw::kSw1BytesAvailable;
    if (response.size() > 2) FUZZ_CHECK(accepted);
    if (!accepted && !spendsPinTry(s.command, status)) {
      FUZZ_CHECK(w.purses[0]->image() == imagesBefore[0]);
      FUZZ_CHECK(w.purses[1]->image() == imagesBefore[1]);
    }
    if (status == sw::kSuccess && s.seqBefore) w.seqAtStart[s.card] = s.seqBefore;
    if (status == sw::kSuccess && s.answers) {
      auto message = SignedTransferMessage::decode(ByteView(response).first(response.size() - 2));
      if (message) w.lastMessage[*s.answers] = *message;
    }
    const Amount balanceAfter = statusOf(purse.card()).balance;
    if (accepted && s.signedLoad) {
      FUZZ_CHECK(balanceAfter == balanceBefore + *s.signedLoad);
      allowed += *s.signedLoad;
      w.lastLoad[s.card] = s.command;
    }
    const std::uint64_t total =
        std::uint64_t{statusOf(w.purses[0]->card()).balance} + statusOf(w.purses[1]->card()).balance;
    FUZZ_CHECK(total <= allowed);
  }
  return 0;
}
