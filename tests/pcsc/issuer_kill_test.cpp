// epurse-issuer killed (SIGKILL) before each APDU of load, unload, collect and refund, and
// after the last answer (EPURSE_ISSUER_KILL_AT_APDU, docs/cli.md "Test hook"). After every
// kill the next collect completes the books: the report adds up, the card's balance is what
// its archived log says, every confirmed load and unload is in the card's log and every one in
// the log is confirmed (nothing lost, nothing counted twice), and once a later order is sent
// no order is left pending.
#define BOOST_TEST_MODULE issuer_kill_test
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include "tests/support/issuer_cli_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::issuer_cli;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPurseA = "0102030405060701";
constexpr const char* kPurseB = "0102030405060702";
constexpr int kKilled = 128 + SIGKILL;
constexpr int kMaxApdus = 60;  // far more than any command sends

struct KillFixture : IssuerCliFixture {
  std::unique_ptr<Card> a, b;

  KillFixture() {
    initIssuer();
    a = plugDetached(0, "a.img");
    b = plugDetached(1, "b.img");
    personalize(*a, std::string(kPurseA));
    personalize(*b, std::string(kPurseB));
    load(*a, "300.00");
    load(*b, "10.00");
  }

  // The command with the hook set for this one run.
  CommandOutput killedAt(int n, const std::vector<std::string>& args) {
    ::setenv("EPURSE_ISSUER_KILL_AT_APDU", std::to_string(n).c_str(), 1);
    auto out = issuer(args);
    ::unsetenv("EPURSE_ISSUER_KILL_AT_APDU");
    return out;
  }

  // What the books and the card say after the next collect.
  void checkBooks(Card& card, const std::string& purseId, const std::string& when) {
    BOOST_TEST_CONTEXT(when) {
      const json c = collect(card);
      auto report = issuer({"report"});
      BOOST_TEST(report.exitCode == 0, report.out);
      BOOST_TEST(report.out.find("the books add up") != std::string::npos, report.out);
      const json history = issuerJson({"history", purseId});
      const json show = issuerJson({"show", purseId});
      long long loggedLoads = 0, loggedUnloads = 0, confirmedLoads = 0, confirmedUnloads = 0;
      for (const auto& r : history["records"]) {
        if (r["type"] == "load") loggedLoads += r["amount"]["minorUnits"].get<long long>();
        if (r["type"] == "unload") loggedUnloads += r["amount"]["minorUnits"].get<long long>();
      }
      for (const auto& o : show["orders"]) {
        if (o["state"] != "confirmed") continue;
        const long long amount = o["amount"]["minorUnits"].get<long long>();
        (o["kind"] == "unload" ? confirmedUnloads : confirmedLoads) += amount;
      }
      BOOST_TEST(loggedLoads == confirmedLoads, show.dump());
      BOOST_TEST(loggedUnloads == confirmedUnloads, show.dump());
      BOOST_TEST_REQUIRE(!history["records"].empty());
      const auto balance = statusOf(card).balance;
      BOOST_TEST(history["records"].back()["balanceAfter"]["minorUnits"].get<long long>() == balance);
      (void)c;
    }
  }

  void checkNothingPending(const std::string& purseId) {
    const json show = issuerJson({"show", purseId});
    for (const auto& o : show["orders"]) BOOST_TEST(o["state"] != "pending", o.dump());
  }

  // Every kill point of `args` on `card`; `prepare` sets up what the command needs each time.
  int everyKillPoint(Card& card, const std::string& purseId, const std::vector<std::string>& args,
                     const std::function<void()>& prepare = {}) {
    for (int n = 1; n <= kMaxApdus; ++n) {
      if (prepare) prepare();
      auto out = killedAt(n, args);
      if (out.exitCode == 0) {  // it never reached APDU n: every point was tried
        BOOST_TEST_MESSAGE(args[0] << ": killed before each of its " << n - 1 << " APDUs and after the last answer");
        return n;
      }
      BOOST_TEST_REQUIRE(out.exitCode == kKilled, "kill at " << n << ": exit " << out.exitCode << ": " << out.out);
      checkBooks(card, purseId, args[0] + " killed before APDU " + std::to_string(n));
    }
    BOOST_FAIL("the command sent more than " << kMaxApdus << " APDUs");
    return 0;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(issuer_kill, KillFixture)

BOOST_AUTO_TEST_CASE(load_killed_at_every_apdu) {
  const int points = everyKillPoint(*a, kPurseA, signing({"load", "--reader", readerArg(*a), "--amount", "1.00"}));
  BOOST_TEST(points > 3);
  load(*a, "1.00");  // a later order at the card's counter settles what is left
  checkBooks(*a, kPurseA, "after a last load");
  checkNothingPending(kPurseA);
}

BOOST_AUTO_TEST_CASE(unload_killed_at_every_apdu) {
  const int points = everyKillPoint(
      *a, kPurseA, signing({"unload", "--reader", readerArg(*a), "--amount", "1.00", "--pin-file", pinFile}));
  BOOST_TEST(points > 4);
  load(*a, "1.00");
  checkBooks(*a, kPurseA, "after a last load");
  checkNothingPending(kPurseA);
}

BOOST_AUTO_TEST_CASE(collect_killed_at_every_apdu) {
  // Something to collect and an exception record to clear.
  attach(*a);
  attach(*b);
  transfer(*a, *b, 100, 1);
  detach(*a);
  detach(*b);
  const int points = everyKillPoint(*a, kPurseA, signing({"collect", "--reader", readerArg(*a)}));
  BOOST_TEST(points > 5);
}

BOOST_AUTO_TEST_CASE(refund_killed_at_every_apdu) {
  // Each round needs a lost transfer owed to A: B's card dies after REQ, then both recover.
  std::uint8_t ref = 10;
  auto loseOne = [&] {
    attach(*a);
    attach(*b);
    terminal::TransferSession session(a->purse(), b->purse(), 100, e2e::reference(ref++));
    BOOST_TEST_REQUIRE(session.readParties().isOk());
    BOOST_TEST_REQUIRE(session.startFrom().isOk());
    auto req = session.startTo();
    BOOST_TEST_REQUIRE(req.isOk(), why(req));
    BOOST_TEST_REQUIRE(session.req(*req).isOk());
    b->process.signal(SIGKILL);
    BOOST_TEST_REQUIRE(b->process.wait(5000ms).isOk());
    waitFor(1, false);
    b.reset();
    b = plug(1, "b.img");
    BOOST_TEST_REQUIRE(terminal::recover(a->purse(), b->purse()).isOk());
    detach(*a);
    detach(*b);
    collect(*a);
    collect(*b);
    const json r = issuerJson({"reconcile"});
    BOOST_TEST(r["newlyLost"] == 1, r.dump());
  };
  const int points = everyKillPoint(*a, kPurseA, signing({"refund", "--reader", readerArg(*a), "--all"}), loseOne);
  BOOST_TEST(points > 3);
  load(*a, "1.00");
  checkBooks(*a, kPurseA, "after a last load");
  checkNothingPending(kPurseA);
  // A refund whose order was voided (never applied) is owed again: refunded now, then never again.
  issuerJson(signing({"refund", "--reader", readerArg(*a), "--all"}));
  const json refund = issuerJson(signing({"refund", "--reader", readerArg(*a), "--all"}));
  BOOST_TEST(refund["refunds"].size() == 0u, refund.dump());
  checkBooks(*a, kPurseA, "after the last refunds");
}

BOOST_AUTO_TEST_CASE(personalize_killed_at_every_apdu_is_resumed_by_running_it_again) {
  b->process.signal(SIGTERM);
  BOOST_TEST_REQUIRE(b->process.wait(5000ms).isOk());
  waitFor(1, false);
  b.reset();
  const std::vector<std::string> args =
      signing({"personalize", "--reader", readers[1], "--currency", "EUR", "--max-balance", "100", "--transfer-limit",
               "50", "--no-pin-limit", "5", "--pin-file", pinFile});
  for (int n = 1; n <= kMaxApdus; ++n) {
    auto card = plugDetached(1, "blank-" + std::to_string(n) + ".img");
    auto out = killedAt(n, args);
    if (out.exitCode == 0) {
      BOOST_TEST_MESSAGE("personalize: killed before each of its " << n - 1 << " APDUs and after the last answer");
      BOOST_TEST(n > 6);
      return;
    }
    BOOST_TEST_REQUIRE(out.exitCode == kKilled, "kill at " << n << ": " << out.out);
    // Run again: it finishes what was left, or (killed after the last answer) finds the card
    // complete and says whose it is.
    auto againArgs = args;
    againArgs.push_back("--json");
    auto again = issuer(againArgs);
    const json resumed = parsed(again);
    const auto s = statusOf(*card);
    const std::string id = protocol::purseIdHex(s.purseId);
    BOOST_TEST((s.lifeCycle == protocol::LifeCycle::kPersonalised), "kill at " << n);
    if (again.exitCode == 0) {
      BOOST_TEST(resumed["purseId"] == id);
    } else {
      BOOST_TEST(again.exitCode == 1, again.out);
      BOOST_TEST(resumed["error"]["code"] == "personalised", again.out);
      BOOST_TEST(resumed["error"]["message"].get<std::string>().find(id) != std::string::npos, again.out);
    }
    const json show = issuerJson({"show", id});
    BOOST_TEST(show["purseId"] == id);
    card->process.signal(SIGTERM);
    BOOST_TEST_REQUIRE(card->process.wait(5000ms).isOk());
    waitFor(1, false);
  }
  BOOST_FAIL("personalize sent more than " << kMaxApdus << " APDUs");
}

BOOST_AUTO_TEST_SUITE_END()
