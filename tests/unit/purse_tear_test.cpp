// Power loss at every persistent write of every step of a transfer, under every crash mode of
// the fault-injecting Env (SQLite's test6.c model), then both purses power up and the Mondex
// outcome is checked: the transfer completed, or no value moved (at most the payee's exception
// log names pd), or the value is definitely lost and both exception logs name the same pd.
// Never a debit without either a credit or both log entries; never a credit without a debit.
#define BOOST_TEST_MODULE purse_tear
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <optional>

#include "card/persistence/tear_injector.h"
#include "card/purse/purse_layout.h"
#include "card/runtime/card_os.h"
#include "host/log_verifier.h"
#include "protocol/issuer_authorisations.h"
#include "protocol/purse_apdus.h"
#include "protocol/purse_commands.h"
#include "terminal/transfer/transfer_driver.h"
#include "tests/support/fault_injection_env.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/purse_records.h"
#include "tests/support/test_printing.h"

namespace epurse::testing {
namespace {

using checks::exceptionsOf;
using checks::holds;
using protocol::Amount;
using protocol::PaymentDetails;
using protocol::ProtocolStatus;

constexpr Amount kPayerStart = 10000;
constexpr Amount kPayeeStart = 1000;
constexpr Amount kValue = 1500;

enum class Step { kStartFrom, kStartTo, kReq, kVal, kAck };
constexpr Step kSteps[] = {Step::kStartFrom, Step::kStartTo, Step::kReq, Step::kVal, Step::kAck};

const char* stepName(Step s) {
  switch (s) {
    case Step::kStartFrom: return "START FROM";
    case Step::kStartTo: return "START TO";
    case Step::kReq: return "REQ";
    case Step::kVal: return "VAL";
    case Step::kAck: return "ACK";
  }
  return "?";
}

// The payer receives START FROM, REQ and ACK; the payee START TO and VAL.
bool goesToPayer(Step s) { return s == Step::kStartFrom || s == Step::kReq || s == Step::kAck; }

struct World {
  TestIssuer issuer;
  std::unique_ptr<TestPurse> payer = makePurse(issuer, 1, kPayerStart);
  std::unique_ptr<TestPurse> payee = makePurse(issuer, 2, kPayeeStart);
};

void checkChain(TestPurse& purse, const char* who) {
  auto log = purse.client().readTransactionLog();
  BOOST_REQUIRE(log);
  const Status chain = host::verifyTransactionLog(*log);
  BOOST_TEST(chain.isOk(), who << " log chain: " << chain.toString());
}

// Runs the transfer up to and including `tornStep`, with the power lost at the nth persistent
// write of that step on the purse it goes to. Returns whether the tear happened (false: the
// step has fewer than n writes and completed). `pd` receives the payer's pd once known.
bool runUntilTear(World& w, Step tornStep, std::uint64_t n, std::optional<PaymentDetails>& pd) {
  terminal::TransferSession session(w.payer->client(), w.payee->client(), kValue, {});
  BOOST_REQUIRE(session.readParties());
  std::optional<protocol::SignedTransferMessage> req, valMsg, ackMsg;
  for (Step s : kSteps) {
    TestPurse& target = goesToPayer(s) ? *w.payer : *w.payee;
    if (s == tornStep) target.card().tear().arm(n);
    try {
      switch (s) {
        case Step::kStartFrom: {
          auto r = session.startFrom();
          BOOST_REQUIRE_MESSAGE(r, "START FROM: " << why(r));
          pd = *r;
          break;
        }
        case Step::kStartTo: {
          auto r = session.startTo();
          BOOST_REQUIRE_MESSAGE(r, "START TO: " << why(r));
          req = *r;
          break;
        }
        case Step::kReq: {
          auto r = session.req(*req);
          BOOST_REQUIRE_MESSAGE(r, "REQ: " << why(r));
          valMsg = *r;
          break;
        }
        case Step::kVal: {
          auto r = session.val(*valMsg);
          BOOST_REQUIRE_MESSAGE(r, "VAL: " << why(r));
          ackMsg = *r;
          break;
        }
        case Step::kAck: {
          auto r = session.ack(*ackMsg);
          BOOST_REQUIRE_MESSAGE(r, "ACK: " << why(r));
          break;
        }
      }
    } catch (const card::PowerLost&) {
      return true;
    }
    if (s == tornStep) {
      target.card().tear().disarm();
      return false;
    }
  }
  return false;
}

enum class Fate { kCompleted, kNothingMoved, kLost };

// The Mondex outcome after both purses powered up. Fails the test on anything else.
Fate checkOutcome(World& w, const PaymentDetails& pd, const std::string& where) {
  const auto payerStatus = w.payer->status();
  const auto payeeStatus = w.payee->status();
  BOOST_TEST((payerStatus.protocol == ProtocolStatus::kIdle), where << ": payer not idle after power-up");
  BOOST_TEST((payeeStatus.protocol == ProtocolStatus::kIdle), where << ": payee not idle after power-up");
  const bool debited = payerStatus.balance == kPayerStart - kValue;
  const bool credited = payeeStatus.balance == kPayeeStart + kValue;
  BOOST_TEST((debited || payerStatus.balance == kPayerStart), where << ": payer balance " << payerStatus.balance);
  BOOST_TEST((credited || payeeStatus.balance == kPayeeStart), where << ": payee balance " << payeeStatus.balance);
  const bool payerLogged = holds(exceptionsOf(*w.payer), pd);
  const bool payeeLogged = holds(exceptionsOf(*w.payee), pd);
  checkChain(*w.payer, "payer");
  checkChain(*w.payee, "payee");

  BOOST_TEST(!(credited && !debited), where << ": value created (payee credited, payer not debited)");
  if (debited && credited) return Fate::kCompleted;  // the payer's log may name pd (ACK lost): nothing lost
  if (!debited && !credited) {
    BOOST_TEST(!payerLogged, where << ": no value moved, yet the payer logged pd");
    return Fate::kNothingMoved;
  }
  BOOST_TEST((payerLogged && payeeLogged),
             where << ": payer debited without a credit, but not both exception logs name pd (payer "
                   << payerLogged << ", payee " << payeeLogged << ")");
  return Fate::kLost;
}

// The card's whole persistent memory as its store loaded it from the image.
Bytes persistentMemory(TestPurse& purse) {
  const card::TransactionStore& store = purse.card().store();
  const ByteView all = store.read(0, store.capacity());
  return Bytes(all.begin(), all.end());
}

struct TornVerify {
  bool torn = false;
  sw::StatusWord answer = 0;  // when not torn
  Bytes memory;               // after the crash and a power-up
};

// From `image`, VERIFY `pin` with the power lost at the nth persistent write (what was not
// synced resolved per `mode`), then the card powered up again.
TornVerify verifyTornAt(TestPurse& purse, const Bytes& image, const char* pin, std::uint64_t n, CrashMode mode) {
  purse.card().env().setContents(InMemoryCard::kImagePath, image);
  purse.powerCycle();
  TornVerify out;
  purse.card().tear().arm(n);
  try {
    out.answer = purse.card().raw(protocol::apdus::verifyPin(*protocol::makePinBlock(pin))).sw();
  } catch (const card::PowerLost&) {
    out.torn = true;
    purse.card().env().crash(mode, static_cast<std::uint32_t>(n));
  }
  purse.card().tear().disarm();
  purse.powerCycle();
  out.memory = persistentMemory(purse);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(purse_tear)

BOOST_AUTO_TEST_CASE(tear_at_every_write_of_every_transfer_step_keeps_the_mondex_properties) {
  int tears = 0;
  int fates[3] = {0, 0, 0};
  for (Step step : kSteps) {
    for (CrashMode mode : kAllCrashModes) {
      int tearsThisStep = 0;
      for (std::uint64_t n = 1;; ++n) {
        World w;
        std::optional<PaymentDetails> pd;
        const bool torn = runUntilTear(w, step, n, pd);
        TestPurse& target = goesToPayer(step) ? *w.payer : *w.payee;
        const std::string where = std::string(stepName(step)) + " write " + std::to_string(n) + " (" +
                                  crashModeName(mode) + ")";
        if (torn) {
          target.card().env().crash(mode, static_cast<std::uint32_t>(n * 31 + tears));
          ++tears;
          ++tearsThisStep;
        }
        // Power goes away from both purses and comes back: the power-up abort runs.
        w.payer->powerCycle();
        w.payee->powerCycle();
        if (!pd) {  // torn inside START FROM before the terminal saw pd: rebuild it from the logs
          const auto payer = w.payer->status();
          BOOST_TEST(payer.balance == kPayerStart, where);
          BOOST_TEST(w.payee->status().balance == kPayeeStart, where);
          BOOST_TEST(exceptionsOf(*w.payer).empty(), where);
          BOOST_TEST(exceptionsOf(*w.payee).empty(), where);
        } else {
          const Fate fate = checkOutcome(w, *pd, where);
          ++fates[static_cast<int>(fate)];
        }
        // Whatever happened, both purses still work: a new transfer completes.
        auto again = terminal::runTransfer(w.payer->client(), w.payee->client(), 100, {});
        BOOST_TEST(again.isOk(), where << ": transfer after recovery: " << why(again));
        if (!torn) break;
      }
      BOOST_TEST(tearsThisStep >= 2, stepName(step) << ": only " << tearsThisStep << " tear points");
    }
  }
  BOOST_TEST_MESSAGE("tears: " << tears << "; outcomes completed " << fates[0] << ", nothing moved " << fates[1]
                               << ", definitely lost " << fates[2]);
  // A tear inside REQ or VAL after the debit commits must produce "definitely lost"; inside
  // START or before the debit, "nothing moved"; at ACK, "completed".
  BOOST_TEST(fates[0] > 0);
  BOOST_TEST(fates[1] > 0);
  BOOST_TEST(fates[2] > 0);
}

// The power-up abort is itself a transaction: tear it at every write and power up again.
// Exactly one exception record results, never zero (lost trail) and never two (double count).
BOOST_AUTO_TEST_CASE(tear_during_the_power_up_abort_logs_pd_exactly_once) {
  for (CrashMode mode : kAllCrashModes) {
    for (std::uint64_t n = 1;; ++n) {
      World w;
      terminal::TransferSession session(w.payer->client(), w.payee->client(), kValue, {});
      BOOST_REQUIRE(session.readParties());
      BOOST_REQUIRE(session.startFrom());
      auto req = session.startTo();
      BOOST_REQUIRE(req);
      BOOST_REQUIRE(session.req(*req));  // payer debited, in epa
      const auto pd = req->pd;
      bool torn = false;
      w.payer->card().tear().arm(n);
      try {
        w.payer->card().restart();  // power-up runs the abort
      } catch (const card::PowerLost&) {
        torn = true;
        w.payer->card().env().crash(mode, static_cast<std::uint32_t>(n));
      }
      w.payer->card().tear().disarm();
      w.payer->powerCycle();
      const auto log = exceptionsOf(*w.payer);
      const auto count = std::count_if(log.begin(), log.end(), [&](const auto& r) { return r.pd == pd; });
      BOOST_TEST(count == 1, crashModeName(mode) << " write " << n << ": pd logged " << count << " times");
      BOOST_TEST((w.payer->status().protocol == ProtocolStatus::kIdle));
      BOOST_TEST(w.payer->status().balance == kPayerStart - kValue);
      if (!torn) break;
    }
  }
}

// VERIFY spends the try durably before comparing: a tear anywhere in it never gives a free try.
BOOST_AUTO_TEST_CASE(tear_during_verify_never_gives_a_free_try) {
  for (const char* candidate : {"9999", "1234"}) {
    for (CrashMode mode : kAllCrashModes) {
      for (std::uint64_t n = 1;; ++n) {
        TestIssuer issuer;
        auto purse = makePurse(issuer, 1, 0);
        const auto before = purse->status().pinTriesLeft;
        bool torn = false;
        purse->card().tear().arm(n);
        try {
          (void)purse->client().verifyPin(*protocol::makePinBlock(candidate));
        } catch (const card::PowerLost&) {
          torn = true;
          purse->card().env().crash(mode, static_cast<std::uint32_t>(n));
        }
        purse->card().tear().disarm();
        purse->powerCycle();
        const auto after = purse->status();
        BOOST_TEST(!after.pinVerified, "verified survived a power cycle");
        if (std::string(candidate) == "1234") {
          // The right PIN: the try is restored only after the match; a tear before that
          // leaves it spent (or, before the first commit, untouched).
          BOOST_TEST((after.pinTriesLeft == before || after.pinTriesLeft == before - 1),
                     "right PIN, write " << n << ": tries " << int(after.pinTriesLeft));
        } else {
          BOOST_TEST((after.pinTriesLeft == before - 1 || (torn && after.pinTriesLeft == before)),
                     "wrong PIN, write " << n << ": tries " << int(after.pinTriesLeft));
        }
        // The only way to keep the try is a tear before the decrement reached the disk: then
        // the card never compared (no answer was given).
        if (!torn) break;
      }
    }
  }
}

// The tearing attack on a PIN counter: send a guess, watch the card's power trace and cut the
// power as soon as it starts to write, which a card that compares first does only for a wrong
// guess (to spend the try). The card must spend the try, durably, before it compares: then up
// to the answer to a wrong PIN a right one makes exactly the same writes, every tear point
// leaves the same memory for both, and some tear point of a right PIN leaves the try spent
// (committed, not yet given back), a state a card that compares first never has. Nothing but
// the try counter ever changes, and once the spent try is durable every later tear keeps it.
BOOST_AUTO_TEST_CASE(verify_commits_the_spent_try_before_it_compares) {
  using card::purse_layout::kPinTries;
  TestIssuer issuer;
  auto purse = makePurse(issuer, 1, 0);
  const Bytes image = purse->image();
  const Bytes untouched = persistentMemory(*purse);
  const std::size_t triesAt = card::CardOs::kDirectorySize + card::purse_layout::kPinTriesLeft;
  BOOST_TEST_REQUIRE(untouched[triesAt] == kPinTries);
  const std::uint8_t triesAfterOne = kPinTries - 1;
  Bytes spent = untouched;
  spent[triesAt] = triesAfterOne;
  auto state = [&](const Bytes& m) -> std::string {
    if (m == untouched) return "untouched";
    if (m == spent) return "try spent";
    return "changed beyond the try counter (tries " + std::to_string(m[triesAt]) + ")";
  };
  for (CrashMode mode : kAllCrashModes) {
    bool wrongAnswered = false, rightAnswered = false, wrongSpent = false;
    int rightSpentTears = 0;
    for (std::uint64_t n = 1; !(wrongAnswered && rightAnswered); ++n) {
      const std::string where = std::string(crashModeName(mode)) + ", tear at write " + std::to_string(n);
      std::optional<TornVerify> wrong, right;
      if (!wrongAnswered) wrong = verifyTornAt(*purse, image, "9999", n, mode);
      if (!rightAnswered) right = verifyTornAt(*purse, image, "1234", n, mode);
      if (wrong && wrong->torn) {
        BOOST_TEST((wrong->memory == untouched || wrong->memory == spent),
                   "wrong PIN, " << where << ": " << state(wrong->memory));
        BOOST_TEST(!(wrongSpent && wrong->memory == untouched),
                   "wrong PIN, " << where << ": the try spent at an earlier tear is back");
        wrongSpent = wrongSpent || wrong->memory == spent;
        BOOST_TEST((right && right->torn), where << ": the right PIN was answered while a wrong one still wrote");
        if (right && right->torn) {
          BOOST_TEST((right->memory == wrong->memory), where << ": the right PIN left " << state(right->memory)
                                                             << ", a wrong one " << state(wrong->memory));
        }
      } else if (wrong) {
        wrongAnswered = true;
        BOOST_TEST(wrong->answer == sw::verifyFailed(triesAfterOne),
                   where << ": wrong PIN answered " << swHex(wrong->answer));
        BOOST_TEST((wrong->memory == spent), "wrong PIN answered at " << where << ": " << state(wrong->memory));
      }
      if (right && right->torn) {
        BOOST_TEST((right->memory == untouched || right->memory == spent),
                   "right PIN, " << where << ": " << state(right->memory));
        if (right->memory == spent) ++rightSpentTears;
      } else if (right) {
        rightAnswered = true;
        BOOST_TEST(right->answer == sw::kSuccess, where << ": right PIN answered " << swHex(right->answer));
        BOOST_TEST((right->memory == untouched), "right PIN answered at " << where << ": " << state(right->memory));
      }
    }
    BOOST_TEST(rightSpentTears > 0, crashModeName(mode) << ": no tear of a right-PIN VERIFY left the try spent: "
                                                           "the card compared before it spent the try");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace epurse::testing
