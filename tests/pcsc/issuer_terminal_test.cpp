// epurse-issuer at a terminal, driven through a pseudo-terminal as an operator would use it:
// the passphrase and the PIN typed at prompts that do not echo them (asked twice when new, a
// mismatch refused), and the progress lines of import and reconcile, shown only on a
// terminal and never with --json or when stderr is not one.
#define BOOST_TEST_MODULE issuer_terminal_test
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "cli/audit_export.h"
#include "host/evidence_reader.h"
#include "protocol/ec_key.h"
#include "terminal/transfer/transfer_driver.h"
#include "terminal/transfer/transfer_recovery.h"
#include "tests/support/issuer_cli_fixture.h"
#include "tests/support/pseudo_terminal.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::issuer_cli;

namespace {

constexpr const char* kPassphrase = "typed-passphrase-7";
constexpr const char* kPin = "4711";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct TerminalFixture : IssuerCliFixture {
  PseudoTerminalProgram onTerminal(std::vector<std::string> args) const {
    std::vector<std::string> argv{EPURSE_ISSUER_PROGRAM};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--home");
    argv.push_back(home);
    auto program = PseudoTerminalProgram::start(argv);
    BOOST_TEST_REQUIRE(program.isOk(), why(program));
    return std::move(*program);
  }

  // Types `typed` once the whole prompt is there (echo is off by then: cli/secret_input.cpp).
  static void answer(PseudoTerminalProgram& program, const std::string& prompt, const std::string& typed) {
    auto seen = program.waitFor(prompt);
    BOOST_TEST_REQUIRE(seen.isOk(), why(seen));
    BOOST_TEST_REQUIRE(program.type(typed + "\n").isOk());
  }

  static int finished(PseudoTerminalProgram& program) {
    auto rc = program.finish();
    BOOST_TEST_REQUIRE(rc.isOk(), why(rc));
    return *rc;
  }

  // A terminal's export of `card` (its signed logs), as `epurse export` writes it.
  std::string exportOf(Card& card, const std::string& name) {
    attach(card);
    Bytes challenge(16);
    BOOST_TEST_REQUIRE(protocol::randomBytes(challenge.data(), challenge.size()));
    auto evidence = host::readEvidence(card.purse(), challenge);
    BOOST_TEST_REQUIRE(evidence.isOk(), why(evidence));
    detach(card);
    return writeFile(name, cli::encodeAuditExport(
                               *evidence, {cli::exportTime(std::chrono::system_clock::now()), "test terminal"}));
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(issuer_terminal, TerminalFixture)

BOOST_AUTO_TEST_CASE(secrets_are_typed_unseen_and_progress_shows_only_on_a_terminal) {
  // A mistyped second passphrase: refused, no issuer made.
  {
    auto init = onTerminal({"init"});
    answer(init, "passphrase (empty for none): ", kPassphrase);
    answer(init, "passphrase again (empty for none): ", "something else");
    BOOST_TEST(finished(init) == 2, init.output());
    BOOST_TEST(contains(init.output(), "differ"), init.output());
    BOOST_TEST(!contains(init.output(), kPassphrase), init.output());
  }
  {
    auto init = onTerminal({"init"});
    answer(init, "passphrase (empty for none): ", kPassphrase);
    answer(init, "passphrase again (empty for none): ", kPassphrase);
    BOOST_TEST(finished(init) == 0, init.output());
    BOOST_TEST(!contains(init.output(), kPassphrase), init.output());  // never echoed
  }

  // The passphrase to unlock the key and the card's first PIN (twice), all typed.
  auto a = plugDetached(0, "a.img");
  auto b = plugDetached(1, "b.img");
  {
    auto perso = onTerminal({"personalize", "--reader", readerArg(*a), "--currency", "EUR", "--max-balance",
                             "500", "--transfer-limit", "200", "--no-pin-limit", "200"});
    answer(perso, "passphrase: ", kPassphrase);
    answer(perso, "PIN: ", kPin);
    answer(perso, "PIN again: ", kPin);
    BOOST_TEST(finished(perso) == 0, perso.output());
    BOOST_TEST(!contains(perso.output(), kPin), perso.output());
    BOOST_TEST(!contains(perso.output(), kPassphrase), perso.output());
  }
  passphraseFile = writeFile("passphrase", std::string(kPassphrase) + "\n");
  personalize(*b, std::nullopt);
  load(*a, "40.00");
  attach(*a);
  attach(*b);
  transfer(*a, *b, 1500, 1);
  // And one stopped after START TO, then aborted on both: B's exception log names it, so
  // reconcile has a transfer to classify.
  terminal::TransferSession halfway(a->purse(), b->purse(), 500, e2e::reference(2));
  BOOST_TEST_REQUIRE(halfway.readParties().isOk());
  BOOST_TEST_REQUIRE(halfway.startFrom().isOk());
  BOOST_TEST_REQUIRE(halfway.startTo().isOk());
  BOOST_TEST_REQUIRE(terminal::recover(a->purse(), b->purse()).isOk());
  detach(*a);
  detach(*b);

  // Import and reconcile: a progress line on the terminal, none without one.
  const std::string exported = exportOf(*b, "b.json");
  const auto piped = issuer({"import", exported});
  BOOST_TEST(piped.exitCode == 0, piped.out);
  BOOST_TEST(!contains(piped.out, "imported 1/1"), piped.out);
  {
    auto import = onTerminal({"import", exportOf(*a, "a.json")});
    BOOST_TEST(finished(import) == 0, import.output());
    BOOST_TEST(contains(import.output(), "imported 1/1"), import.output());
  }
  {
    auto reconcile = onTerminal({"reconcile"});
    BOOST_TEST(finished(reconcile) == 0, reconcile.output());
    BOOST_TEST(contains(reconcile.output(), "reconciled 1/1"), reconcile.output());
  }
  {
    auto quiet = onTerminal({"reconcile", "--json"});
    BOOST_TEST(finished(quiet) == 0, quiet.output());
    BOOST_TEST(!contains(quiet.output(), "reconciled 1/1"), quiet.output());
    BOOST_TEST(contains(quiet.output(), "{"), quiet.output());
  }
}

BOOST_AUTO_TEST_SUITE_END()
