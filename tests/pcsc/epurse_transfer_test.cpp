// `epurse transfer` end to end: two epurse-card processes personalised and loaded by
// epurse-issuer behind a private pcscd, epurse run as a whole program. Human and --json
// output, each failure's exit code (and that it moved nothing), the PIN only above the no-PIN
// limit (from a pseudo-terminal without echo, --pin-file, EPURSE_PIN), and either card killed
// before every step of the transfer: exit 10 naming `epurse recover` whenever value may be in
// flight, the honest exit code otherwise, and after recovery no value created or lost.
#define BOOST_TEST_MODULE epurse_transfer_test
#include <boost/test/unit_test.hpp>

#include "tests/support/epurse_value_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::value_cli;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr long long kTotal = 31000;  // 300.00 + 10.00

}  // namespace

BOOST_FIXTURE_TEST_SUITE(epurse_transfer, ValueFixture)

BOOST_AUTO_TEST_CASE(a_transfer_says_what_moved_and_both_balances) {
  auto out = epurse({"transfer", "--from", readers[0], "--to", readers[1], "--amount", "12.5"});
  BOOST_TEST(out.exitCode == 0, out.out);
  BOOST_TEST(has(out.out, "Moved EUR 12.50 from purse 0102030405060701"), out.out);
  BOOST_TEST(has(out.out, "payer balance now EUR 287.50"), out.out);
  BOOST_TEST(has(out.out, "payee balance now EUR 22.50"), out.out);

  const json j = epurseJson({"transfer", "--from", "0", "--to", "1", "--amount", "0.05", "--ref", "rent"}, 0);
  BOOST_TEST(j["transfer"]["from"] == kPurseA);
  BOOST_TEST(j["transfer"]["to"] == kPurseB);
  BOOST_TEST(j["transfer"]["value"]["amount"] == "0.05");
  BOOST_TEST(j["transfer"]["value"]["currency"] == "EUR");
  BOOST_TEST(j["transfer"]["reference"].get<std::string>().substr(0, 8) == "72656E74");  // "rent"
  BOOST_TEST(j["pinVerified"] == false);
  BOOST_TEST(j["payer"]["balance"]["amount"] == "287.45");
  BOOST_TEST(j["payer"]["balanceBefore"]["amount"] == "287.50");
  BOOST_TEST(j["payee"]["balance"]["amount"] == "22.55");
  BOOST_TEST(j["payer"]["reader"] == readers[0]);
  BOOST_TEST(balanceOf(*a) == 28745);
  BOOST_TEST(balanceOf(*b) == 2255);
}

BOOST_AUTO_TEST_CASE(refusals_move_nothing_and_have_their_own_exit_codes) {
  struct Case {
    std::vector<std::string> args;
    int exit;
    const char* key;
    bool fillPayeeFirst = false;  // load b close to its maximum before this case
  };
  const std::vector<Case> cases = {
      {{"--from", "0", "--to", "1", "--amount", "1.234"}, 2, "invalid_argument"},    // too many decimals
      {{"--from", "0", "--to", "1", "--amount", "0"}, 2, "invalid_argument"},
      {{"--from", "0", "--to", "0", "--amount", "1.00"}, 2, "invalid_argument"},     // the same reader
      {{"--from", "1", "--to", "0", "--amount", "15.00"}, 13, "insufficient_funds"},  // b holds 10.00
      {{"--from", "0", "--to", "1", "--amount", "200.01", "--pin-file", pinFile}, 14, "transfer_limit_exceeded"},
      // 195.00 takes b over its 500.00 maximum: START FROM succeeds, START TO is refused, the
      // payer is ABORTed.
      {{"--from", "0", "--to", "1", "--amount", "195.00", "--pin-file", pinFile}, 14, "max_balance_exceeded", true},
      {{"--from", "0", "--to", "1", "--amount", "21.00"}, 2, "invalid_argument"},  // no PIN to be had
  };
  long long aBefore = balanceOf(*a), bBefore = balanceOf(*b);
  for (const auto& c : cases) {
    if (c.fillPayeeFirst) {
      load(*b, "300.00");
      bBefore = balanceOf(*b);
    }
    std::vector<std::string> args{"transfer"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const json j = epurseJson(args, c.exit);
    BOOST_TEST_CONTEXT(j.dump()) {
      BOOST_TEST(j["error"]["exit"] == c.exit);
      if (c.exit != 2) BOOST_TEST(j["error"]["code"] == c.key);
      if (c.exit != 2) BOOST_TEST(has(j["error"]["message"], "nothing moved"));
      if (c.exit != 2) BOOST_TEST(j["moved"] == false);
    }
    const auto sa = statusOf(*a), sb = statusOf(*b);
    BOOST_TEST(sa.balance == aBefore);
    BOOST_TEST(sb.balance == bBefore);
    BOOST_TEST((sa.protocol == protocol::ProtocolStatus::kIdle), "payer left in a transfer by " << j.dump());
    BOOST_TEST((sb.protocol == protocol::ProtocolStatus::kIdle), "payee left in a transfer by " << j.dump());
  }
  // The message for the missing PIN names the ways to give it.
  auto out = epurse({"transfer", "--from", "0", "--to", "1", "--amount", "21.00"});
  BOOST_TEST(out.exitCode == 2);
  BOOST_TEST(has(out.out, "--pin-file"), out.out);
}

BOOST_AUTO_TEST_CASE(no_card_in_a_reader_is_exit_9_and_no_reader_is_8) {
  a->process.signal(SIGKILL);
  BOOST_TEST_REQUIRE(a->process.wait(5000ms).isOk());
  waitFor(0, false);
  const json j = epurseJson({"transfer", "--from", "0", "--to", "1", "--amount", "1.00"}, 9);
  BOOST_TEST(j["error"]["code"] == "no_card");
  BOOST_TEST(has(j["error"]["message"], "payer"));
  const json none = epurseJson({"transfer", "--from", "no such reader", "--to", "1", "--amount", "1.00"}, 8);
  BOOST_TEST(none["error"]["code"] == "no_reader");
}

BOOST_AUTO_TEST_CASE(the_pin_is_asked_only_above_the_no_pin_limit) {
  // At the limit: no PIN asked (stdin is not a terminal and no PIN is given).
  auto free = epurse({"transfer", "--from", "0", "--to", "1", "--amount", "20.00"});
  BOOST_TEST(free.exitCode == 0, free.out);
  // From a file, and from EPURSE_PIN.
  const json fromFile = epurseJson({"transfer", "--from", "0", "--to", "1", "--amount", "20.01", "--pin-file", pinFile}, 0);
  BOOST_TEST(fromFile["pinVerified"] == true);
  ::setenv("EPURSE_PIN", "1234", 1);
  const json fromEnv = epurseJson({"transfer", "--from", "0", "--to", "1", "--amount", "30.00"}, 0);
  ::unsetenv("EPURSE_PIN");
  BOOST_TEST(fromEnv["pinVerified"] == true);
  // Typed on a terminal, never echoed.
  const auto typed = onTerminal({"transfer", "--from", "0", "--to", "1", "--amount", "40.00"}, "1234");
  BOOST_TEST(typed.exitCode == 0, typed.screen);
  BOOST_TEST(has(typed.screen, "PIN"), typed.screen);
  BOOST_TEST(!has(typed.screen, "1234"), "the PIN was echoed: " << typed.screen);
  BOOST_TEST(has(typed.screen, "Moved EUR 40.00"), typed.screen);
  BOOST_TEST(balanceOf(*a) == 30000 - 2000 - 2001 - 3000 - 4000);
}

BOOST_AUTO_TEST_CASE(a_wrong_pin_is_11_with_the_tries_left_then_12_when_blocked) {
  const std::string wrong = writeFile("wrong-pin", "9999\n");
  const json first = epurseJson({"transfer", "--from", "0", "--to", "1", "--amount", "50.00", "--pin-file", wrong}, 11);
  BOOST_TEST(first["error"]["code"] == "wrong_pin");
  const int triesLeft = first["triesLeft"].get<int>();
  BOOST_TEST(triesLeft > 0);
  BOOST_TEST(has(first["error"]["message"], std::to_string(triesLeft) + " tries left"));
  const auto typed = onTerminal({"transfer", "--from", "0", "--to", "1", "--amount", "50.00"}, "8888");
  BOOST_TEST(typed.exitCode == 11, typed.screen);
  BOOST_TEST(!has(typed.screen, "8888"), typed.screen);
  json last;
  for (int i = 1; i < triesLeft; ++i) {
    last = epurseJson({"transfer", "--from", "0", "--to", "1", "--amount", "50.00", "--pin-file", wrong},
                      i + 1 < triesLeft ? 11 : 12);
  }
  BOOST_TEST(last["error"]["code"] == "pin_blocked");
  // Blocked stays blocked, even with the right PIN; nothing ever moved.
  epurseJson({"transfer", "--from", "0", "--to", "1", "--amount", "50.00", "--pin-file", pinFile}, 12);
  BOOST_TEST(balanceOf(*a) == 30000);
  BOOST_TEST(balanceOf(*b) == 1000);
}

BOOST_AUTO_TEST_CASE(either_card_killed_before_each_step) {
  struct Kill {
    const char* step;
    bool payer;
    int exit;  // 10: value may be in flight; 0: done; -1: nothing moved (5 or 9)
  };
  const std::vector<Kill> kills = {
      {"start-from", true, -1},  {"start-from", false, -1}, {"start-to", true, 10}, {"start-to", false, -1},
      {"req", true, 10},         {"req", false, 10},        {"val", true, 10},      {"val", false, 10},
      {"ack", true, 10},         {"ack", false, 0},         {"done", true, 0},      {"done", false, 0},
  };
  for (const auto& k : kills) {
    BOOST_TEST_CONTEXT(std::string(k.payer ? "payer" : "payee") + " killed before " + k.step) {
      const std::uint32_t payerSeq = statusOf(*a).nextSeq;
      const long long total = balanceOf(*a) + balanceOf(*b);
      const auto out = epurseKillingAt(k.step, k.payer ? *a : *b,
                                       {"transfer", "--from", "0", "--to", "1", "--amount", "1.00", "--json"});
      const json j = parsed(out);
      if (k.exit == -1) {
        BOOST_TEST((out.exitCode == 5 || out.exitCode == 9), out.out);
        BOOST_TEST(has(j["error"]["message"], "nothing moved"), out.out);
        BOOST_TEST(j["moved"] == false);
      } else {
        BOOST_TEST(out.exitCode == k.exit, out.out);
      }
      if (k.exit == 10) {
        BOOST_TEST(j["error"]["code"] == "recovery_needed");
        const std::string command = "epurse recover --from '" + readers[0] + "' --to '" + readers[1] + "'";
        BOOST_TEST(j["recover"]["command"] == command);
        BOOST_TEST(has(j["error"]["message"], command), out.out);
        BOOST_TEST(j["recover"]["pd"]["fromSeq"] == payerSeq);
        BOOST_TEST(j["recover"]["pd"]["value"]["amount"] == "1.00");
      }
      if (k.exit == 0) BOOST_TEST(j["transfer"]["value"]["amount"] == "1.00");
      replugIfDead(a);
      replugIfDead(b);
      const auto fate = recoverAndCheck(total, 100, payerSeq);
      if (k.exit == 0) BOOST_TEST(!fate.has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(the_human_message_after_a_pulled_card_says_how_to_recover) {
  const std::uint32_t payerSeq = statusOf(*a).nextSeq;
  const auto out = epurseKillingAt("val", *b, {"transfer", "--from", "0", "--to", "1", "--amount", "2.00"});
  BOOST_TEST(out.exitCode == 10, out.out);
  BOOST_TEST(has(out.out, "epurse: error: "), out.out);
  BOOST_TEST(has(out.out, "may be in flight"), out.out);
  BOOST_TEST(has(out.out, "epurse recover --from '" + readers[0] + "' --to '" + readers[1] + "'"), out.out);
  BOOST_TEST(has(out.out, "do not repeat the transfer"), out.out);
  replugIfDead(b);
  const auto fate = recoverAndCheck(kTotal, 200, payerSeq);
  BOOST_TEST((fate == terminal::TransferFate::kValueLost));
}

// A purse reported stolen and revoked by hand: a payee refuses it once the payee has the new
// list, which reaches a card at its next load or collect. Until then the payee does not know
// (the window docs/security.md describes): this test shows both sides of it.
BOOST_AUTO_TEST_CASE(a_purse_revoked_as_stolen_is_refused_by_a_payee_once_that_payee_is_collected) {
  const json revoked = issuerJson(signing({"revoke", kPurseA, "--reason", "reported stolen"}));
  BOOST_TEST(revoked.dump().find(kPurseA) != std::string::npos, revoked.dump());

  const auto before = epurse({"transfer", "--from", "0", "--to", "1", "--amount", "1.00"});
  BOOST_TEST(before.exitCode == 0, "the payee has no list yet: " << before.out);

  const json collected = issuerJson(signing({"collect", "--reader", readerArg(*b)}));
  BOOST_TEST(collected["revocationListPushed"] == true, collected.dump());
  const long long payer = balanceOf(*a), payee = balanceOf(*b);
  const auto refused = epurse({"transfer", "--from", "0", "--to", "1", "--amount", "1.00", "--json"});
  BOOST_TEST(refused.exitCode != 0, refused.out);
  BOOST_TEST(refused.exitCode != 10, "a refusal at START must not leave value in flight: " << refused.out);
  const json j = parsed(refused);
  BOOST_TEST(j["moved"] == false, refused.out);
  BOOST_TEST(has(j["error"]["message"], "revoked"), refused.out);
  BOOST_TEST(balanceOf(*a) == payer);
  BOOST_TEST(balanceOf(*b) == payee);
}

BOOST_AUTO_TEST_SUITE_END()
