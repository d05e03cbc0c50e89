#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "cli/reader_options.h"
#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse pin verify [--reader R] [--pin-file F]` checks the cardholder PIN (VERIFY), and
// `epurse pin change [--reader R] [--pin-file F --new-pin-file F2]` replaces it (CHANGE
// REFERENCE DATA). PINs come from files, the environment (EPURSE_PIN, EPURSE_NEW_PIN) or the
// terminal without echo, a new PIN asked twice (cli/secret_input.h); both PINs are checked
// to be 4 to 8 digits before anything is sent, so a typo never spends a try.
struct PinCommand : Command {
  // One each: an option object belongs to one subcommand.
  cli::ReaderOptions verifyReader, changeReader;
  bool json = false;
  std::optional<std::string> pinFile;
  std::optional<std::string> newPinFile;
  CLI::App* verifyApp = nullptr;
  CLI::App* changeApp = nullptr;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
