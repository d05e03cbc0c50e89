// The fixture of the tests of epurse's value commands (epurse_transfer_test, epurse_pay_test):
// two purses personalised and loaded by epurse-issuer in the two vpcd readers (a: 300.00, b:
// 10.00; EUR, max balance 500.00, transfer limit 200.00, no-PIN limit 20.00, PIN 1234), epurse
// run as a whole program, a PIN typed on a pseudo-terminal, the card kill hook
// (EPURSE_TEST_KILL_CARD), and the value check after a recovery: the two balances plus what
// both exception logs show lost in transit equal what there was before.
// Built with EPURSE_CLI_PROGRAM, EPURSE_ISSUER_PROGRAM and EPURSE_CARD_PROGRAM.
#pragma once

#include <stdlib.h>

#include <chrono>
#include <string>
#include <vector>

#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/issuer_cli_fixture.h"
#include "tests/support/pseudo_terminal.h"

namespace epurse::testing::value_cli {

using namespace issuer_cli;
using namespace std::chrono_literals;

inline constexpr const char* kPurseA = "0102030405060701";
inline constexpr const char* kPurseB = "0102030405060702";

// What a program printed on a pseudo-terminal, and how it ended.
struct TerminalSession {
  int exitCode = -1;
  std::string screen;  // everything written to the terminal, prompts included
};

struct ValueFixture : IssuerCliFixture {
  std::unique_ptr<Card> a, b;

  ValueFixture() {
    initIssuer();
    a = plugDetached(0, "a.img");
    b = plugDetached(1, "b.img");
    personalizeWithPin(*a, kPurseA);
    personalizeWithPin(*b, kPurseB);
    load(*a, "300.00");
    load(*b, "10.00");
  }

  void personalizeWithPin(const Card& card, const std::string& purseId) {
    issuerJson(signing({"personalize", "--reader", readerArg(card), "--currency", "EUR", "--max-balance", "500.00",
                        "--transfer-limit", "200.00", "--no-pin-limit", "20.00", "--pin-file", pinFile,
                        "--purse-id", purseId}));
  }

  std::string issuerPublicKey() const { return (std::filesystem::path(home) / "issuer-public.pem").string(); }

  // epurse ARGS; stdout and stderr together. stdin is /dev/null (no terminal to ask a PIN on).
  CommandOutput epurse(const std::vector<std::string>& args) const {
    std::string script = "exec \"$0\" \"$@\" </dev/null";
    std::vector<std::string> argv{"/bin/sh", "-c", script, EPURSE_CLI_PROGRAM};
    argv.insert(argv.end(), args.begin(), args.end());
    auto out = runCommand(argv, 60000ms);
    BOOST_TEST_REQUIRE(out.isOk(), why(out));
    return *out;
  }

  json epurseJson(std::vector<std::string> args, int expectedExit) const {
    args.push_back("--json");
    auto out = epurse(args);
    BOOST_TEST(out.exitCode == expectedExit, "exit " << out.exitCode << ": " << out.out);
    return parsed(out);
  }

  // epurse ARGS with the card process of `card` killed just before `step` (the kill hook).
  CommandOutput epurseKillingAt(const std::string& step, Card& card, const std::vector<std::string>& args) const {
    const std::string hook = step + ":" + std::to_string(card.process.pid());
    ::setenv("EPURSE_TEST_KILL_CARD", hook.c_str(), 1);
    auto out = epurse(args);
    ::unsetenv("EPURSE_TEST_KILL_CARD");
    return out;
  }

  // The card in `card` back: its dead process reaped (if it died), the same image plugged in.
  void replugIfDead(std::unique_ptr<Card>& card) {
    auto rc = card->process.wait(100ms);
    if (!rc.isOk()) return;  // still running
    const unsigned slot = card->slot;
    const std::string image = std::filesystem::path(card->image).filename().string();
    waitFor(slot, false);
    card.reset();
    card = plugDetached(slot, image);
  }

  // Runs epurse ARGS on a pseudo-terminal, answering the first "PIN" prompt with `typed` once
  // the whole prompt is there (the program turns echo off before it prints it).
  TerminalSession onTerminal(const std::vector<std::string>& args, const std::string& typed) const {
    std::vector<std::string> argv{EPURSE_CLI_PROGRAM};
    argv.insert(argv.end(), args.begin(), args.end());
    auto program = PseudoTerminalProgram::start(argv);
    BOOST_TEST_REQUIRE(program.isOk(), why(program));
    const auto prompted = program->waitUntil(
        [](const std::string& out) {
          const auto at = out.find("PIN");
          return at != std::string::npos && out.find(": ", at) != std::string::npos;
        },
        "the PIN prompt", 60s);
    if (prompted.isOk()) BOOST_TEST_REQUIRE(program->type(typed + "\n").isOk());
    auto rc = program->finish(60s);
    BOOST_TEST_REQUIRE(rc.isOk(), why(rc));
    return TerminalSession{*rc, program->output()};
  }

  long long balanceOf(Card& card) { return statusOf(card).balance; }

  // After an interrupted transfer from a to b of `value`: both purses ABORTed and their
  // exception logs compared (terminal::recover), then: both idle, and balances plus the value
  // lost in transit (logged by both) are what they were before. Returns the fate of the
  // transfer's pd (nullopt when neither log names it).
  std::optional<terminal::TransferFate> recoverAndCheck(long long totalBefore, long long value,
                                                        std::uint32_t payerSeq) {
    attach(*a);
    attach(*b);
    auto report = terminal::recover(a->purse(), b->purse());
    BOOST_TEST_REQUIRE(report.isOk(), why(report));
    std::optional<terminal::TransferFate> fate;
    long long lost = 0;
    for (const auto& f : report->findings) {
      if (f.pd.fromSeq != payerSeq) continue;
      fate = f.fate;
      BOOST_TEST(f.pd.value == value);
      if (f.fate == terminal::TransferFate::kValueLost) lost += f.pd.value;
    }
    const auto sa = status(*a), sb = status(*b);
    detach(*a);
    detach(*b);
    BOOST_TEST((sa.protocol == protocol::ProtocolStatus::kIdle && sb.protocol == protocol::ProtocolStatus::kIdle));
    BOOST_TEST(sa.balance + sb.balance + lost == totalBefore, "a " << sa.balance << " + b " << sb.balance
                                                                   << " + lost " << lost << " != " << totalBefore);
    return fate;
  }
};

}  // namespace epurse::testing::value_cli
