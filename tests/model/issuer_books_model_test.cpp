// Random runs of the issuer's books against real (in-memory) purses: loads whose receipt is
// lost or that are never sent, unloads, transfers completed or dropped at any step and
// recovered later by ABORT or a power cycle, collections from the card and imports of old or
// new exports in random order, exception-log clears, reconciliations and refunds. After every
// collection the report's identity must hold to the minor unit; at the end, with every purse
// collected and every lost transfer refunded, the float must equal what the cards really hold.
// A second run is the purse model's own (tests/model/model_run.h) with the books watching it
// (model_books.h): tears, drops, duplicates and power cycles included, the identity after
// every collection and the books equal to the model at every checkpoint.
//
//   issuer_books_model_test -- --seed=N --steps=N     (defaults: the CI seed, 1500 steps)
#define BOOST_TEST_MODULE issuer_books_model_test
#include <boost/test/unit_test.hpp>

#include <iostream>
#include <random>

#include "tests/model/model_books.h"
#include "tests/model/model_run.h"
#include "tests/support/issuer_books_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using issuer::ledger::OrderKind;

namespace {

constexpr std::size_t kPurses = 4;

struct Options {
  std::uint64_t seed = 20261201;
  int steps = 1500;
};

Options parseOptions() {
  Options o;
  const auto& suite = boost::unit_test::framework::master_test_suite();
  for (int i = 1; i < suite.argc; ++i) {
    const std::string arg = suite.argv[i];
    if (arg.rfind("--seed=", 0) == 0) o.seed = std::stoull(arg.substr(7));
    else if (arg.rfind("--steps=", 0) == 0) o.steps = std::stoi(arg.substr(8));
    else throw std::invalid_argument("unknown argument " + arg + " (use -- --seed=N --steps=N)");
  }
  return o;
}

class Run {
 public:
  explicit Run(Options o) : options_(o), rng_(o.seed) {
    for (std::size_t i = 0; i < kPurses; ++i) purses_.push_back(f_.issue(static_cast<std::uint8_t>(i + 1)));
  }

  void step(int n) {
    step_ = n;
    switch (uniform(0, 9)) {
      case 0: case 1: load(); break;
      case 2: unload(); break;
      case 3: case 4: transfer(); break;
      case 5: recover(); break;
      case 6: case 7: collect(any()); break;
      case 8: importOld(); break;
      case 9: reconcileAndRefund(any()); break;
    }
  }

  void finish() {
    for (std::size_t i = 0; i < kPurses; ++i) (void)purses_[i]->client().abort();
    for (std::size_t i = 0; i < kPurses; ++i) collect(i);
    for (std::size_t i = 0; i < kPurses; ++i) reconcileAndRefund(i);
    for (std::size_t i = 0; i < kPurses; ++i) collect(i);
    auto r = f_.euro();
    issuer::Money onCards = 0;
    for (auto& p : purses_) onCards += p->status().balance;
    BOOST_TEST(r.identityDifference == 0, where());
    BOOST_TEST(r.lostUnrefunded == 0, where());
    BOOST_TEST(r.movingTransfers == 0, where());
    BOOST_TEST(r.movingOrders == 0, where());
    BOOST_TEST(r.inCards == onCards, where());
    BOOST_TEST(r.floatValue == onCards, where());
    BOOST_TEST(r.flaggedPurses == 0u, where());
    std::cout << "issuer model: seed " << options_.seed << ", " << options_.steps << " steps: " << loads_
              << " loads (" << droppedReceipts_ << " receipts lost, " << unsent_ << " never sent), " << transfers_
              << " transfers (" << dropped_ << " dropped), " << collections_ << " collections, " << imports_
              << " imports, " << refunds_ << " refunds; float " << r.floatValue << " = on cards " << onCards << "\n";
  }

 private:
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  std::size_t any() { return static_cast<std::size_t>(uniform(0, kPurses - 1)); }
  std::string where() const {
    return "seed " + std::to_string(options_.seed) + " step " + std::to_string(step_);
  }
  TestPurse& purse(std::size_t i) { return *purses_[i]; }
  bool idle(std::size_t i) { return purse(i).status().protocol == protocol::ProtocolStatus::kIdle; }

  void load() {
    const std::size_t i = any();
    if (!idle(i)) return;
    const auto amount = static_cast<protocol::Amount>(uniform(1, 3000));
    if (purse(i).status().balance + amount > 100000) return;
    ++loads_;
    auto order = f_.authorise(purse(i), OrderKind::kLoad, amount);
    const auto fate = uniform(0, 9);
    if (fate == 0) {
      ++unsent_;  // the program died before sending it
      return;
    }
    auto answer = purse(i).client().send(order.command);
    BOOST_TEST_REQUIRE(answer.isOk());
    if (fate <= 3) {
      ++droppedReceipts_;  // the receipt is lost; the next collection settles it
      return;
    }
    BOOST_TEST_REQUIRE(f_.books().confirmOrder(order.id, answer->data(), kNow).isOk(), where());
  }

  void unload() {
    const std::size_t i = any();
    if (!idle(i) || purse(i).status().balance < 100) return;
    f_.order(purse(i), OrderKind::kUnload, static_cast<protocol::Amount>(uniform(1, purse(i).status().balance / 2)));
  }

  void transfer() {
    const std::size_t a = any();
    std::size_t b = any();
    if (a == b) b = (b + 1) % kPurses;
    if (!idle(a) || !idle(b)) return;
    const auto balance = purse(a).status().balance;
    if (balance == 0 || purse(a).status().exceptionsHeld >= 6 || purse(b).status().exceptionsHeld >= 6) return;
    const auto value = static_cast<protocol::Amount>(uniform(1, std::min<std::uint64_t>(balance, 1500)));
    ++transfers_;
    terminal::TransferSession s(purse(a).client(), purse(b).client(), value, checks::referenceOf(0));
    const auto stopAfter = uniform(0, 9);  // 5..9: complete
    BOOST_TEST_REQUIRE(s.readParties().isOk(), where());
    auto pd = s.startFrom();
    BOOST_TEST_REQUIRE(pd.isOk(), where() << " " << why(pd));
    if (stopAfter == 0) return drop();
    auto req = s.startTo();
    BOOST_TEST_REQUIRE(req.isOk(), where());
    if (stopAfter == 1) return drop();
    auto val = s.req(*req);
    BOOST_TEST_REQUIRE(val.isOk(), where());
    if (stopAfter == 2) return drop();
    auto ack = s.val(*val);
    BOOST_TEST_REQUIRE(ack.isOk(), where());
    if (stopAfter == 3) return drop();
    BOOST_TEST_REQUIRE(s.ack(*ack).isOk(), where());
  }
  void drop() { ++dropped_; }

  // A purse left mid-transfer is aborted by ABORT or by its next power-up.
  void recover() {
    const std::size_t i = any();
    if (uniform(0, 1) == 0) (void)purse(i).client().abort();
    else purse(i).powerCycle();
  }

  void collect(std::size_t i) {
    ++collections_;
    auto evidence = f_.read(purse(i));
    if (uniform(0, 3) == 0) exports_.push_back(evidence);
    const bool viaImport = uniform(0, 3) == 0;
    if (viaImport) ++imports_;
    auto outcome = f_.ingest(evidence, !viaImport);
    BOOST_TEST_REQUIRE(outcome.isOk(), where() << ": " << why(outcome));
    for (const auto& finding : outcome->findings) {
      BOOST_TEST((finding.kind == issuer::ledger::FindingKind::kGap), where() << ": " << finding.detail);
    }
    if (uniform(0, 1) == 0) {
      auto clear = f_.books().exceptionClearFor(purse(i).status().purseId, evidence.exceptionRecords, kNow);
      BOOST_TEST_REQUIRE(clear.isOk());
      if (clear->has_value()) {
        auto command = f_.issuer().signer().clearExceptionLog(purse(i).status().purseId, **clear);
        BOOST_TEST_REQUIRE(command.isOk());
        (void)checks::expectOk(purse(i), *command, "CLEAR EXCEPTION LOG");
      }
    }
    BOOST_TEST_REQUIRE(f_.euro().identityDifference == 0, where() << ": the report does not add up");
  }

  // An export made earlier, imported late (or again): old news, never a finding.
  void importOld() {
    if (exports_.empty()) return;
    const auto& evidence = exports_[uniform(0, exports_.size() - 1)];
    auto outcome = f_.ingest(evidence, false);
    BOOST_TEST_REQUIRE(outcome.isOk(), where() << ": " << why(outcome));
    for (const auto& finding : outcome->findings) {
      BOOST_TEST((finding.kind == issuer::ledger::FindingKind::kGap), where() << ": " << finding.detail);
    }
    BOOST_TEST_REQUIRE(f_.euro().identityDifference == 0, where());
  }

  void reconcileAndRefund(std::size_t i) {
    BOOST_TEST_REQUIRE(f_.books().reconcile(kNow).isOk());
    if (!idle(i)) return;
    auto owed = f_.books().owedRefunds(purse(i).status().purseId);
    BOOST_TEST_REQUIRE(owed.isOk());
    for (const auto& pd : *owed) {
      if (purse(i).status().balance + pd.value > 100000) continue;
      f_.order(purse(i), OrderKind::kRefund, pd.value, pd);
      ++refunds_;
    }
    BOOST_TEST_REQUIRE(f_.euro().identityDifference == 0, where());
  }

  Options options_;
  std::mt19937_64 rng_;
  BooksFixture f_;
  std::vector<std::unique_ptr<TestPurse>> purses_;
  std::vector<host::CollectedEvidence> exports_;
  int step_ = 0;
  int loads_ = 0, droppedReceipts_ = 0, unsent_ = 0, transfers_ = 0, dropped_ = 0, collections_ = 0, imports_ = 0,
      refunds_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_books_add_up_after_every_collection_of_a_random_run) {
  const Options options = parseOptions();
  std::cout << "issuer model: seed " << options.seed << ", " << options.steps << " steps\n";
  Run run(options);
  for (int n = 0; n < options.steps; ++n) run.step(n);
  run.finish();
}

// The purse model's own run (tests/model: loads, unloads, transfers completed, dropped and
// duplicated, tears at random writes, power cycles, aborts, exception-log clears) with the
// books watching: every order authorised before it is sent, collections at random and before
// every clear, the identity after each, and at every checkpoint the books' value in cards and
// net loads exactly the model's. Torn orders whose receipt never came are settled from the
// logs.
BOOST_AUTO_TEST_CASE(the_books_follow_the_purse_model_through_tears_and_drops) {
  const Options options = parseOptions();
  model::Options modelOptions;
  modelOptions.seed = options.seed;
  modelOptions.steps = options.steps;
  model::ModelBooks books;
  model::ModelRun run(modelOptions, &books);
  const std::string failure = run.execute();
  BOOST_TEST_REQUIRE(failure.empty(), failure);
  std::cout << run.statistics() << "  books: " << books.collections() << " collections, " << books.identityChecks()
            << " identity checks, " << books.ordersSettledFromLogs() << " orders settled from the logs\n";
  BOOST_TEST(books.collections() > 0);
  BOOST_TEST(run.stat("checkpoints") > 0);
}
