// epurse-issuer: the issuer's back office (docs/issuer.md). Each command is in its own file.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/reader_options.h"
#include "issuer/cli/command.h"

int main(int argc, char** argv) {
  namespace icli = epurse::issuer::cli;
  CLI::App app{"epurse-issuer: the issuer's key, cards, loads, log collection, reconciliation and report",
               "epurse-issuer"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "epurse-issuer 0.1.0");
  app.footer(
      "Exit codes: 0 done, 1 refused or a check failed, 2 usage, 3 no PC/SC service, 4 not a purse, 8 no reader, 9 no card,\n"
      "5 the exchange with the card failed, 6 no issuer home or a ledger problem, 7 wrong passphrase (docs/cli.md).");

  icli::Commands commands;
  icli::addInitCommand(commands);
  icli::addPersonalizeCommand(commands);
  icli::addCardCommands(commands);
  icli::addCollectCommands(commands);
  icli::addBooksCommands(commands);
  icli::addRegistryCommands(commands);
  icli::addReportCommand(commands);
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
