#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/reader_options.h"
#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse apdu [--reader R] [--protocol P] [--trace] [--json] HEX...`: sends each APDU in
// turn over one connection and prints each response with its status word by name. Every
// APDU is checked before any is sent. Any card will do (nothing is selected first); without
// --reader, the only reader holding a card. A status word other than 9000 is an answer, not
// a failure: the exit code is 0 once every APDU got one.
struct ApduCommand : Command {
  cli::ReaderOptions reader;
  bool json = false;
  std::vector<std::string> apdus;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
