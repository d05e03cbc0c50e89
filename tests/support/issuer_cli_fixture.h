// The fixture of the epurse-issuer end-to-end tests (issuer_cli_test, issuer_kill_test): card
// processes in the two vpcd readers (purse_end_to_end_fixture.h), an issuer home in the scratch
// directory, the program run with --home and secrets in files, and the test's own PC/SC
// connection to a card attached only while the test drives a transfer (so that the program and
// the test never hold the same card at once). Built with EPURSE_ISSUER_PROGRAM.
#pragma once

#include <stdlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/purse_end_to_end_fixture.h"

namespace epurse::testing::issuer_cli {

using nlohmann::json;
using e2e::Card;

struct IssuerCliFixture : e2e::PurseFixture {
  std::string home = (dir / "issuer").string();
  std::string passphraseFile = writeFile("passphrase", "correct horse battery staple\n");
  std::string pinFile = writeFile("pin", "1234\n");

  std::string writeFile(const std::string& name, const std::string& contents) const {
    const std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  // epurse-issuer ARGS --home HOME (unless the args name one); stdout and stderr together.
  CommandOutput issuer(std::vector<std::string> args, bool withHome = true) const {
    std::vector<std::string> argv{EPURSE_ISSUER_PROGRAM};
    argv.insert(argv.end(), args.begin(), args.end());
    if (withHome) {
      argv.push_back("--home");
      argv.push_back(home);
    }
    auto out = runCommand(argv, std::chrono::milliseconds(60000));
    BOOST_TEST_REQUIRE(out.isOk(), why(out));
    return *out;
  }

  // The one JSON object a --json command prints.
  static json parsed(const CommandOutput& out) {
    json j = json::parse(out.out, nullptr, false);
    BOOST_TEST_REQUIRE(j.is_object(), "not one JSON object: " << out.out);
    return j;
  }

  json issuerJson(std::vector<std::string> args, int expectedExit = 0) const {
    args.push_back("--json");
    auto out = issuer(args);
    BOOST_TEST(out.exitCode == expectedExit, "exit " << out.exitCode << ": " << out.out);
    return parsed(out);
  }

  // A signing command's options.
  std::vector<std::string> signing(std::vector<std::string> args) const {
    args.push_back("--passphrase-file");
    args.push_back(passphraseFile);
    return args;
  }

  std::string readerArg(const Card& card) const { return readers[card.slot]; }

  // The test's own connection, for transfers and checks; let go before the program runs.
  void attach(Card& card) {
    auto ch = PcscChannel::connect(*context, readers[card.slot]);
    BOOST_TEST_REQUIRE(ch.isOk(), why(ch));
    card.channel = std::make_unique<e2e::RecordingChannel>(std::move(*ch));
    card.client = std::make_unique<host::PurseClient>(*card.channel);
    auto selected = card.client->select();
    BOOST_TEST_REQUIRE(selected.isOk(), why(selected));
  }
  void detach(Card& card) {
    card.client.reset();
    card.channel.reset();
  }
  protocol::PurseStatus statusOf(Card& card) {
    attach(card);
    auto s = status(card);
    detach(card);
    return s;
  }

  // A card process in `slot` with nothing attached.
  std::unique_ptr<Card> plugDetached(unsigned slot, const std::string& image) {
    auto card = plug(slot, image);
    detach(*card);
    return card;
  }

  json initIssuer() { return issuerJson({"init", "--passphrase-file", passphraseFile}); }

  // personalize with EUR limits 500.00 / 200.00 / 200.00 (no PIN needed for transfers).
  json personalize(const Card& card, const std::optional<std::string>& purseId, int expectedExit = 0) {
    std::vector<std::string> args{"personalize", "--reader", readerArg(card), "--currency", "EUR",
                                  "--max-balance", "500.00", "--transfer-limit", "200.00", "--no-pin-limit",
                                  "200.00", "--pin-file", pinFile};
    if (purseId) {
      args.push_back("--purse-id");
      args.push_back(*purseId);
    }
    return issuerJson(signing(args), expectedExit);
  }

  json load(const Card& card, const std::string& amount, int expectedExit = 0) {
    return issuerJson(signing({"load", "--reader", readerArg(card), "--amount", amount}), expectedExit);
  }

  json collect(const Card& card, int expectedExit = 0) {
    return issuerJson(signing({"collect", "--reader", readerArg(card)}), expectedExit);
  }
};

}  // namespace epurse::testing::issuer_cli
