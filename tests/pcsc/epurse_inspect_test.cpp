// epurse's read-only commands end to end, under a private pcscd with epurse-card processes:
// `status` (a loaded purse, a blank card, both purses in the middle of a transfer), `log`
// (newest first; --verify passing under the issuer's key and failing under another),
// `exceptions` (a transfer lost in transit, explained from each side), `export` (refusing to
// overwrite, then `epurse-issuer import` of the file counts the card's records) and `watch`
// (an insertion and a removal with --json --count; SIGINT ends it with 0); and the exit codes
// of a card that is not a purse (4), no card (9), no reader (8) and no pcscd (3).
#define BOOST_TEST_MODULE epurse_inspect_test
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/audit_export.h"
#include "cli/exit_codes.h"
#include "tests/support/issuer_cli_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::issuer_cli;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct InspectFixture : IssuerCliFixture {
  // The in-process issuer (IssuerCliFixture::issuer runs epurse-issuer).
  TestIssuer& testIssuer() { return e2e::PurseFixture::issuer; }

  // epurse ARGS; stdout and stderr together.
  static CommandOutput epurse(const std::vector<std::string>& args) {
    std::vector<std::string> argv{EPURSE_CLI_PROGRAM};
    argv.insert(argv.end(), args.begin(), args.end());
    auto out = runCommand(argv, std::chrono::milliseconds(60000));
    BOOST_TEST_REQUIRE(out.isOk(), why(out));
    return *out;
  }
  static json epurseJson(std::vector<std::string> args, int expectedExit = 0) {
    args.push_back("--json");
    auto out = epurse(args);
    BOOST_TEST(out.exitCode == expectedExit, "exit " << out.exitCode << ": " << out.out);
    return parsed(out);
  }

  // A purse personalised by the test's issuer as purse n, with `balance` loaded, nothing attached.
  std::unique_ptr<Card> testPurse(unsigned slot, std::uint8_t n, protocol::Amount balance) {
    auto card = plug(slot, "purse" + std::to_string(n) + ".img");
    testIssuer().personalise(card->purse(), profile(n));
    if (balance) e2e::PurseFixture::load(*card, balance);
    detach(*card);
    return card;
  }

  std::string publicPem(const issuer::IssuerKey& key, const std::string& name) {
    const std::string path = (dir / name).string();
    BOOST_TEST_REQUIRE(key.savePublicPem(path).isOk());
    return path;
  }

  std::string readFile(const std::string& path) const {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // The lines `path` holds once it holds at least `n` (a program writing them as it goes).
  std::vector<std::string> waitForLines(const std::string& path, std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    for (;;) {
      std::vector<std::string> lines;
      std::istringstream in(readFile(path));
      for (std::string l; std::getline(in, l);) lines.push_back(l);
      if (lines.size() >= n || std::chrono::steady_clock::now() > deadline) return lines;
      std::this_thread::sleep_for(20ms);
    }
  }

  // A card process on `image` in reader `slot`, and no connection of the test's to it: what
  // a person inserting a card looks like to a program watching.
  ChildProcess insert(const char* program, unsigned slot, const std::string& image) {
    auto child = ChildProcess::start({program, "--state", (dir / image).string(), "--port",
                                      std::to_string(port + slot), "--quiet"},
                                     (dir / "cards.log").string());
    BOOST_TEST_REQUIRE(child.isOk(), why(child));
    return std::move(*child);
  }

  // epurse watch ARGS in the background, its stdout in `outPath`.
  ChildProcess startWatch(const std::string& args, const std::string& outPath) {
    auto child = ChildProcess::start(
        {"/bin/sh", "-c", std::string("exec '") + EPURSE_CLI_PROGRAM + "' watch " + args + " > '" + outPath + "'"},
        (dir / "watch.err").string());
    BOOST_TEST_REQUIRE(child.isOk(), why(child));
    return std::move(*child);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(epurse_inspect, InspectFixture)

BOOST_AUTO_TEST_CASE(status_of_a_loaded_purse_human_and_json) {
  auto card = testPurse(0, 9, 1250);
  const json j = epurseJson({"status"});  // the only purse: no --reader needed
  BOOST_TEST(j["reader"] == readers[0]);
  BOOST_TEST(j["purseId"] == protocol::purseIdHex(testPurseId(9)));
  BOOST_TEST(j["lifeCycle"] == "personalised");
  BOOST_TEST(j["blank"] == false);
  BOOST_TEST(j["balance"]["text"] == "EUR 12.50");
  BOOST_TEST(j["maxBalance"]["minorUnits"] == 100000);
  BOOST_TEST(j["perTransferMax"]["minorUnits"] == 50000);
  BOOST_TEST(j["noPinLimit"]["minorUnits"] == 2000);
  BOOST_TEST(j["issuerKeyId"] == toHex(protocol::issuerKeyIdOf(testIssuer().key().verificationKey().encoded())));
  BOOST_TEST(j["certificateExpiry"] == 20301231);
  BOOST_TEST(j["protocolStatus"] == "idle");
  BOOST_TEST(j["transfer"].is_null());
  BOOST_TEST(j["log"]["held"] == 1);
  BOOST_TEST(j["log"]["capacity"] == 32);
  BOOST_TEST(j["exceptions"]["held"] == 0);
  BOOST_TEST(j["exceptions"]["capacity"] == 8);
  BOOST_TEST(j["pin"]["triesLeft"] == 3);
  BOOST_TEST(j["pin"]["blocked"] == false);

  auto human = epurse({"status", "--reader", "0"});
  BOOST_TEST(human.exitCode == 0, human.out);
  for (const std::string line : {"purse         0102030405060709  personalised\n", "balance       EUR 12.50\n",
                                 "certificate   valid until 2030-12-31\n", "state         idle\n",
                                 "log           1 of 32 records (1 written in all)\n", "exceptions    0 of 8\n",
                                 "PIN           3 tries left\n",
                                 "limits        max balance EUR 1000.00, transfer limit EUR 500.00, no PIN up to EUR 20.00\n"}) {
    BOOST_TEST(contains(human.out, line), line << "\n" << human.out);
  }
}

BOOST_AUTO_TEST_CASE(a_blank_card_says_what_it_lacks) {
  auto card = plugDetached(0, "blank.img");
  const json j = epurseJson({"status"});
  BOOST_TEST(j["blank"] == true);
  BOOST_TEST(j["lifeCycle"] == "blank");
  BOOST_TEST(j["missing"] == json::array({"issuer key", "key pair", "personalisation data", "certificate"}));
  auto human = epurse({"status"});
  BOOST_TEST(human.exitCode == 0);
  BOOST_TEST(contains(human.out, "blank: not personalised"), human.out);
  BOOST_TEST(contains(human.out, "lacks         issuer key, key pair, personalisation data, certificate"), human.out);
  // Its logs are empty; nothing signed to verify or export.
  BOOST_TEST(epurseJson({"log"})["records"].empty());
  const std::string pem = publicPem(testIssuer().key(), "issuer.pem");
  BOOST_TEST(epurseJson({"log", "--verify", "--issuer-key", pem}, 1)["error"]["code"] == "not_personalised");
  const std::string file = (dir / "blank.json").string();
  BOOST_TEST(epurseJson({"export", "--out", file}, 1)["error"]["code"] == "not_personalised");
  BOOST_TEST(!std::filesystem::exists(file));
}

BOOST_AUTO_TEST_CASE(status_in_a_transfer_and_the_exceptions_it_leaves) {
  auto a = testPurse(0, 1, 2000);
  auto b = testPurse(1, 2, 0);
  attach(*a);
  attach(*b);
  terminal::TransferSession session(a->purse(), b->purse(), 500, e2e::reference(3));
  BOOST_TEST_REQUIRE(session.readParties().isOk());
  auto pd = session.startFrom();
  BOOST_TEST_REQUIRE(pd.isOk(), why(pd));
  auto req = session.startTo();
  BOOST_TEST_REQUIRE(req.isOk(), why(req));
  auto val = session.req(*req);  // A debited (epa), B waiting for VAL (epv)
  BOOST_TEST_REQUIRE(val.isOk(), why(val));

  // Shared connections: the test keeps its own while epurse reads.
  const json sa = epurseJson({"status", "--reader", "0"});
  BOOST_TEST(sa["protocolStatus"] == "epa", sa.dump());
  BOOST_TEST(sa["transfer"]["role"] == "payer");
  BOOST_TEST(sa["transfer"]["pd"]["pd"] == toHex(pd->encode()), sa.dump());
  BOOST_TEST(sa["balance"]["minorUnits"] == 1500);
  const json sb = epurseJson({"status", "--reader", "1"});
  BOOST_TEST(sb["transfer"]["role"] == "payee", sb.dump());
  BOOST_TEST(sb["transfer"]["state"] == "epv");
  BOOST_TEST(sb["transfer"]["ownSeq"] == pd->toSeq);
  BOOST_TEST(sb["transfer"]["pd"].is_null());
  auto human = epurse({"status", "--reader", "0"});
  BOOST_TEST_MESSAGE("epurse status, the payer in epa:\n" << human.out);  // docs/terminal.md shows it
  BOOST_TEST(contains(human.out, "state         in a transfer as payer (epa: debited"), human.out);
  BOOST_TEST(contains(human.out, "pending       0102030405060701 #"), human.out);

  // Both abort: the value is lost in transit, both exception logs name the pd.
  auto report = terminal::recover(a->purse(), b->purse());
  BOOST_TEST_REQUIRE(report.isOk(), why(report));
  detach(*a);
  detach(*b);
  const json xa = epurseJson({"exceptions", "--reader", "0"});
  BOOST_TEST_REQUIRE(xa["records"].size() == 1u, xa.dump());
  BOOST_TEST(xa["records"][0]["side"] == "payer");
  BOOST_TEST(xa["records"][0]["abortedIn"] == "epa");
  BOOST_TEST(xa["records"][0]["counterparty"] == protocol::purseIdHex(testPurseId(2)));
  BOOST_TEST(xa["records"][0]["transfer"]["pd"] == toHex(pd->encode()));
  BOOST_TEST(xa["records"][0]["transfer"]["value"]["text"] == "EUR 5.00");
  const json xb = epurseJson({"exceptions", "--reader", "1"});
  BOOST_TEST_REQUIRE(xb["records"].size() == 1u, xb.dump());
  BOOST_TEST(xb["records"][0]["side"] == "payee");
  BOOST_TEST(xb["records"][0]["abortedIn"] == "epv");
  auto explained = epurse({"exceptions", "--reader", "0"});
  BOOST_TEST_MESSAGE("epurse exceptions, the payer:\n" << explained.out << "\n" << xb.dump());
  BOOST_TEST(explained.exitCode == 0);
  BOOST_TEST(contains(explained.out, "1 of 8 exception records"), explained.out);
  BOOST_TEST(contains(explained.out, "this card paid EUR 5.00 to purse 0102030405060702 (it was debited)"), explained.out);
  BOOST_TEST(contains(explained.out, "lost in transit and the issuer refunds EUR 5.00 to this card"), explained.out);
  BOOST_TEST(contains(explained.out, "pd " + toHex(pd->encode())), explained.out);
  const json none = epurseJson({"status", "--reader", "0"});
  BOOST_TEST(none["transfer"].is_null());
  BOOST_TEST(none["exceptions"]["held"] == 1);
}

BOOST_AUTO_TEST_CASE(log_newest_first_and_verify_under_the_issuer_key) {
  auto a = testPurse(0, 1, 2000);
  auto b = testPurse(1, 2, 0);
  attach(*a);
  attach(*b);
  transfer(*a, *b, 500, 1);
  detach(*a);
  detach(*b);

  const json j = epurseJson({"log", "--reader", "0"});
  BOOST_TEST_REQUIRE(j["records"].size() == 3u, j.dump());
  BOOST_TEST(j["verified"].is_null());
  BOOST_TEST(j["records"][0]["number"] == 3);
  BOOST_TEST(j["records"][0]["kind"] == "transfer out acknowledged");
  BOOST_TEST(j["records"][1]["kind"] == "transfer out");
  BOOST_TEST(j["records"][1]["direction"] == "out");
  BOOST_TEST(j["records"][1]["counterparty"]["id"] == protocol::purseIdHex(testPurseId(2)));
  BOOST_TEST(j["records"][1]["amount"]["text"] == "EUR 5.00");
  BOOST_TEST(j["records"][1]["balanceAfter"]["text"] == "EUR 15.00");
  BOOST_TEST(j["records"][2]["kind"] == "load");
  BOOST_TEST(j["records"][2]["counterparty"]["kind"] == "issuer");
  BOOST_TEST(j["records"][2]["balanceAfter"]["text"] == "EUR 20.00");
  auto table = epurse({"log", "--reader", "1"});
  BOOST_TEST(table.exitCode == 0);
  BOOST_TEST(contains(table.out, "transfer in"), table.out);
  BOOST_TEST(contains(table.out, "from purse 0102030405060701 #"), table.out);
  BOOST_TEST(contains(table.out, "+EUR 5.00"), table.out);

  const std::string good = publicPem(testIssuer().key(), "issuer.pem");
  const json verified = epurseJson({"log", "--reader", "0", "--verify", "--issuer-key", good});
  BOOST_TEST(verified["verified"]["appended"] == 3, verified.dump());
  BOOST_TEST(verified["verified"]["challenge"].get<std::string>().size() == 32u);
  BOOST_TEST(verified["records"].size() == 3u);
  auto verifiedText = epurse({"log", "--reader", "0", "--verify", "--issuer-key", good});
  BOOST_TEST(verifiedText.exitCode == 0, verifiedText.out);
  BOOST_TEST(contains(verifiedText.out, "verified: the certificate under issuer key"), verifiedText.out);
  // Two readings, two challenges.
  const json again = epurseJson({"log", "--reader", "0", "--verify", "--issuer-key", good});
  BOOST_TEST(again["verified"]["challenge"] != verified["verified"]["challenge"]);

  auto otherKey = issuer::IssuerKey::generate();
  BOOST_TEST_REQUIRE(otherKey.isOk());
  const std::string wrong = publicPem(*otherKey, "other.pem");
  const json refused = epurseJson({"log", "--reader", "0", "--verify", "--issuer-key", wrong}, 1);
  BOOST_TEST(refused["error"]["code"] == "check_failed", refused.dump());
  BOOST_TEST(contains(refused["error"]["message"], "is not signed by this issuer key"), refused.dump());
  auto refusedText = epurse({"log", "--reader", "0", "--verify", "--issuer-key", wrong});
  BOOST_TEST(refusedText.exitCode == 1);
  BOOST_TEST(!contains(refusedText.out, "transfer out"), refusedText.out);  // nothing unverified shown

  // Usage: --verify needs a key, and a key file that is one.
  BOOST_TEST(epurse({"log", "--verify"}).exitCode == cli::kExitUsage);
  const std::string junk = writeFile("junk.pem", "not a key\n");
  const json bad = epurseJson({"log", "--reader", "0", "--verify", "--issuer-key", junk}, 2);
  BOOST_TEST(contains(bad["error"]["message"], "no PEM public key"), bad.dump());
}

BOOST_AUTO_TEST_CASE(export_then_epurse_issuer_import) {
  initIssuer();
  auto a = plugDetached(0, "a.img");
  personalize(*a, std::string("0102030405060701"));
  load(*a, "30.00");
  load(*a, "2.50");
  const std::string file = (dir / "a-export.json").string();
  const json e = epurseJson({"export", "--reader", readerArg(*a), "--out", file, "--terminal", "till 3"});
  BOOST_TEST(e["file"] == file, e.dump());
  BOOST_TEST(e["purseId"] == "0102030405060701");
  BOOST_TEST(e["transactionRecords"] == 2);
  BOOST_TEST(e["exceptionRecords"] == 0);
  const std::string text = readFile(file);
  BOOST_TEST(e["bytes"] == text.size());
  // Owner-only whatever the umask: it holds the purse's whole history.
  BOOST_TEST(static_cast<unsigned>(std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
             0600u);
  auto decoded = cli::decodeAuditBatch(text);
  BOOST_TEST_REQUIRE(decoded.isOk(), why(decoded));
  BOOST_TEST_REQUIRE(decoded->size() == 1u);
  BOOST_TEST((*decoded)[0].metadata.terminal == "till 3");
  BOOST_TEST(toHex((*decoded)[0].evidence.challenge) == e["challenge"].get<std::string>());

  // An existing file is kept, and the card is not read for nothing.
  const json exists = epurseJson({"export", "--reader", readerArg(*a), "--out", file}, 2);
  BOOST_TEST(contains(exists["error"]["message"], "exists; --force replaces it"), exists.dump());
  BOOST_TEST(readFile(file) == text);
  auto human = epurse({"export", "--reader", readerArg(*a), "--out", file, "--force"});
  BOOST_TEST(human.exitCode == 0, human.out);
  BOOST_TEST(contains(human.out, "2 log record(s), 0 exception record(s)"), human.out);
  BOOST_TEST(contains(human.out, "epurse-issuer import " + file), human.out);
  BOOST_TEST(readFile(file) != text);  // a new reading, a new challenge
  BOOST_TEST(epurseJson({"export", "--reader", "0", "--out", (dir / "no" / "such.json").string()}, 2)["error"]["code"] ==
             "usage");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    BOOST_TEST(!contains(entry.path().filename().string(), ".tmp."), entry.path());  // no temporary left
  }

  // The issuer takes the file and counts what is new in it: the two loads it already knows
  // from the receipts arrive as records once.
  const json imported = issuerJson({"import", file});
  BOOST_TEST_REQUIRE(imported["files"].size() == 1u, imported.dump());
  BOOST_TEST(imported["files"][0]["purses"][0]["purseId"] == "0102030405060701", imported.dump());
  BOOST_TEST(imported["files"][0]["purses"][0]["newRecords"] == 2, imported.dump());
  BOOST_TEST(imported["files"][0]["nothingNew"] == false);
  const json twice = issuerJson({"import", file});
  BOOST_TEST(twice["files"][0]["nothingNew"] == true, twice.dump());
}

BOOST_AUTO_TEST_CASE(watch_sees_an_insertion_and_a_removal) {
  // A purse made beforehand, taken out again: the image keeps it.
  auto made = testPurse(1, 9, 700);
  unplug(made, SIGKILL, e2e::kExitKilled);

  const std::string out = (dir / "watch.out").string();
  auto watch = startWatch("--json --count 2", out);
  BOOST_TEST_REQUIRE(waitForLines(out, 1).size() == 1u, readFile(out) << readFile((dir / "watch.err").string()));
  const json watching = json::parse(waitForLines(out, 1)[0]);
  BOOST_TEST(watching["event"] == "watching");
  BOOST_TEST(watching["readers"].size() == 2u);
  BOOST_TEST(watching["readers"][1]["cardPresent"] == false);

  auto card = insert(EPURSE_CARD_PROGRAM, 1, "purse9.img");
  auto lines = waitForLines(out, 2);
  BOOST_TEST_REQUIRE(lines.size() >= 2u, readFile(out));
  const json inserted = json::parse(lines[1]);
  BOOST_TEST(inserted["event"] == "inserted", inserted.dump());
  BOOST_TEST(inserted["index"] == 1);
  BOOST_TEST(inserted["reader"] == readers[1]);
  BOOST_TEST(inserted["isPurse"] == true);
  BOOST_TEST(inserted["purse"]["purseId"] == protocol::purseIdHex(testPurseId(9)), inserted.dump());
  BOOST_TEST(inserted["purse"]["balance"]["text"] == "EUR 7.00");
  BOOST_TEST(inserted["atr"].get<std::string>().size() > 4u);

  card.signal(SIGKILL);
  BOOST_TEST_REQUIRE(card.wait(5000ms).isOk());
  auto done = watch.wait(20000ms);
  BOOST_TEST_REQUIRE(done.isOk(), why(done));
  BOOST_TEST(*done == 0, readFile((dir / "watch.err").string()));
  lines = waitForLines(out, 3);
  BOOST_TEST_REQUIRE(lines.size() == 3u, readFile(out));
  const json removed = json::parse(lines[2]);
  BOOST_TEST(removed["event"] == "removed", removed.dump());
  BOOST_TEST(removed["reader"] == readers[1]);
}

BOOST_AUTO_TEST_CASE(watch_shows_a_purse_as_it_arrives_and_ends_on_sigint) {
  auto present = testPurse(0, 8, 100);  // listed at the start, not counted
  const std::string out = (dir / "watch.txt").string();
  auto watch = startWatch("", out);
  auto lines = waitForLines(out, 2);
  BOOST_TEST_REQUIRE(lines.size() == 2u, readFile(out));
  BOOST_TEST(contains(lines[0], "watching 2 reader(s); Ctrl-C stops"), lines[0]);
  BOOST_TEST(contains(lines[1], "card present"), lines[1]);
  BOOST_TEST(contains(lines[1], "purse 0102030405060708  personalised  EUR 1.00"), lines[1]);
  auto echo = insert(EPURSE_ECHO_CARD, 1, "echo.img");
  lines = waitForLines(out, 3);
  BOOST_TEST_REQUIRE(lines.size() == 3u, readFile(out));
  BOOST_TEST(contains(lines[2], readers[1] + "  card inserted  ATR "), lines[2]);
  BOOST_TEST(contains(lines[2], "not a purse"), lines[2]);
  BOOST_TEST_MESSAGE("epurse watch:\n" << readFile(out));
  watch.signal(SIGINT);
  auto done = watch.wait(10000ms);
  BOOST_TEST_REQUIRE(done.isOk(), why(done));
  BOOST_TEST(*done == 0);
}

BOOST_AUTO_TEST_CASE(not_a_purse_no_card_no_reader) {
  auto echo = insert(EPURSE_ECHO_CARD, 0, "echo.img");
  waitFor(0, true);
  const std::string file = (dir / "x.json").string();
  const std::vector<std::vector<std::string>> commands = {
      {"status"}, {"log"}, {"exceptions"}, {"export", "--out", file}};
  for (auto command : commands) {
    auto with = [&](std::vector<std::string> extra) {
      auto args = command;
      args.insert(args.end(), extra.begin(), extra.end());
      return args;
    };
    const json notPurse = epurseJson(with({"--reader", "0"}), cli::kExitNotAPurse);
    BOOST_TEST(notPurse["error"]["code"] == "not_a_purse", command[0] << notPurse.dump());
    const json noCard = epurseJson(with({"--reader", "1"}), cli::kExitNoCard);
    BOOST_TEST(noCard["error"]["code"] == "no_card", command[0] << noCard.dump());
    const json noReader = epurseJson(with({"--reader", "7"}), cli::kExitNoReader);
    BOOST_TEST(noReader["error"]["code"] == "no_reader", command[0] << noReader.dump());
    auto text = epurse(with({"--reader", "1"}));
    BOOST_TEST(text.exitCode == cli::kExitNoCard);
    BOOST_TEST(contains(text.out, "epurse: error: "), text.out);
  }
  BOOST_TEST(!std::filesystem::exists(file));
}

BOOST_AUTO_TEST_CASE(no_pcscd_is_exit_3) {
  ::setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm", 1);
  const std::string file = (dir / "x.json").string();
  std::vector<CommandOutput> outs;
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"status", "--json"}, {"log", "--json"}, {"exceptions", "--json"}, {"export", "--out", file, "--json"},
           {"watch", "--json", "--count", "1"}}) {
    outs.push_back(epurse(args));
  }
  ::unsetenv("PCSCLITE_CSOCK_NAME");
  for (const auto& out : outs) {
    BOOST_TEST(out.exitCode == cli::kExitUnavailable, out.out);
    BOOST_TEST(parsed(out)["error"]["code"] == "no_service", out.out);
  }
  BOOST_TEST(!std::filesystem::exists(file));
}

BOOST_AUTO_TEST_CASE(help_names_the_options) {
  for (const char* command : {"status", "log", "exceptions", "export", "watch"}) {
    auto help = epurse({command, "--help"});
    BOOST_TEST(help.exitCode == 0, command);
    BOOST_TEST(contains(help.out, "--json"), command << help.out);
  }
  BOOST_TEST(contains(epurse({"log", "--help"}).out, "--issuer-key"));
  BOOST_TEST(contains(epurse({"export", "--help"}).out, "--force"));
  BOOST_TEST(contains(epurse({"watch", "--help"}).out, "--count"));
}

BOOST_AUTO_TEST_SUITE_END()
