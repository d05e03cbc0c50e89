// `epurse pin verify` and `epurse pin change` through pcscd + vpcd against an epurse-card
// process: PINs from --pin-file, from EPURSE_PIN / EPURSE_NEW_PIN, and typed at the no-echo
// prompt of a pseudo-terminal; a wrong PIN (exit 11, tries left), a blocked PIN (exit 12), a
// malformed new PIN refused before a try is spent, and never a PIN in the output.
#define BOOST_TEST_MODULE epurse_pin_test
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "tests/support/pseudo_terminal.h"
#include "tests/support/purse_end_to_end_fixture.h"

using namespace epurse;
using namespace epurse::testing;
using namespace epurse::testing::e2e;
using nlohmann::json;

namespace {

struct PinFixture : PurseFixture {
  std::unique_ptr<Card> card = plug(0, "purse.img");

  PinFixture() {
    issuer.personalise(card->purse(), profile(7));  // PIN 1234
    card->client.reset();
    card->channel.reset();
  }

  std::string file(const std::string& name, const std::string& contents) const {
    const std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  CommandOutput epurse(std::vector<std::string> args) const {
    args.insert(args.begin(), EPURSE_CLI_PROGRAM);
    args.insert(args.begin() + 3, {"--reader", readers[0]});  // epurse pin verify|change --reader R ...
    auto out = runCommand(args, 30000ms);
    BOOST_TEST_REQUIRE(out.isOk(), why(out));
    return *out;
  }
  CommandOutput verify(const std::string& pin, bool asJson = false) const {
    std::vector<std::string> args{"pin", "verify", "--pin-file", file("pin", pin + "\n")};
    if (asJson) args.push_back("--json");
    return epurse(args);
  }
  static json parsed(const CommandOutput& out) {
    json j = json::parse(out.out, nullptr, false);
    BOOST_TEST_REQUIRE(j.is_object(), "not one JSON object: " << out.out);
    return j;
  }
  // Waits for the prompt, then types the line and Enter.
  static void typeAt(PseudoTerminalProgram& program, const std::string& prompt, const std::string& line) {
    auto shown = program.waitFor(prompt);
    BOOST_TEST_REQUIRE(shown.isOk(), why(shown) << "\n" << program.output());
    auto typed = program.type(line + "\n");
    BOOST_TEST_REQUIRE(typed.isOk(), why(typed));
  }
  std::uint8_t triesLeft() {
    auto ch = PcscChannel::connect(*context, readers[0]);
    BOOST_TEST_REQUIRE(ch.isOk(), why(ch));
    host::PurseClient purse(**ch);
    BOOST_TEST_REQUIRE(purse.select().isOk());
    auto s = purse.status();
    BOOST_TEST_REQUIRE(s.isOk(), why(s));
    return s->pinTriesLeft;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(epurse_pin, PinFixture)

BOOST_AUTO_TEST_CASE(verify_from_a_file_right_and_wrong) {
  const auto ok = verify("1234");
  BOOST_TEST(ok.exitCode == cli::kExitOk, ok.out);
  BOOST_TEST(ok.out.find("PIN verified on purse 0102030405060707") != std::string::npos, ok.out);
  const json good = parsed(verify("1234", true));
  BOOST_TEST(good["verified"] == true);
  BOOST_TEST(good["triesLeft"] == 3);
  BOOST_TEST(good["purseId"] == "0102030405060707");

  const auto wrong = verify("9999");
  BOOST_TEST(wrong.exitCode == cli::kExitWrongPin, wrong.out);
  BOOST_TEST(wrong.out.find("wrong PIN: 2 tries left") != std::string::npos, wrong.out);
  BOOST_TEST(wrong.out.find("9999") == std::string::npos, wrong.out);
  const json j = parsed(verify("9999", true));
  BOOST_TEST(j["error"]["code"] == "wrong_pin");
  BOOST_TEST(j["error"]["exit"] == cli::kExitWrongPin);
  BOOST_TEST(j["triesLeft"] == 1);
  BOOST_TEST(triesLeft() == 1);
}

BOOST_AUTO_TEST_CASE(three_wrong_pins_block_it_and_then_even_the_right_one_is_refused) {
  for (int i = 0; i < 3; ++i) BOOST_TEST(verify("0000").exitCode == cli::kExitWrongPin);
  const auto blocked = verify("1234");
  BOOST_TEST(blocked.exitCode == cli::kExitPinBlocked, blocked.out);
  BOOST_TEST(blocked.out.find("PIN is blocked") != std::string::npos, blocked.out);
  const json j = parsed(verify("1234", true));
  BOOST_TEST(j["error"]["code"] == "pin_blocked");
  BOOST_TEST(j["triesLeft"] == 0);
}

BOOST_AUTO_TEST_CASE(change_through_files_then_only_the_new_pin_works) {
  const auto out = epurse({"pin", "change", "--pin-file", file("old", "1234\n"), "--new-pin-file",
                           file("new", "56789\n"), "--json"});
  BOOST_TEST(out.exitCode == cli::kExitOk, out.out);
  BOOST_TEST(parsed(out)["changed"] == true);
  BOOST_TEST(out.out.find("56789") == std::string::npos, out.out);
  BOOST_TEST(verify("56789").exitCode == cli::kExitOk);
  BOOST_TEST(verify("1234").exitCode == cli::kExitWrongPin);
}

BOOST_AUTO_TEST_CASE(change_with_the_wrong_old_pin_spends_a_try_and_changes_nothing) {
  const auto out = epurse({"pin", "change", "--pin-file", file("old", "4321\n"), "--new-pin-file",
                           file("new", "5678\n")});
  BOOST_TEST(out.exitCode == cli::kExitWrongPin, out.out);
  BOOST_TEST(out.out.find("wrong PIN: 2 tries left") != std::string::npos, out.out);
  BOOST_TEST(verify("1234").exitCode == cli::kExitOk);
}

BOOST_AUTO_TEST_CASE(a_malformed_pin_is_refused_before_the_card_sees_it) {
  const auto out = epurse({"pin", "change", "--pin-file", file("old", "1234\n"), "--new-pin-file",
                           file("new", "12ab\n")});
  BOOST_TEST(out.exitCode == cli::kExitUsage, out.out);
  BOOST_TEST(out.out.find("new PIN must be 4 to 8 digits") != std::string::npos, out.out);
  BOOST_TEST(verify("12").exitCode == cli::kExitUsage);
  BOOST_TEST(triesLeft() == 3);
  BOOST_TEST(verify("1234").exitCode == cli::kExitOk);
}

BOOST_AUTO_TEST_CASE(pins_from_the_environment_and_none_without_a_terminal) {
  BOOST_TEST_REQUIRE(::setenv("EPURSE_PIN", "1234", 1) == 0);
  BOOST_TEST_REQUIRE(::setenv("EPURSE_NEW_PIN", "2468", 1) == 0);
  const auto changed = epurse({"pin", "change"});
  BOOST_TEST(changed.exitCode == cli::kExitOk, changed.out);
  BOOST_TEST_REQUIRE(::setenv("EPURSE_PIN", "2468", 1) == 0);
  BOOST_TEST(epurse({"pin", "verify"}).exitCode == cli::kExitOk);
  ::unsetenv("EPURSE_PIN");
  ::unsetenv("EPURSE_NEW_PIN");

  // stdin is not a terminal and no file: the message names the way to give it.
  auto out = runCommand({"/bin/sh", "-c", std::string("exec \"$0\" pin verify --reader \"$1\" </dev/null"),
                         EPURSE_CLI_PROGRAM, readers[0]});
  BOOST_TEST_REQUIRE(out.isOk(), why(out));
  BOOST_TEST(out->exitCode == cli::kExitUsage, out->out);
  BOOST_TEST(out->out.find("--pin-file FILE or in the environment variable EPURSE_PIN") != std::string::npos,
             out->out);
}

BOOST_AUTO_TEST_CASE(change_at_the_prompt_of_a_terminal_without_echo) {
  auto program = PseudoTerminalProgram::start({EPURSE_CLI_PROGRAM, "pin", "change", "--reader", readers[0]});
  BOOST_TEST_REQUIRE(program.isOk(), why(program));
  typeAt(*program, "PIN: ", "1234");
  typeAt(*program, "new PIN: ", "8642");
  typeAt(*program, "new PIN again: ", "8642");
  auto rc = program->finish();
  BOOST_TEST_REQUIRE(rc.isOk(), why(rc));
  const std::string& seen = program->output();
  BOOST_TEST(*rc == cli::kExitOk, seen);
  BOOST_TEST(seen.find("PIN changed") != std::string::npos, seen);
  BOOST_TEST(seen.find("1234") == std::string::npos, seen);  // not echoed
  BOOST_TEST(seen.find("8642") == std::string::npos, seen);
  BOOST_TEST(verify("8642").exitCode == cli::kExitOk);
}

BOOST_AUTO_TEST_CASE(two_different_new_pins_at_the_prompt_change_nothing) {
  auto program = PseudoTerminalProgram::start({EPURSE_CLI_PROGRAM, "pin", "change", "--reader", readers[0]});
  BOOST_TEST_REQUIRE(program.isOk(), why(program));
  typeAt(*program, "PIN: ", "1234");
  typeAt(*program, "new PIN: ", "1111");
  typeAt(*program, "new PIN again: ", "2222");
  auto rc = program->finish();
  BOOST_TEST_REQUIRE(rc.isOk(), why(rc));
  BOOST_TEST(*rc == cli::kExitUsage, program->output());
  BOOST_TEST(program->output().find("differ; nothing was changed") != std::string::npos, program->output());
  BOOST_TEST(verify("1234").exitCode == cli::kExitOk);
}

BOOST_AUTO_TEST_SUITE_END()
