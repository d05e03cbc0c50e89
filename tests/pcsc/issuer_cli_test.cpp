// epurse-issuer end to end, under a private pcscd with two epurse-card processes: the key
// ceremony, personalisation (one purse ID given, one allocated), load, unload, a transfer, a
// transfer lost by killing the payee's card mid-way (both exception logs name its pd),
// collection (one purse by reader, one by a terminal's export file and import), reconciliation (1 lost), the refund to the payer (once, however often it is
// run), the report's identity, the registry commands; and the refusals of bad input, each
// with its exit code (docs/cli.md).
#define BOOST_TEST_MODULE issuer_cli_test
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>

#include "cli/audit_export.h"
#include "host/evidence_reader.h"
#include "protocol/ec_key.h"

#include "tests/support/headless_browser.h"
#include "tests/support/issuer_cli_fixture.h"
#include "tests/support/report_pages.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::issuer_cli;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPurseA = "0102030405060701";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A transfer through the test's own connections, both cards attached for it only.
protocol::PaymentDetails transferBetween(IssuerCliFixture& f, Card& payer, Card& payee, protocol::Amount value,
                                         std::uint8_t ref) {
  f.attach(payer);
  f.attach(payee);
  auto pd = f.transfer(payer, payee, value, ref);
  f.detach(payer);
  f.detach(payee);
  return pd;
}

// A transfer whose payee card dies after REQ (the payer debited, the payee never credited),
// then both recover: the pd is in both exception logs. The payee's card comes back on the
// same image.
protocol::PaymentDetails lostTransfer(IssuerCliFixture& f, Card& payer, std::unique_ptr<Card>& payee,
                                      protocol::Amount value) {
  f.attach(payer);
  f.attach(*payee);
  terminal::TransferSession session(payer.purse(), payee->purse(), value, e2e::reference(9));
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  auto pd = session.startFrom();
  BOOST_TEST_REQUIRE(pd.isOk(), why(pd));
  auto req = session.startTo();
  BOOST_TEST_REQUIRE(req.isOk(), why(req));
  auto val = session.req(*req);
  BOOST_TEST_REQUIRE(val.isOk(), why(val));
  const std::string image = std::filesystem::path(payee->image).filename().string();
  payee->process.signal(SIGKILL);
  BOOST_TEST_REQUIRE(payee->process.wait(5000ms).isOk());
  f.waitFor(payee->slot, false);
  const unsigned slot = payee->slot;
  payee.reset();
  payee = f.plug(slot, image);
  auto report = terminal::recover(payer.purse(), payee->purse());
  BOOST_TEST_REQUIRE(report.isOk(), why(report));
  BOOST_TEST(e2e::holds(f.exceptionLog(payer), *pd, protocol::ProtocolStatus::kEpa));
  BOOST_TEST(e2e::holds(f.exceptionLog(*payee), *pd, protocol::ProtocolStatus::kEpv));
  f.detach(payer);
  f.detach(*payee);
  return *pd;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(issuer_cli, IssuerCliFixture)

BOOST_AUTO_TEST_CASE(init_personalize_load_transfer_lose_collect_reconcile_refund_report) {
  // The ceremony, once.
  const json init = initIssuer();
  BOOST_TEST(init["keyId"].get<std::string>().size() == 16u, init.dump());
  BOOST_TEST(init["keyEncrypted"] == true);
  const json again = issuerJson({"init", "--no-passphrase"}, 1);
  BOOST_TEST(again["error"]["code"] == "exists", again.dump());

  auto a = plugDetached(0, "a.img");
  auto b = plugDetached(1, "b.img");
  const json pa = personalize(*a, std::string(kPurseA));
  BOOST_TEST(pa["purseId"] == kPurseA, pa.dump());
  BOOST_TEST(pa["maxBalance"]["amount"] == "500.00");
  const json pb = personalize(*b, std::nullopt);  // allocated by the issuer
  const std::string purseB = pb["purseId"].get<std::string>();
  BOOST_TEST(purseB.substr(0, 8) == init["keyId"].get<std::string>().substr(0, 8), pb.dump());
  // Not blank any more: refused, naming what it is.
  const json twice = personalize(*a, std::nullopt, 1);
  BOOST_TEST(contains(twice["error"]["message"], kPurseA), twice.dump());

  // A wrong passphrase unlocks nothing (exit 7), and nothing reaches the card.
  const std::string wrong = writeFile("wrong", "not it\n");
  auto locked = issuer({"load", "--reader", readerArg(*a), "--amount", "1.00", "--passphrase-file", wrong, "--json"});
  BOOST_TEST(locked.exitCode == 7, locked.out);
  BOOST_TEST(contains(locked.out, "wrong passphrase or damaged key file"), locked.out);

  // Loads and an unload (with the PIN), balances as the receipts say.
  const json la = load(*a, "100.00");
  BOOST_TEST(la["balance"]["amount"] == "100.00", la.dump());
  BOOST_TEST(la["orderId"].get<long long>() > 0);
  BOOST_TEST(load(*b, "20")["balance"]["amount"] == "20.00");
  const json ua = issuerJson(signing({"unload", "--reader", readerArg(*a), "--amount", "5.00", "--pin-file", pinFile}));
  BOOST_TEST(ua["balance"]["amount"] == "95.00", ua.dump());

  // Bad amounts: refused before anything is signed.
  BOOST_TEST(load(*a, "1.234", 2)["error"]["code"] == "usage");
  const json tooMuch = load(*a, "450.00", 2);
  BOOST_TEST(contains(tooMuch["error"]["message"], "maximum balance"), tooMuch.dump());
  BOOST_TEST(statusOf(*a).balance == 9500u);

  // A transfer, then one lost: A paid 15.00 that B never got.
  transferBetween(*this, *a, *b, 1000, 1);
  const auto lost = lostTransfer(*this, *a, b, 1500);
  BOOST_TEST(statusOf(*a).balance == 9500u - 1000u - 1500u);
  BOOST_TEST(statusOf(*b).balance == 2000u + 1000u);

  // Collect both: the records once, the exception logs archived and cleared on the cards.
  const json ca = collect(*a);
  BOOST_TEST(ca["newRecords"].get<int>() >= 5, ca.dump());
  BOOST_TEST(ca["newExceptions"] == 1);
  BOOST_TEST(ca["exceptionsCleared"] == 1);
  BOOST_TEST(statusOf(*a).exceptionsHeld == 0u);
  // B through a terminal's export file and import: a tampered copy is refused whole, the
  // file itself is stored once.
  attach(*b);
  Bytes challenge(16);
  BOOST_TEST_REQUIRE(protocol::randomBytes(challenge.data(), challenge.size()));
  auto evidence = host::readEvidence(b->purse(), challenge);
  BOOST_TEST_REQUIRE(evidence.isOk(), why(evidence));
  detach(*b);
  const std::string exported =
      cli::encodeAuditExport(*evidence, {cli::exportTime(std::chrono::system_clock::now()), "test terminal"});
  const std::string exportFile = writeFile("b-export.json", exported);
  std::string edited = exported;
  const auto at = edited.find(toHex(evidence->exceptionRecords.at(0)));
  BOOST_TEST_REQUIRE(at != std::string::npos);
  edited[at + 40] = edited[at + 40] == '0' ? '1' : '0';  // inside the record's pd
  const std::string tamperedFile = writeFile("b-tampered.json", edited);
  auto tampered = issuer({"import", tamperedFile, "--json"});
  BOOST_TEST(tampered.exitCode == 1, tampered.out);
  BOOST_TEST(contains(tampered.out, "nothing from it was stored"), tampered.out);
  const json cb = issuerJson({"import", exportFile});
  BOOST_TEST_REQUIRE(cb["files"].size() == 1u, cb.dump());
  BOOST_TEST(cb["files"][0]["purses"][0]["newExceptions"] == 1, cb.dump());
  BOOST_TEST(cb["files"][0]["nothingNew"] == false);
  auto importedAgain = issuer({"import", exportFile});
  BOOST_TEST(importedAgain.exitCode == 0, importedAgain.out);
  BOOST_TEST(contains(importedAgain.out, "nothing new"), importedAgain.out);
  const json cb2 = collect(*b);  // nothing new
  BOOST_TEST(cb2["newRecords"] == 0, cb2.dump());
  BOOST_TEST(cb2["newExceptions"] == 0);

  // Reconcile: the one lost transfer, both logs naming its pd.
  const json r1 = issuerJson({"reconcile"});
  BOOST_TEST(r1["lost"] == 1, r1.dump());
  BOOST_TEST(r1["newlyLost"] == 1);
  BOOST_TEST_REQUIRE(r1["transfers"].size() >= 1u);
  bool named = false;
  for (const auto& t : r1["transfers"]) named = named || t["pd"] == toHex(lost.encode());
  BOOST_TEST(named, r1.dump());

  // Refund the payer: its balance is whole again; a second run refunds nothing.
  BOOST_TEST(issuer({"refund", "--all"}).exitCode == 2);  // no --reader: the payer's card must be there
  const json refund = issuerJson(signing({"refund", "--reader", readerArg(*a), "--all"}));
  BOOST_TEST_REQUIRE(refund["refunds"].size() == 1u, refund.dump());
  BOOST_TEST(refund["refunds"][0]["balance"]["amount"] == "85.00");
  BOOST_TEST(statusOf(*a).balance == 9500u - 1000u);
  const json refund2 = issuerJson(signing({"refund", "--reader", readerArg(*a), "--all"}));
  BOOST_TEST(refund2["refunds"].size() == 0u, refund2.dump());
  const json r2 = issuerJson({"reconcile"});
  BOOST_TEST(r2["lost"] == 1, r2.dump());
  BOOST_TEST(r2["newlyLost"] == 0);
  auto humanRefund = issuer(signing({"refund", "--reader", readerArg(*a), "--all"}));
  BOOST_TEST(humanRefund.exitCode == 0);
  BOOST_TEST(contains(humanRefund.out, "nothing to do"), humanRefund.out);

  // After the refund's receipt and a collection of A: the books add up.
  collect(*a);
  auto report = issuer({"report"});
  BOOST_TEST(report.exitCode == 0, report.out);
  BOOST_TEST(contains(report.out, "adds up"), report.out);
  BOOST_TEST(contains(report.out, "the books add up"), report.out);
  const std::string page = (dir / "report.html").string();
  const json rj = issuerJson({"report", "--html", page});
  BOOST_TEST(rj["identityHolds"] == true, rj.dump());
  BOOST_TEST_REQUIRE(rj["currencies"].size() == 1u, rj.dump());
  BOOST_TEST(rj["currencies"][0]["code"] == "EUR");
  BOOST_TEST(rj["currencies"][0]["identity"]["holds"] == true);
  BOOST_TEST(rj["currencies"][0]["identity"]["difference"]["minor"] == 0);
  BOOST_TEST(std::filesystem::file_size(page) > 0u);
  // The page this run wrote, as headless chromium renders it: every figure of the same run's
  // --json report, unchanged.
  {
    const std::string browser = browserPath();
    BOOST_TEST_REQUIRE(!browser.empty(), "chromium is not installed (tests/install-deps.sh installs it)");
    Scratch scratch;
    const auto dom = scratch.dir / "dom.html";
    runBrowser(browser, scratch, page, "--dump-dom", dom);
    const auto figures = figuresIn(readFile(dom));
    BOOST_TEST(figures.count("EUR.float") == 1u, "no float on the rendered page");
    checkFiguresEqualJson(figures, rj);
  }

  // The registry.
  auto cards = issuer({"cards"});
  BOOST_TEST(cards.exitCode == 0, cards.out);
  BOOST_TEST(contains(cards.out, kPurseA), cards.out);
  BOOST_TEST(contains(cards.out, purseB), cards.out);
  const json cj = issuerJson({"cards"});
  BOOST_TEST(cj["purses"].size() == 2u, cj.dump());
  const json show = issuerJson({"show", kPurseA});
  BOOST_TEST(show["orders"].size() == 3u, show.dump());  // the load, the unload, the refund: refusals authorise nothing
  auto history = issuer({"history", kPurseA});
  BOOST_TEST(history.exitCode == 0, history.out);
  BOOST_TEST(contains(history.out, "+100.00"), history.out);
  BOOST_TEST(contains(history.out, purseB), history.out);
  const json hj = issuerJson({"history", kPurseA});
  BOOST_TEST(hj["records"].size() >= 6u, hj.dump());
}

BOOST_AUTO_TEST_CASE(bad_readers_other_issuers_and_missing_ledgers) {
  initIssuer();
  auto a = plugDetached(0, "a.img");
  personalize(*a, std::string(kPurseA));

  auto unknown = issuer(signing({"load", "--reader", "no such reader", "--amount", "1.00", "--json"}));
  BOOST_TEST(unknown.exitCode == 8, unknown.out);  // no reader

  // Another issuer's home: the card is not its own.
  const std::string otherHome = (dir / "other").string();
  auto otherInit = issuer({"init", "--home", otherHome, "--no-passphrase"}, false);
  BOOST_TEST(otherInit.exitCode == 0, otherInit.out);
  auto foreign = issuer({"load", "--home", otherHome, "--reader", readerArg(*a), "--amount", "1.00", "--json"}, false);
  BOOST_TEST(foreign.exitCode == 1, foreign.out);
  BOOST_TEST(contains(foreign.out, "another issuer"), foreign.out);
  auto foreignPerso = issuer({"personalize", "--home", otherHome, "--reader", readerArg(*a), "--currency", "EUR",
                              "--max-balance", "10", "--transfer-limit", "10", "--no-pin-limit", "1", "--pin-file",
                              pinFile, "--json"},
                             false);
  BOOST_TEST(foreignPerso.exitCode == 1, foreignPerso.out);
  BOOST_TEST(contains(foreignPerso.out, "another issuer"), foreignPerso.out);
  BOOST_TEST(statusOf(*a).balance == 0u);

  // Limits that contradict each other: usage, nothing sent.
  auto limits = issuer({"personalize", "--reader", readerArg(*a), "--currency", "EUR", "--max-balance", "10",
                        "--transfer-limit", "20", "--no-pin-limit", "1", "--pin-file", pinFile});
  BOOST_TEST(limits.exitCode == 2, limits.out);

  // --trace shows the APDUs but never a PIN: PERSONALISE's data (the initial PIN) and VERIFY's
  // are masked.
  auto b = plugDetached(1, "b.img");
  auto traced = issuer(signing({"personalize", "--reader", readerArg(*b), "--currency", "EUR", "--max-balance", "100",
                                "--transfer-limit", "50", "--no-pin-limit", "5", "--pin-file", pinFile, "--trace"}));
  BOOST_TEST(traced.exitCode == 0, traced.out);
  BOOST_TEST(contains(traced.out, "PERSONALISE"), traced.out);
  BOOST_TEST(contains(traced.out, "PUT CERTIFICATE"), traced.out);
  BOOST_TEST(!contains(traced.out, "31 32 33 34"), traced.out);  // "1234" in the PIN block
  load(*b, "10.00");
  auto unloadTraced = issuer(signing({"unload", "--reader", readerArg(*b), "--amount", "1.00", "--pin-file", pinFile,
                                      "--trace"}));
  BOOST_TEST(unloadTraced.exitCode == 0, unloadTraced.out);
  BOOST_TEST(contains(unloadTraced.out, "VERIFY"), unloadTraced.out);
  BOOST_TEST(!contains(unloadTraced.out, "31 32 33 34"), unloadTraced.out);

  // A wrong PIN: refused, nothing signed; unblock-pin sets a new one, which then works.
  const std::string badPin = writeFile("bad-pin", "9999\n");
  auto wrongPin = issuer(signing({"unload", "--reader", readerArg(*b), "--amount", "1.00", "--pin-file", badPin}));
  BOOST_TEST(wrongPin.exitCode == 11, wrongPin.out);
  BOOST_TEST(contains(wrongPin.out, "wrong PIN"), wrongPin.out);
  const std::string newPin = writeFile("new-pin", "2468\n");
  const json unblocked = issuerJson(signing({"unblock-pin", "--reader", readerArg(*b), "--new-pin-file", newPin}));
  BOOST_TEST(unblocked["pinUnblocked"] == true, unblocked.dump());
  const json unloaded =
      issuerJson(signing({"unload", "--reader", readerArg(*b), "--amount", "1.00", "--pin-file", newPin}));
  BOOST_TEST(unloaded["balance"]["amount"] == "8.00", unloaded.dump());

  // Revoked: no more orders for it.
  const std::string purseB = protocol::purseIdHex(statusOf(*b).purseId);
  const json revoked = issuerJson(signing({"revoke", purseB, "--reason", "reported stolen"}));
  BOOST_TEST(revoked["version"] == 1, revoked.dump());
  const json refused = load(*b, "1.00", 1);
  BOOST_TEST(refused["error"]["code"] == "revoked", refused.dump());
  const json cards = issuerJson({"cards"});
  bool listedRevoked = false;
  for (const auto& p : cards["purses"]) listedRevoked = listedRevoked || (p["purseId"] == purseB && p["status"] == "revoked");
  BOOST_TEST(listedRevoked, cards.dump());
  // Collecting it pushes the list: the card learns version 1.
  collect(*b);
  BOOST_TEST(statusOf(*b).revocationVersion == 1u);

  // No home, no ledger.
  auto nobody = issuer({"cards", "--home", (dir / "nobody").string()}, false);
  BOOST_TEST(nobody.exitCode == 6, nobody.out);
  BOOST_TEST(contains(nobody.out, "init"), nobody.out);
  std::filesystem::remove(std::filesystem::path(otherHome) / "ledger.db");
  auto noLedger = issuer({"cards", "--home", otherHome, "--json"}, false);
  BOOST_TEST(noLedger.exitCode == 6, noLedger.out);
  BOOST_TEST(contains(noLedger.out, "ledger"), noLedger.out);
  BOOST_TEST(!std::filesystem::exists(std::filesystem::path(otherHome) / "ledger.db"), "a missing ledger was created");
  // A damaged one is not overwritten.
  { std::ofstream(std::filesystem::path(otherHome) / "ledger.db") << "not a ledger"; }
  auto damaged = issuer({"cards", "--home", otherHome}, false);
  BOOST_TEST(damaged.exitCode == 6, damaged.out);
}

BOOST_AUTO_TEST_CASE(help_on_every_command) {
  for (const char* command : {"init", "personalize", "load", "unload", "unblock-pin", "collect", "import", "reconcile",
                              "refund", "revoke", "cards", "show", "history", "report"}) {
    auto out = issuer({command, "--help"}, false);
    BOOST_TEST(out.exitCode == 0, command << ": " << out.out);
    BOOST_TEST(contains(out.out, "--json"), command << ": " << out.out);
  }
}

BOOST_AUTO_TEST_SUITE_END()
