// The epurse program on the shared cli/ support, under a private pcscd: `epurse readers`
// (human and --json, with a purse's ID and balance formatted by its currency), `epurse apdu`
// (--json, --trace), --help on every subcommand, and the exit codes of docs/cli.md.
#define BOOST_TEST_MODULE epurse_cli_test
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apdu/pcsc_channel.h"
#include "base/hex.h"
#include "cli/exit_codes.h"
#include "host/purse_client.h"
#include "protocol/purse_apdus.h"
#include "tests/support/child_process.h"
#include "tests/support/private_pcscd_readers.h"
#include "tests/support/purse_fixture.h"
#include "tests/support/test_printing.h"

using namespace epurse;
using namespace epurse::testing;
using nlohmann::json;

namespace {

const std::string kSelectPurseHex = toHex(protocol::apdus::selectPurse().serialize());
const std::string kGetStatusHex = toHex(protocol::apdus::getData(protocol::kDataPurseStatus).serialize());

struct CliFixture : PrivatePcscdReaders {
  CliFixture() : PrivatePcscdReaders("epurse-cli") {}

  ChildProcess start(const char* program, unsigned slot, const std::string& image) {
    auto child = ChildProcess::start({program, "--state", (dir / image).string(), "--port", std::to_string(port + slot),
                                      "--quiet"},
                                     (dir / "cards.log").string());
    BOOST_TEST_REQUIRE(child.isOk(), why(child));
    auto s = context->waitForCard(readers[slot], true, kCardArrivalMs);
    BOOST_TEST_REQUIRE(s.isOk(), why(s));
    return std::move(*child);
  }

  // A purse personalised as purse 9 (EUR) with 12.50 loaded, in reader `slot`.
  ChildProcess loadedPurse(unsigned slot, TestIssuer& issuer) {
    auto card = start(EPURSE_CARD_PROGRAM, slot, "purse.img");
    auto channel = PcscChannel::connect(*context, readers[slot]);
    BOOST_TEST_REQUIRE(channel.isOk(), why(channel));
    host::PurseClient purse(**channel);
    auto selected = purse.select();
    BOOST_TEST_REQUIRE(selected.isOk(), why(selected));
    PurseProfile profile;
    profile.id = testPurseId(9);
    issuer.personalise(purse, profile);
    issuer.load(purse, 1250);
    return card;
  }

  static CommandOutput run(const std::vector<std::string>& args) {
    std::vector<std::string> argv{EPURSE_CLI_PROGRAM};
    argv.insert(argv.end(), args.begin(), args.end());
    auto out = runCommand(argv);
    BOOST_TEST_REQUIRE(out.isOk(), why(out));
    return *out;
  }

  // The one JSON object a --json command prints, and nothing else.
  static json parsed(const CommandOutput& out) {
    json j;
    BOOST_CHECK_NO_THROW(j = json::parse(out.out));
    BOOST_TEST_REQUIRE(j.is_object(), out.out);
    return j;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(epurse_cli, CliFixture)

BOOST_AUTO_TEST_CASE(readers_json_lists_cards_and_a_purse_with_its_balance) {
  TestIssuer issuer;
  auto purseCard = loadedPurse(0, issuer);
  auto echoCard = start(EPURSE_ECHO_CARD, 1, "echo.img");
  auto out = run({"readers", "--json"});
  BOOST_TEST(out.exitCode == cli::kExitOk, out.out);
  const json j = parsed(out);
  BOOST_TEST_REQUIRE(j["readers"].size() == 2u, out.out);
  const json& r0 = j["readers"][0];
  BOOST_TEST(r0["index"] == 0);
  BOOST_TEST(r0["name"] == readers[0]);
  BOOST_TEST(r0["cardPresent"] == true);
  BOOST_TEST(r0["protocols"] == json::array({"T=1"}));
  BOOST_TEST(r0["isPurse"] == true);
  BOOST_TEST(r0["purse"]["purseId"] == protocol::purseIdHex(testPurseId(9)));
  BOOST_TEST(r0["purse"]["lifeCycle"] == "personalised");
  BOOST_TEST(r0["purse"]["balance"]["minorUnits"] == 1250);
  BOOST_TEST(r0["purse"]["balance"]["amount"] == "12.50");
  BOOST_TEST(r0["purse"]["balance"]["currency"] == "EUR");
  BOOST_TEST(r0["purse"]["balance"]["currencyNumeric"] == 978);
  BOOST_TEST(r0["purse"]["balance"]["text"] == "EUR 12.50");
  const json& r1 = j["readers"][1];
  BOOST_TEST(r1["name"] == readers[1]);
  BOOST_TEST(r1["cardPresent"] == true);
  BOOST_TEST(r1["isPurse"] == false);
  BOOST_TEST(r1["purse"].is_null());
  BOOST_TEST(r1["atr"].is_string());

  auto human = run({"readers"});
  BOOST_TEST(human.exitCode == 0);
  BOOST_TEST(human.out.find("0  " + readers[0] + "  card present  ATR ") != std::string::npos, human.out);
  BOOST_TEST(human.out.find("(T=1)  purse " + protocol::purseIdHex(testPurseId(9)) + "  personalised  EUR 12.50\n") !=
                 std::string::npos,
             human.out);
  BOOST_TEST(human.out.find("1  " + readers[1] + "  card present  ATR ") != std::string::npos, human.out);
  BOOST_TEST(human.out.find("(T=1)  not a purse\n") != std::string::npos, human.out);
}

BOOST_AUTO_TEST_CASE(readers_json_with_no_card) {
  auto out = run({"readers", "--json"});
  BOOST_TEST(out.exitCode == 0);
  const json j = parsed(out);
  BOOST_TEST_REQUIRE(j["readers"].size() == 2u);
  for (const auto& r : j["readers"]) {
    BOOST_TEST(r["cardPresent"] == false);
    BOOST_TEST(r["isPurse"].is_null());
    BOOST_TEST(r["atr"].is_null());
  }
}

BOOST_AUTO_TEST_CASE(apdu_json_and_trace) {
  TestIssuer issuer;
  auto card = loadedPurse(0, issuer);
  auto out = run({"apdu", "--json", kSelectPurseHex, kGetStatusHex});  // the only card: no --reader needed
  BOOST_TEST(out.exitCode == 0, out.out);
  const json j = parsed(out);
  BOOST_TEST(j["reader"] == readers[0]);
  BOOST_TEST(j["protocol"] == "T=1");
  BOOST_TEST_REQUIRE(j["exchanges"].size() == 2u);
  BOOST_TEST(j["exchanges"][0]["command"] == kSelectPurseHex);
  BOOST_TEST(j["exchanges"][0]["sw"] == "9000");
  BOOST_TEST(j["exchanges"][1]["sw"] == "9000");
  BOOST_TEST(j["exchanges"][1]["data"].get<std::string>().size() == 2 * protocol::PurseStatus::kSize);

  auto traced = run({"apdu", "--trace", "-r", "0", kSelectPurseHex, "8099000000"});
  BOOST_TEST(traced.exitCode == 0, traced.out);
  BOOST_TEST(traced.out.find("> 00 A4 04 00 08 F0 65 70 75 72 73 65 01 00  SELECT\n< ") != std::string::npos,
             traced.out);
  BOOST_TEST(traced.out.find("< 6D 00  6D00 instruction not supported  (") != std::string::npos, traced.out);
  BOOST_TEST(traced.out.find(" ms)\n") != std::string::npos, traced.out);
  BOOST_TEST(traced.out.find("< 6D00 instruction not supported\n") != std::string::npos, traced.out);  // the result
}

BOOST_AUTO_TEST_CASE(exit_codes) {
  auto card = start(EPURSE_ECHO_CARD, 0, "echo.img");
  // 2: usage, before anything is sent.
  auto badHex = run({"apdu", "--reader", "0", "zz"});
  BOOST_TEST(badHex.exitCode == cli::kExitUsage, badHex.out);
  BOOST_TEST(badHex.out.find("nothing was sent") != std::string::npos, badHex.out);
  auto badHexJson = parsed(run({"apdu", "--json", "--reader", "0", "00A4"}));
  BOOST_TEST(badHexJson["error"]["code"] == "usage");
  BOOST_TEST(badHexJson["error"]["exit"] == 2);
  auto badOption = run({"readers", "--json", "--bogus"});
  BOOST_TEST(badOption.exitCode == cli::kExitUsage);
  BOOST_TEST(parsed(badOption)["error"]["code"] == "usage");
  BOOST_TEST(run({"apdu", "--protocol", "t2", "00A4040000"}).exitCode == cli::kExitUsage);
  BOOST_TEST(run({}).exitCode == cli::kExitUsage);
  auto ambiguous = run({"apdu", "--reader", "Virtual", "00A4040000"});
  BOOST_TEST(ambiguous.exitCode == cli::kExitUsage, ambiguous.out);
  // 8: no reader; 9: no card.
  auto noReader = run({"apdu", "--reader", "7", "00A4040000"});
  BOOST_TEST(noReader.exitCode == cli::kExitNoReader, noReader.out);
  BOOST_TEST(noReader.out.find("no reader number 7") != std::string::npos, noReader.out);
  auto noCard = parsed(run({"apdu", "--json", "--reader", "1", "00A4040000"}));
  BOOST_TEST(noCard["error"]["code"] == "no_card");
  BOOST_TEST(noCard["error"]["exit"] == 9);
  BOOST_TEST(noCard["error"]["message"].get<std::string>().find(readers[1]) != std::string::npos);
  // 0: a refusal is an answer for apdu.
  BOOST_TEST(run({"apdu", "8099000000"}).exitCode == cli::kExitOk);
  // The table for what no epurse command can produce yet.
  BOOST_TEST(cli::exitCodeFor(ErrorCode::kNoApplication) == cli::kExitNotAPurse);
  BOOST_TEST(cli::errorKey(ErrorCode::kNoApplication) == "not_a_purse");
  BOOST_TEST(cli::exitCodeFor(ErrorCode::kIo) == cli::kExitCommunication);
  BOOST_TEST(cli::exitCodeFor(ErrorCode::kCardReset) == cli::kExitCommunication);
  BOOST_TEST(cli::exitCodeFor(ErrorCode::kCardRemoved) == cli::kExitNoCard);
  BOOST_TEST(cli::exitCodeFor(ErrorCode::kNoService) == cli::kExitUnavailable);
  // The refusals a person can act on have codes of their own; any other is card_refused.
  BOOST_TEST(cli::exitCodeFor(host::CardFailure::refused("LOAD", 0x9402)) == cli::kExitLimit);
  BOOST_TEST(cli::errorKey(host::CardFailure::refused("LOAD", 0x9402)) == "max_balance_exceeded");
  BOOST_TEST(cli::exitCodeFor(host::CardFailure::refused("REQ", 0x9401)) == cli::kExitInsufficientFunds);
  BOOST_TEST(cli::exitCodeFor(host::CardFailure::refused("START FROM", 0x9403)) == cli::kExitLimit);
  BOOST_TEST(cli::errorKey(host::CardFailure::refused("VERIFY", 0x63C1)) == "wrong_pin");
  BOOST_TEST(cli::exitCodeFor(host::CardFailure::refused("VERIFY", 0x63C1)) == cli::kExitWrongPin);
  BOOST_TEST(cli::exitCodeFor(host::CardFailure::refused("VERIFY", 0x6983)) == cli::kExitPinBlocked);
  BOOST_TEST(cli::exitCodeFor(host::CardFailure::refused("LOAD", 0x6A80)) == cli::kExitFailed);
  BOOST_TEST(cli::errorKey(host::CardFailure::refused("LOAD", 0x6A80)) == "card_refused");
}

BOOST_AUTO_TEST_CASE(no_service_is_exit_3_in_both_commands) {
  ::setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm", 1);
  auto readersOut = run({"readers", "--json"});
  auto apduOut = run({"apdu", "00A4040000"});
  ::unsetenv("PCSCLITE_CSOCK_NAME");
  BOOST_TEST(readersOut.exitCode == cli::kExitUnavailable, readersOut.out);
  const json j = parsed(readersOut);
  BOOST_TEST(j["error"]["code"] == "no_service");
  BOOST_TEST(j["error"]["message"].get<std::string>().find("is pcscd running?") != std::string::npos);
  BOOST_TEST(apduOut.exitCode == cli::kExitUnavailable, apduOut.out);
  BOOST_TEST(apduOut.out.find("is pcscd running?") != std::string::npos, apduOut.out);
}

BOOST_AUTO_TEST_CASE(help_on_every_subcommand) {
  auto top = run({"--help"});
  BOOST_TEST(top.exitCode == 0);
  BOOST_TEST(top.out.find("Exit codes") != std::string::npos, top.out);
  auto readersHelp = run({"readers", "--help"});
  BOOST_TEST(readersHelp.exitCode == 0);
  BOOST_TEST(readersHelp.out.find("--json") != std::string::npos, readersHelp.out);
  auto apduHelp = run({"apdu", "--help"});
  BOOST_TEST(apduHelp.exitCode == 0);
  for (const char* option : {"--reader", "--protocol", "--trace", "--json"}) {
    BOOST_TEST(apduHelp.out.find(option) != std::string::npos, option << "\n" << apduHelp.out);
  }
}

BOOST_AUTO_TEST_SUITE_END()
