// epurse: the cardholder's and merchant's command line.
#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "terminal/cli/apdu_command.h"
#include "terminal/cli/readers_command.h"

int main(int argc, char** argv) {
  CLI::App app{"epurse: talk to electronic purse cards in any PC/SC reader", "epurse"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "epurse 0.1.0");

  auto* readers = app.add_subcommand("readers", "List PC/SC readers, whether each holds a card, and its ATR");

  auto* apdu = app.add_subcommand("apdu", "Send raw command APDUs and print the responses");
  std::string reader;
  std::vector<std::string> apdus;
  apdu->add_option("--reader,-r", reader, "Reader number (from 'epurse readers') or full name");
  apdu->add_option("APDU", apdus, "Command APDU in hex, e.g. 00A4040007A0000000031010")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (readers->parsed()) return epurse::terminal::runReadersCommand(std::cout, std::cerr);
  if (apdu->parsed()) {
    std::optional<std::string> which;
    if (apdu->count("--reader") > 0) which = reader;
    return epurse::terminal::runApduCommand(which, apdus, std::cout, std::cerr);
  }
  return 2;
}
