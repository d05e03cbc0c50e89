// epurse: the cardholder's and merchant's command line.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/reader_options.h"
#include "terminal/cli/apdu_command.h"
#include "terminal/cli/readers_command.h"

int main(int argc, char** argv) {
  CLI::App app{"epurse: talk to electronic purse cards in any PC/SC reader", "epurse"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "epurse 0.1.0");
  app.footer("Exit codes: 0 done, 1 the card refused or a check failed, 2 usage, 3 no PC/SC service, reader or card,\n"
             "4 not a purse, 5 the exchange with the card failed (docs/cli.md).");

  epurse::terminal::ReadersCommand readers;
  auto* readersApp = readers.addTo(app);
  epurse::terminal::ApduCommand apdu;
  auto* apduApp = apdu.addTo(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return epurse::cli::handleParseError(app, e, argc, argv);
  }
  if (readersApp->parsed()) return readers.run(std::cout, std::cerr);
  if (apduApp->parsed()) return apdu.run(std::cout, std::cerr);
  return epurse::cli::kExitUsage;
}
