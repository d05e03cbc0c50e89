// epurse: the cardholder's and merchant's command line (docs/terminal.md). Each command is in
// its own file and adds itself to the list below.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/reader_options.h"
#include "terminal/cli/command.h"

int main(int argc, char** argv) {
  namespace t = epurse::terminal;
  CLI::App app{"epurse: see, pay with and move value between electronic purses in any PC/SC reader", "epurse"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "epurse 0.1.0");
  app.footer(
      "Exit codes: 0 done, 1 the card refused or a check failed, 2 usage, 3 no PC/SC service (pcscd), 4 not a purse,\n"
      "5 the exchange with the card failed, 8 no reader, 9 no card or card removed, 10 transfer interrupted: run\n"
      "`epurse recover`, 11 wrong PIN, 12 PIN blocked, 13 insufficient funds, 14 over a limit (docs/terminal.md).");

  t::Commands commands;
  // In the order a person meets them (as --help lists them).
  t::addReadersCommand(commands);
  t::addStatusCommand(commands);
  t::addTransferCommand(commands);
  t::addPayCommand(commands);
  t::addVerifyReceiptCommand(commands);
  t::addAcceptCommand(commands);
  t::addLogCommand(commands);
  t::addExceptionsCommand(commands);
  t::addExportCommand(commands);
  t::addRecoverCommand(commands);
  t::addPinCommand(commands);
  t::addWatchCommand(commands);
  t::addApduCommand(commands);
  std::vector<CLI::App*> apps;
  for (auto& c : commands) apps.push_back(c->addTo(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return epurse::cli::handleParseError(app, e, argc, argv);
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (apps[i]->parsed()) return commands[i]->run();
  }
  return epurse::cli::kExitUsage;
}
