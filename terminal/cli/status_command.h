#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>

#include "cli/reader_options.h"
#include "terminal/cli/command.h"

namespace epurse::terminal {

// `epurse status [--reader R] [--protocol P] [--trace] [--json]`: everything the card's
// status record says (GET DATA 0101), the PIN's state by VERIFY without data (no try spent),
// and in epa the pending pd from the card's own log. Reads only.
struct StatusCommand : Command {
  cli::ReaderOptions reader;
  bool json = false;

  CLI::App* addTo(CLI::App& app) override;
  int run() override;
  int run(std::ostream& out, std::ostream& err);
};

}  // namespace epurse::terminal
